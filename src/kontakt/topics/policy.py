"""What to do with a topic prediction: act, ask between two, or ask to rephrase.

The thresholds are calibrated by ``kontakt train`` on a held-out split and stored with the
model (see its meta.json and docs/topics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kontakt.topics.classifier import TopicPrediction


@dataclass(frozen=True)
class TopicThresholds:
    confident: float = 0.6  # top probability from which the topic is acted on
    pair: float = 0.6  # top two together from which one clarifying question is asked


@dataclass(frozen=True)
class TopicDecision:
    kind: str  # confident | clarify | rephrase
    prediction: TopicPrediction


def decide_topic(p: TopicPrediction, t: TopicThresholds) -> TopicDecision:
    if p.confidence >= t.confident:
        return TopicDecision("confident", p)
    if p.runner_up is not None and p.confidence + p.runner_up_confidence >= t.pair:
        return TopicDecision("clarify", p)
    return TopicDecision("rephrase", p)


def calibrate(
    probs: np.ndarray,
    labels: list[str],
    gold: list[str],
    *,
    out_of_scope: np.ndarray | None = None,
    precision: float = 0.95,
    pair_recall: float = 0.9,
    refuse: float = 0.8,
) -> TopicThresholds:
    """Thresholds from held-out data.

    ``confident`` is the lowest top probability at which decisions are ``precision`` right.
    ``pair`` is where a clarifying question between the top two is worth asking: it must
    offer the right topic ``pair_recall`` of the time on held-out data, and (given messages
    that belong to no topic) be high enough that ``refuse`` of those are asked to rephrase.
    """
    order = np.argsort(-probs, axis=1)
    top1 = probs[np.arange(len(gold)), order[:, 0]]
    top2 = probs[np.arange(len(gold)), order[:, 1]]
    label = np.asarray(labels)
    right1 = label[order[:, 0]] == np.asarray(gold)
    right2 = right1 | (label[order[:, 1]] == np.asarray(gold))
    confident = 0.99
    for tau in (pct / 100 for pct in range(20, 99)):  # exact hundredths, no float drift
        sel = top1 >= tau
        if sel.sum() >= 10 and right1[sel].mean() >= precision:
            confident = tau
            break
    floor = 0.10
    if out_of_scope is not None and len(out_of_scope):
        oos = np.sort(out_of_scope, axis=1)[:, ::-1]
        floor = float(np.quantile(oos[:, 0] + oos[:, 1], refuse))
    pair = 0.99  # no clarifying questions unless the data supports them
    rest = top1 < confident
    for tau in (pct / 100 for pct in range(10, 99)):
        if tau < floor:
            continue
        sel = rest & (top1 + top2 >= tau)
        if sel.sum() >= 10 and right2[sel].mean() >= pair_recall:
            pair = tau
            break
    return TopicThresholds(confident=confident, pair=pair)
