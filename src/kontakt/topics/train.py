"""Train, evaluate and store a versioned topic model (``kontakt train``)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from kontakt.knowledge.batch_embed import embed_queries
from kontakt.knowledge.embedder import Embedder
from kontakt.topics.classifier import EngineConfig, TopicEngine
from kontakt.topics.data import Example, data_hash, load_examples
from kontakt.topics.policy import TopicThresholds, calibrate

HELD_OUT = 0.2
SEED = 42
# Spoken topics are always confirmed ("is it about taxes? say yes or press 1"), so the
# voicebot proposes a topic when it is right 3 times in 4 on held-out data, where the chat
# needs 19 in 20 to answer without asking; and asks between two when they hold the right
# topic 85% of the time.
SPOKEN_PRECISION = 0.75
SPOKEN_PAIR_RECALL = 0.85


@dataclass
class TrainedModel:
    engine: TopicEngine
    thresholds: TopicThresholds
    meta: dict[str, Any]
    # For the voicebot, whose every proposal is confirmed by the caller: a wrong guess costs
    # one "no", so it proposes at a lower precision (see SPOKEN_PRECISION).
    spoken: TopicThresholds | None = None

    def spoken_thresholds(self) -> TopicThresholds:
        return self.spoken or self.thresholds


class _VectorsGiven:
    """Stands in for the embedder while fitting in a worker process: vectors are passed in."""

    name = "given"
    dim = 384

    def queries(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("fit with precomputed vectors")

    def passages(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("fit with precomputed vectors")


def _fit(
    config: EngineConfig, texts: list[str], labels: list[str], dense: np.ndarray
) -> TopicEngine:
    return TopicEngine(_VectorsGiven(), config).fit(texts, labels, dense=dense)


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Stratified by topic and language; the same data always gives the same split."""
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for e in examples:
        groups[(e.topic, e.lang)].append(e)
    rng = random.Random(SEED)  # noqa: S311 - a reproducible split, not security
    train: list[Example] = []
    held: list[Example] = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda e: e.text)
        rng.shuffle(items)
        cut = max(1, round(len(items) * HELD_OUT)) if len(items) >= 5 else 0
        held.extend(items[:cut])
        train.extend(items[cut:])
    return train, held


def metrics(
    engine: TopicEngine, held: list[Example], dense: np.ndarray
) -> tuple[dict[str, Any], np.ndarray]:
    from sklearn.metrics import accuracy_score, f1_score

    probs = engine.probabilities([e.text for e in held], dense)
    pred = [engine.labels[i] for i in probs.argmax(axis=1)]
    gold = [e.topic for e in held]
    out: dict[str, Any] = {
        "held_out": len(held),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
        "per_language": {},
    }
    for lang in ("pl", "uk", "en"):
        idx = [i for i, e in enumerate(held) if e.lang == lang]
        if idx:
            g = [gold[i] for i in idx]
            p = [pred[i] for i in idx]
            out["per_language"][lang] = {
                "n": len(idx),
                "accuracy": round(float(accuracy_score(g, p)), 4),
                "macro_f1": round(float(f1_score(g, p, average="macro")), 4),
            }
    return out, probs


