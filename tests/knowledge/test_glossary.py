"""content/glossary.yaml: the Polish–English–Ukrainian glossary shown on the brokers' desk."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"
ALLOWED_KEYS = {"pl", "en", "uk", "topic", "note"}
REQUIRED_KEYS = ("pl", "en", "uk", "topic")
CYRILLIC = re.compile("[\u0400-\u04ff]")
RUSSIAN_ONLY = set("ыэёъЫЭЁЪ")


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    data = yaml.safe_load((CONTENT / "glossary.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    assert all(isinstance(entry, dict) for entry in data)
    return data


@pytest.fixture(scope="module")
def topic_ids() -> list[str]:
    topics = yaml.safe_load((CONTENT / "topics.yaml").read_text(encoding="utf-8"))
    return [topic["id"] for topic in topics]


def test_at_least_150_entries(entries: list[dict[str, Any]]) -> None:
    assert len(entries) >= 150


def test_only_allowed_keys(entries: list[dict[str, Any]]) -> None:
    extra = {e.get("pl", str(i)): sorted(set(e) - ALLOWED_KEYS) for i, e in enumerate(entries)}
    assert {pl: keys for pl, keys in extra.items() if keys} == {}


def test_required_fields_are_non_empty_strings(entries: list[dict[str, Any]]) -> None:
    bad = [
        (i, key)
        for i, entry in enumerate(entries)
        for key in REQUIRED_KEYS
        if not isinstance(entry.get(key), str) or not entry[key].strip()
    ]
    assert bad == []


def test_note_is_a_non_empty_string_when_present(entries: list[dict[str, Any]]) -> None:
    bad = [
        e["pl"]
        for e in entries
        if "note" in e and (not isinstance(e["note"], str) or not e["note"].strip())
    ]
    assert bad == []


def test_topics_exist(entries: list[dict[str, Any]], topic_ids: list[str]) -> None:
    assert len(topic_ids) == 22
    assert [e["pl"] for e in entries if e["topic"] not in topic_ids] == []


def test_no_duplicate_polish_terms(entries: list[dict[str, Any]]) -> None:
    counts = Counter(e["pl"].strip().casefold() for e in entries)
    assert [pl for pl, n in counts.items() if n > 1] == []


def test_ukrainian_is_cyrillic_and_not_russian(entries: list[dict[str, Any]]) -> None:
    assert [e["pl"] for e in entries if not CYRILLIC.search(e["uk"])] == []
    assert [e["pl"] for e in entries if RUSSIAN_ONLY & set(e["uk"])] == []


def test_every_topic_has_at_least_three_entries(
    entries: list[dict[str, Any]], topic_ids: list[str]
) -> None:
    per_topic = Counter(e["topic"] for e in entries)
    assert {t: per_topic[t] for t in topic_ids if per_topic[t] < 3} == {}
