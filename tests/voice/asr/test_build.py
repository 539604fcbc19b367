"""The build from content/: what it writes, and how it knows it is stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from kontakt.voice.asr.base import STEPS
from kontakt.voice.asr.build import (
    Artifacts,
    _prune,
    _replace,
    build_dir,
    content_hash,
    ensure_built,
)

from .conftest import CONTENT, VOICE_DIR


def test_one_search_per_step_and_a_lexicon(pl_build: Artifacts) -> None:
    assert pl_build.folder == build_dir(VOICE_DIR, CONTENT, "pl")
    for step in STEPS:
        assert pl_build.search(step).stat().st_size > 100
    assert pl_build.search("yes_no").suffix == ".gram"
    assert pl_build.search("digits").suffix == ".gram"
    assert pl_build.search("topic").suffix == ".arpa"
    meta = pl_build.meta()
    assert meta["lang"] == "pl" and int(str(meta["words"])) > 3000
    grammar = pl_build.search("yes_no").read_text(encoding="utf-8")
    assert "tak" in grammar and "nie zgadza się" in grammar


def test_current_build_is_reused(pl_build: Artifacts) -> None:
    stamp = (pl_build.folder / "meta.json").stat().st_mtime_ns
    again = ensure_built(VOICE_DIR, CONTENT, "pl")
    assert again == pl_build
    assert (pl_build.folder / "meta.json").stat().st_mtime_ns == stamp


def test_hash_follows_the_content_it_reads(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("eval", "*.md"))
    before = {lang: content_hash(copy, lang) for lang in ("pl", "en")}
    assert before["pl"] == content_hash(CONTENT, "pl")
    with (copy / "training" / "pl" / "waste.txt").open("a", encoding="utf-8") as fh:
        fh.write("gdzie wyrzucić stary telewizor\n")
    assert content_hash(copy, "pl") != before["pl"]  # stale: the next use rebuilds
    assert content_hash(copy, "en") == before["en"]  # English reads no Polish lines


def test_replacing_and_pruning_builds(tmp_path: Path) -> None:
    asr = tmp_path / "asr"
    old, current, other_lang = asr / "pl-aaaa", asr / "pl-bbbb", asr / "en-cccc"
    for folder in (old, current, other_lang):
        folder.mkdir(parents=True)
        (folder / "meta.json").write_text("{}", encoding="utf-8")
    new = asr / ".pl-tmp"
    new.mkdir()
    (new / "meta.json").write_text('{"new": 1}', encoding="utf-8")
    _replace(current, new)  # a forced rebuild replaces the folder whole
    assert (current / "meta.json").read_text(encoding="utf-8") == '{"new": 1}'
    _prune(current)
    assert sorted(p.name for p in asr.iterdir()) == ["en-cccc", "pl-bbbb"]
