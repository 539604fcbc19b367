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


def test_a_prompt_keeps_only_a_short_lead_in(tmp_path: Path) -> None:
    # A caller who has just spoken waits for the bot's first sound: espeak-ng's own
    # leading silence (about 40 ms) is cut to the lead-in.
    plain = EspeakTts(cache_dir=tmp_path).synthesize("Czy chodzi o podatki?", "pl")
    prompt = EspeakTts(cache_dir=tmp_path, lead_in_ms=10).synthesize("Czy chodzi o podatki?", "pl")

    def onset(pcm: np.ndarray) -> int:
        level = np.abs(pcm.astype(np.int32))
        return int(np.argmax(level >= level.max() // 100))

    assert onset(plain) > 160
    assert onset(prompt) == 80  # 10 ms at 8 kHz
    assert np.array_equal(prompt[80:], plain[onset(plain) :])
    assert len(list(tmp_path.glob("*.npy"))) == 2  # each kept under its own name


def test_prompts_rendered_ahead_come_from_memory(tmp_path: Path) -> None:
    tts = EspeakTts(cache_dir=tmp_path)
    texts = [("Dzień dobry.", "pl"), ("Good morning.", "en"), ("Dzień dobry.", "pl")]
    assert tts.cached("Dzień dobry.", "pl") is None
    assert tts.prerender(texts) == 2
    cached = tts.cached("Dzień dobry.", "pl")
    assert cached is not None and np.array_equal(cached, tts.synthesize("Dzień dobry.", "pl"))
    assert tts.cached("Dzień dobry.", "uk") is None  # another voice, another prompt
