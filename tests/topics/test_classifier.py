"""The topic engine, its training run, the stored artifact and the decision policy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kontakt.topics.classifier import TopicEngine, TopicPrediction
from kontakt.topics.data import TrainingDataError, load_examples
from kontakt.topics.policy import TopicThresholds, calibrate, decide_topic
from kontakt.topics.train import latest, load, split
from tests.conftest import CONTENT
from tests.fakes import HashingEmbedder


def test_examples_cover_every_topic_in_three_languages() -> None:
    examples = load_examples(CONTENT)
    per_topic = {(e.topic, e.lang) for e in examples if e.source == "training"}
    topics = {e.topic for e in examples}
    assert len(topics) == 22
    assert all((t, lang) in per_topic for t in topics for lang in ("pl", "uk", "en"))


def test_training_file_for_unknown_topic_is_refused(content_copy: Path) -> None:
    (content_copy / "training/pl").mkdir(parents=True, exist_ok=True)
    (content_copy / "training/pl/parking.txt").write_text("gdzie zaparkować\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="unknown topic 'parking'"):
        load_examples(content_copy)


def test_split_is_stratified_and_reproducible() -> None:
    examples = load_examples(CONTENT)
    (train_a, held_a), (_train_b, held_b) = split(examples), split(examples)
    assert [e.text for e in held_a] == [e.text for e in held_b]
    assert {e.topic for e in held_a} == {e.topic for e in examples}
    assert len(train_a) + len(held_a) == len(examples)
    assert 0.15 < len(held_a) / len(examples) < 0.25


def test_artifact_records_hash_date_and_metrics(trained) -> None:  # type: ignore[no-untyped-def]
    _model, path = trained
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert set(meta) >= {"created", "data_hash", "metrics", "thresholds", "embedder", "topics"}
    assert len(meta["topics"]) == 22
    assert 0.5 < meta["metrics"]["accuracy"] <= 1.0
    assert path.name.startswith("topics-") and meta["data_hash"][:10] in path.name


def test_stored_model_predicts_like_the_trained_one(trained) -> None:  # type: ignore[no-untyped-def]
    model, path = trained
    again = load(latest(path.parent), HashingEmbedder())
    texts = ["gdzie oddać stary telewizor", "chcę zarejestrować samochód"]
    assert [p.topic for p in again.engine.predict(texts)] == [
        p.topic for p in model.engine.predict(texts)
    ]


def test_model_from_another_embedder_is_refused(trained) -> None:  # type: ignore[no-untyped-def]
    _model, path = trained

    class Other(HashingEmbedder):
        name = "other"

    with pytest.raises(ValueError, match="was trained with"):
        load(path, Other())


def test_engine_learns_a_toy_problem() -> None:
    texts = ["śmieci", "odpady", "kosz na śmieci", "dowód osobisty", "paszport", "dowód"] * 3
    labels = ["waste", "waste", "waste", "citizen", "citizen", "citizen"] * 3
    engine = TopicEngine(HashingEmbedder()).fit(texts, labels)
    assert [p.topic for p in engine.predict(["wywóz śmieci", "nowy dowód"])] == ["waste", "citizen"]


def test_compact_scorer_gives_sklearns_probabilities_on_the_held_out_texts(trained) -> None:  # type: ignore[no-untyped-def]
    model, path = trained
    _fit, held = split(load_examples(CONTENT))
    texts = [e.text for e in held] + ["", "???", "ZAMELDOWANIE  na   pobyt stały!!"]
    for engine in (model.engine, load(path, HashingEmbedder()).engine):
        dense = HashingEmbedder().queries(texts) * engine.config.embedding_weight
        ours = engine.probabilities(texts, dense)
        assert np.abs(ours - engine.sklearn_probabilities(texts, dense)).max() <= 1e-9


def test_compact_scorer_handles_two_topics_and_no_embeddings() -> None:
    texts = ["śmieci", "odpady", "kosz na śmieci", "dowód osobisty", "paszport", "dowód"] * 3
    labels = ["waste", "waste", "waste", "citizen", "citizen", "citizen"] * 3
    engine = TopicEngine(None).fit(texts, labels)
    new = ["wywóz śmieci", "nowy dowód", "coś zupełnie innego"]
    assert np.abs(engine.probabilities(new) - engine.sklearn_probabilities(new)).max() <= 1e-9


def test_stored_artifact_holds_the_estimators_not_the_scorer(trained) -> None:  # type: ignore[no-untyped-def]
    # The scorer is rebuilt on loading, so models stored before it existed load as before.
    model, _path = trained
    assert "_scorer" not in model.engine.__getstate__()


@pytest.mark.parametrize(
    ("p1", "p2", "kind"),
    [(0.9, 0.05, "confident"), (0.4, 0.35, "clarify"), (0.2, 0.1, "rephrase")],
)
def test_decision_policy(p1: float, p2: float, kind: str) -> None:
    prediction = TopicPrediction("waste", p1, "environment", p2)
    assert decide_topic(prediction, TopicThresholds(confident=0.6, pair=0.6)).kind == kind


def test_calibration_meets_its_targets() -> None:
    labels = ["a", "b", "c"]
    gold = ["a", "b", "c"] * 100
    rows = []
    for n, g in enumerate(gold):
        k = labels.index(g)
        row = np.full(3, 0.05)
        if n % 5:  # right and sure
            row[k] = 0.9
        else:  # wrong, unsure, the right topic second
            row[(k + 1) % 3], row[k] = 0.5, 0.45
        rows.append(row / row.sum())
    probs = np.vstack(rows)
    t = calibrate(probs, labels, gold, out_of_scope=np.full((50, 3), 1 / 3))
    chosen = probs.max(axis=1) >= t.confident
    right = probs.argmax(axis=1) == np.array([labels.index(g) for g in gold])
    assert chosen.sum() == 240
    assert right[chosen].all()
    assert 2 / 3 < t.pair <= 0.96
