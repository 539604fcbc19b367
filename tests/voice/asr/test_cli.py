"""`kontakt voice build`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kontakt.voice.asr.build import Artifacts
from kontakt.voice.cli import voice_app

from .conftest import CONTENT, VOICE_DIR

runner = CliRunner()


def test_current_build_is_left_alone(monkeypatch: pytest.MonkeyPatch, pl_build: Artifacts) -> None:
    monkeypatch.setenv("KONTAKT_VOICE_DIR", str(VOICE_DIR))
    result = runner.invoke(voice_app, ["build", "--content", str(CONTENT), "--lang", "pl"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"pl: {pl_build.folder} is up to date"


def test_builds_a_missing_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KONTAKT_VOICE_DIR", str(tmp_path))
    monkeypatch.setenv("KONTAKT_CONTENT_DIR", str(CONTENT))
    result = runner.invoke(voice_app, ["build", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"en: {tmp_path / 'asr' / 'en-'}")
    assert "words" in result.output
    assert len(list((tmp_path / "asr").glob("en-*/topic.arpa"))) == 1


def test_ukrainian_has_no_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KONTAKT_VOICE_DIR", str(tmp_path))
    result = runner.invoke(voice_app, ["build", "--lang", "uk"])
    assert result.exit_code == 2
    assert "--lang must be one of pl, en" in result.output