def train(
    content_dir: Path,
    embedder: Embedder,
    config: EngineConfig | None = None,
    *,
    cache: Path | None = None,
    workers: int = 1,
) -> TrainedModel:
    """``cache``: a file remembering utterance vectors between trainings; ``workers``:
    processes embedding in parallel."""
    examples = load_examples(content_dir)
    config = config or EngineConfig()
    texts = [e.text for e in examples]
    dense_all = embed_queries(texts, embedder, cache=cache, workers=workers)
    dense_all = dense_all * config.embedding_weight
    index = {id(e): i for i, e in enumerate(examples)}
    fit_set, held = split(examples)

    def rows(items: list[Example]) -> np.ndarray:
        return dense_all[[index[id(e)] for e in items]]

    # The held-out model (for metrics and thresholds) and the final one (from everything) are
    # independent fits: with two cores, each gets a process of its own.
    jobs = [
        ([e.text for e in fit_set], [e.topic for e in fit_set], rows(fit_set)),
        (texts, [e.topic for e in examples], dense_all),
    ]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
            engine, final = pool.map(_fit, [config] * 2, *zip(*jobs, strict=True))
    else:
        engine, final = (_fit(config, *job) for job in jobs)
    engine.embedder = final.embedder = embedder
    report, probs = metrics(engine, held, rows(held))
    oos_probs = None
    oos_path = content_dir / "eval" / "out_of_scope.jsonl"
    if oos_path.is_file():
        oos = [
            json.loads(line)["question"]
            for line in oos_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        oos_dense = embed_queries(oos, embedder, cache=cache, workers=workers)
        oos_probs = engine.probabilities(oos, oos_dense * config.embedding_weight)
    gold = [e.topic for e in held]
    thresholds = calibrate(probs, engine.labels, gold, out_of_scope=oos_probs)
    spoken = calibrate(
        probs, engine.labels, gold, out_of_scope=oos_probs,
        precision=SPOKEN_PRECISION, pair_recall=SPOKEN_PAIR_RECALL,
    )  # fmt: skip
    # The artifact (``final``) learns from everything; thresholds and metrics from the split.
    meta = {
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "data_hash": data_hash(examples),
        "examples": len(examples),
        "by_source": {s: sum(e.source == s for e in examples) for s in ("training", "article")},
        "embedder": embedder.name,
        "config": asdict(config),
        "metrics": report,
        "thresholds": asdict(thresholds),
        "spoken_thresholds": asdict(spoken),
        "topics": final.labels,
    }
    return TrainedModel(final, thresholds, meta, spoken)


def save(model: TrainedModel, models_dir: Path) -> Path:
    # The embedder's tag keeps models of the same data and day from overwriting each other
    # when an installation switches embedders (and perhaps back).
    tag = hashlib.sha1(model.meta["embedder"].encode(), usedforsecurity=False).hexdigest()[:6]
    version = f"topics-{model.meta['created'][:10]}-{model.meta['data_hash'][:10]}-{tag}"
    target = models_dir / version
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.engine, target / "model.joblib")
    (target / "meta.json").write_text(
        json.dumps(model.meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return target


class NoModel(Exception):
    def __init__(self, embedder: str | None = None, others: list[str] | None = None) -> None:
        super().__init__(embedder)
        self.embedder = embedder
        self.others = others or []

    def __str__(self) -> str:
        if self.embedder is None:
            return "no topic model yet; run: kontakt train"
        trained = f" (there are models for {', '.join(self.others)})" if self.others else ""
        return f"no topic model for the embedder {self.embedder} yet{trained}; run: kontakt train"


def _meta(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return meta


def latest(models_dir: Path, embedder: str | None = None) -> Path:
    """The newest model, or the newest one trained with the embedder of that name: the
    models of another embedder stay on disk (switching back needs no retraining) but its
    vectors cannot be mixed with this one's."""
    metas = {p.parent: _meta(p.parent) for p in models_dir.glob("topics-*/meta.json")}
    usable = [p for p, m in metas.items() if embedder is None or m["embedder"] == embedder]
    if not usable:
        raise NoModel(embedder, sorted({m["embedder"] for m in metas.values()}))
    return max(sorted(usable), key=lambda p: metas[p]["created"])


def stale_reason(models_dir: Path, embedder: str, examples: list[Example]) -> str | None:
    """Why ``kontakt train --if-stale`` must train: no model for this embedder, or the
    newest one learnt from other data than content/ has now; None when it is current."""
    try:
        path = latest(models_dir, embedder)
    except NoModel as exc:
        return str(exc).removesuffix("; run: kontakt train")
    if _meta(path)["data_hash"] != data_hash(examples):
        return f"{path.name} was trained on other data than content/ has now"
    return None


def load(path: Path, embedder: Embedder) -> TrainedModel:
    meta = _meta(path)
    if meta["embedder"] != embedder.name:
        raise ValueError(f"{path} was trained with {meta['embedder']}, not {embedder.name}")
    engine: TopicEngine = joblib.load(path / "model.joblib")  # our own artifact, under var/
    engine.embedder = embedder
    spoken = meta.get("spoken_thresholds")  # absent in models trained before the voicebot
    return TrainedModel(
        engine,
        TopicThresholds(**meta["thresholds"]),
        meta,
        TopicThresholds(**spoken) if spoken else None,
    )
