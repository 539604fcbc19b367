"""Prompts rendered by espeak-ng at the telephone rate, and cached."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from kontakt.voice.tts import EspeakTts, resample

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("pl", "W jakiej sprawie dzwonisz?"),
        ("uk", "З якого питання ви телефонуєте?"),
        ("en", "What is your call about?"),
    ],
)
def test_prompts_in_three_languages(tmp_path: Path, lang: str, text: str) -> None:
    tts = EspeakTts(cache_dir=tmp_path)
    pcm = tts.synthesize(text, lang)
    assert pcm.dtype == np.int16
    assert 0.8 < len(pcm) / 8000 < 6  # about a second or two of speech at 8 kHz
    assert np.abs(pcm).max() > 1000  # not silence
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = EspeakTts(cache_dir=tmp_path).synthesize(text, lang)  # from the disk cache
    assert np.array_equal(pcm, again)


def test_resample_keeps_duration_and_tone() -> None:
    rate = 22050
    tone = (np.sin(np.arange(rate) * 2 * np.pi * 440 / rate) * 10000).astype(np.int16)
    out = resample(tone, rate, 8000)
    assert len(out) == 8000
    spectrum = np.abs(np.fft.rfft(out.astype(np.float64)))
    assert abs(int(np.argmax(spectrum)) - 440) <= 1
