"""The topic engine against a plain TF-IDF + LinearSVC baseline, on real municipal reports.

    python bench/routing_engine.py

Data: ../shared/data/routing (Wrocław municipal police, 1,175 reports, 27 categories). The
split is the README's: sort by case_id, every fifth row is test. Both models are trained and
scored in this same run.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

from kontakt.config import Settings
from kontakt.knowledge.embedder import make_embedder
from kontakt.topics.classifier import EngineConfig, TopicEngine

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared/data/routing/wroclaw_straz_miejska_2016_2018_sample.tsv"
)


def load() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    with DATA.open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh, delimiter="\t"), key=lambda r: r["case_id"])
    data = [(r["description"], r["category"]) for r in rows]
    test = [d for i, d in enumerate(data) if i % 5 == 4]
    train = [d for i, d in enumerate(data) if i % 5 != 4]
    return train, test


def scores(gold: list[str], pred: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(gold, pred)), float(f1_score(gold, pred, average="macro"))


def main() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    train, test = load()
    xs, ys = [t for t, _ in train], [c for _, c in train]
    xt, yt = [t for t, _ in test], [c for _, c in test]
    print(f"{len(train)} train, {len(test)} test, {len(set(ys))} categories")

    t0 = time.perf_counter()
    baseline = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        ),
        LinearSVC(C=1.0),
    ).fit(xs, ys)
    base_acc, base_f1 = scores(yt, list(baseline.predict(xt)))
    print(
        f"baseline TF-IDF + LinearSVC: accuracy {base_acc:.3f}, macro-F1 {base_f1:.3f} "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    settings = Settings()  # the configured embedder (KONTAKT_EMBEDDER, default e5-onnx)
    embedder = make_embedder(settings.embedder, cache_size=0, cache_dir=settings.var_dir / "cache")
    t0 = time.perf_counter()
    dense_train = np.vstack([embedder.queries(xs[i : i + 64]) for i in range(0, len(xs), 64)])
    dense_test = np.vstack([embedder.queries(xt[i : i + 64]) for i in range(0, len(xt), 64)])
    print(
        f"e5 features ({embedder.name}) for {len(xs) + len(xt)} texts: "
        f"{time.perf_counter() - t0:.1f} s"
    )
    for config in (EngineConfig(), EngineConfig(use_embeddings=False)):
        engine = TopicEngine(embedder, config)
        dtr = dense_train * config.embedding_weight if config.use_embeddings else None
        dte = dense_test * config.embedding_weight if config.use_embeddings else None
        engine.fit(xs, ys, dense=dtr)
        acc, f1 = scores(yt, [p.topic for p in engine.predict(xt, dense=dte)])
        name = "kontakt engine" + ("" if config.use_embeddings else " without e5")
        print(
            f"{name} {config}: accuracy {acc:.3f} (x{acc / base_acc:.3f}), "
            f"macro-F1 {f1:.3f} (x{f1 / base_f1:.3f})"
        )


if __name__ == "__main__":
    main()
