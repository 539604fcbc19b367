"""Topic classifier: in-process inference latency per utterance, and training time.

    python bench/topic_inference.py [--models var/models] [--train]

Uses the configured embedder (KONTAKT_EMBEDDER, default e5-onnx) and the newest model
trained with it. Times ``TopicEngine.predict`` on one utterance at a time over
content/eval/topics_test.jsonl (cycled to 1,000 calls), split into what it costs:
- the whole prediction with a cold query vector (e5 embedding of the utterance included);
- the e5 embedding alone;
- the prediction given the utterance's vector, as in the chat and voice pipelines, where the
  same vector serves the knowledge-base search and is computed once per message; and the
  same through scikit-learn's ``predict_proba`` (what the engine ran before its compact
  scorer), for comparison.
Each is reported as wall-clock and as CPU time of the process (other work on a shared
machine inflates the first, not the second).
With ``--train`` it also times `train()` on content/ twice: with an empty vector cache and
again with the cache filled (a retraining after editing some lines).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from kontakt.config import Settings
from kontakt.knowledge.embedder import make_embedder
from kontakt.topics.classifier import TopicEngine
from kontakt.topics.train import latest, load, train


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(f: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
    t, c = time.perf_counter(), time.process_time()
    f()
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - t)


def sklearn_predict(engine: TopicEngine, text: str, dense: np.ndarray) -> None:
    proba = engine.sklearn_probabilities([text], dense)
    np.argsort(-proba[0])  # what predict() adds: the ranking


def main() -> None:
    settings = Settings()
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, default=settings.var_dir / "models")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--train", action="store_true")
    args = parser.parse_args()

    # No query cache: every utterance is embedded afresh.
    embedder = make_embedder(
        settings.embedder, settings.embed_threads, 0, cache_dir=settings.var_dir / "cache"
    )
    lines = Path("content/eval/topics_test.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(x)["text"] for x in lines if x.strip()]
    path = latest(args.models, embedder.name)
    model = load(path, embedder)
    print(f"embedder {embedder.name}, model {path}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    engine = model.engine
    weight = engine.config.embedding_weight
    engine.predict(["rozgrzewka"])

    series: dict[str, tuple[list[float], list[float]]] = {
        name: ([], [])
        for name in (
            "predict, embedding included",
            "  of which the e5 query embedding",
            "predict given the message's vector",
            "  the same through scikit-learn (before)",
        )
    }
    cold, embed, warm, reference = series.values()
    for i in range(args.calls):
        text = f"{texts[i % len(texts)]} ({i})"  # never the same text twice: no cache
        timed(partial(engine.predict, [text]), *cold)
        vector = np.asarray(embedder.queries([text]) * weight)
        timed(partial(embedder.queries, [text]), *embed)
        timed(partial(engine.predict, [text], dense=vector), *warm)
        timed(partial(sklearn_predict, engine, text, vector), *reference)
    for name, (wall, cpu) in series.items():
        print(
            f"{name}: wall p50 {pct(wall, 50) * 1000:.2f} ms, p99 {pct(wall, 99) * 1000:.2f} ms;"
            f" CPU p50 {pct(cpu, 50) * 1000:.2f} ms, p99 {pct(cpu, 99) * 1000:.2f} ms"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")

    if args.train:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "vectors.npz"
            for label in ("empty vector cache", "filled vector cache"):
                t = time.perf_counter()
                trained = train(Path("content"), embedder, cache=cache, workers=os.cpu_count() or 1)
                m = trained.meta["metrics"]
                langs = ", ".join(
                    f"{lang} {s['accuracy']:.3f}" for lang, s in m["per_language"].items()
                )
                print(f"train, {label}: {time.perf_counter() - t:.1f} s "
                      f"on {os.cpu_count()} cores; held-out accuracy {m['accuracy']:.3f} "
                      f"({langs})")  # fmt: skip
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
