"""When to answer, when to offer "did you mean", and when to admit we do not know.

Scores are the fused retrieval scores of ``knowledge.search``. The thresholds are calibrated
by ``bench/tune_retrieval.py`` on the development set plus out-of-scope questions (see
docs/benchmarks.md); e5 similarities sit in a narrow band, so margins matter as much as
absolute values.
"""

from __future__ import annotations

from dataclasses import dataclass

from kontakt.knowledge.search import ArticleHit


@dataclass(frozen=True)
class Policy:
    # Calibrated with the topic classifier's boosts on (as `make run` ships it). Without a
    # trained topic model scores run lower, so the bot asks "did you mean" more often.
    answer_min: float = 1.36  # below this the top hit is not trusted on its own
    sure_min: float = 1.44  # above this, answer even when a neighbour is close
    margin: float = 0.03  # lead over the next article needed to answer between the two
    suggest_min: float = 1.33  # below this nothing is relevant enough even to suggest
    suggest_window: float = 0.08  # suggestions must be this close to the top score
    max_suggestions: int = 3


TUNED_POLICY = Policy()


@dataclass(frozen=True)
class Decision:
    kind: str  # answer | ambiguous | no_match
    hits: tuple[ArticleHit, ...]


def decide(hits: list[ArticleHit], policy: Policy = TUNED_POLICY) -> Decision:
    if not hits or hits[0].score < policy.suggest_min:
        return Decision("no_match", ())
    top = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    if top.score >= policy.sure_min or (
        top.score >= policy.answer_min and top.score - second >= policy.margin
    ):
        return Decision("answer", (top,))
    close = [
        h for h in hits if h.score >= max(policy.suggest_min, top.score - policy.suggest_window)
    ]
    return Decision("ambiguous", tuple(close[: policy.max_suggestions]))
