"""A topic model trained once for the topic tests, with the fast fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontakt.topics.train import TrainedModel, save, train
from tests.conftest import CONTENT
from tests.fakes import HashingEmbedder


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainedModel, Path]:
    model = train(CONTENT, HashingEmbedder())
    return model, save(model, tmp_path_factory.mktemp("models"))
