"""Dates and times residents say when booking, checked against a hand-written table."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from kontakt.nlu.when import When, WhenParser

_TABLE = yaml.safe_load((Path(__file__).parent / "when_cases.yaml").read_text(encoding="utf-8"))
_CASES: list[dict[str, Any]] = _TABLE["cases"]
_NOW = datetime.fromisoformat(_TABLE["now"])


@pytest.fixture(scope="module")
def parser() -> WhenParser:
    return WhenParser()


def _expected(case: dict[str, Any]) -> tuple[datetime, datetime, bool] | None:
    if case["start"] is None:
        return None
    return (
        datetime.fromisoformat(case["start"]),
        datetime.fromisoformat(case["end"]),
        case["exact"],
    )


@pytest.mark.parametrize("case", _CASES, ids=[c["text"] or "<empty>" for c in _CASES])
def test_understands_what_the_resident_means(parser: WhenParser, case: dict[str, Any]) -> None:
    now = datetime.fromisoformat(case["now"]) if "now" in case else _NOW
    when = parser.parse(case["text"], case["lang"], now)
    got = None if when is None else (when.start, when.end, when.exact)
    assert got == _expected(case)
    if when is not None:
        assert when.start.utcoffset() == datetime.fromisoformat(case["start"]).utcoffset()


def test_the_table_covers_every_language() -> None:
    per_lang = Counter(c["lang"] for c in _CASES)
    assert len(_CASES) >= 60
    assert min(per_lang[lang] for lang in ("pl", "uk", "en")) >= 20
    assert sum(c["start"] is None for c in _CASES) >= 5


def test_reports_the_span_it_understood(parser: WhenParser) -> None:
    when = parser.parse("chciałbym umówić się na wymianę dowodu, najlepiej jutro rano", "pl", _NOW)
    assert when is not None
    assert when.text == "jutro rano"


def test_accepts_a_clock_in_utc(parser: WhenParser) -> None:
    when = parser.parse("jutro o 10", "pl", datetime.fromisoformat("2026-11-25T11:00:00+00:00"))
    assert when == When(
        datetime.fromisoformat("2026-11-26T10:00+01:00"),
        datetime.fromisoformat("2026-11-26T10:01+01:00"),
        True,
        "jutro o 10",
    )


@pytest.mark.parametrize(
    "text",
    [
        "jutro o 10 " * 182,
        "ę" * 2000,
        "🙂🙃📅⏰ " * 50,
        "\x00\x01\x1b[31m\r\n\t\x7f",
        "12:99 31.02 99.99.9999 o 25 wpół do 0 za kwadrans 99 o -1",
        "'\"\\ ( [ { ) ] } * + ? | ^ $",
        "٣ ١٢ ２０２６年１２月３日",
    ],
    ids=["long", "diacritics", "emoji", "control", "impossible", "regex-chars", "other-digits"],
)
@pytest.mark.parametrize("lang", ["pl", "uk", "en", "ru", "xx"])
def test_never_raises(parser: WhenParser, text: str, lang: str) -> None:
    parser.parse(text, lang, _NOW)
