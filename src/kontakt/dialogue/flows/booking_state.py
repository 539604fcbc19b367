"""The booking flow's memory (a BookingDraft) and how it finds the service and code in text."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from kontakt.booking.models import Service
from kontakt.booking.service import CODE_ALPHABET, CODE_LENGTH
from kontakt.nlu.fold import fold

FLOW = "booking"


@dataclass
class BookingDraft:
    """What an unfinished booking has collected so far; stored as a FlowStateChanged event."""

    mode: str = "book"  # book | cancel | reschedule
    step: str = "service"  # service | unit | slot | confirm | name | phone | code | digits
    service_id: str | None = None
    unit_id: str | None = None
    offered: list[str] = field(default_factory=list)  # ISO starts of the times offered
    chosen: str | None = None  # ISO start of the time read back for confirmation
    hold_id: str | None = None
    name: str = ""
    code: str = ""
    visit_id: str | None = None  # the visit being cancelled or moved
    misses: int = 0  # inputs in a row the current step could not use

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookingDraft:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def chosen_start(self) -> datetime | None:
        return iso(self.chosen) if self.chosen else None


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def match_services(text: str, services: list[Service]) -> list[Service]:
    """The services whose keywords occur in ``text``, best first; ties all returned.

    The longest matching keyword wins, so "dowód rejestracyjny" (a vehicle document) beats
    "dowód" (the ID card) when both occur.
    """
    folded = fold(text)
    scored: list[tuple[int, Service]] = []
    for service in services:
        best = 0
        for lang_keywords in service.keywords.values():
            for keyword in lang_keywords:
                key = fold(keyword)
                if _keyword_pattern(key).search(folded):
                    best = max(best, len(key))
        if best:
            scored.append((best, service))
    if not scored:
        return []
    top = max(score for score, _ in scored)
    return [s for score, s in scored if score == top]


@lru_cache(maxsize=4096)
def _keyword_pattern(key: str) -> re.Pattern[str]:
    """The keyword with inflected endings allowed on each word: Polish and Ukrainian decline
    nouns, so "rejestracja samochodu" must also match "rejestrację samochodu"."""
    parts = []
    for word in key.split():
        stem = word[: max(4, len(word) - 2)] if len(word) > 4 and word.isalpha() else word
        parts.append(re.escape(stem) + r"\w*")
    return re.compile(r"(?<!\w)" + r"\s+".join(parts))


_CODE = re.compile(rf"(?<![A-Za-z0-9])[{CODE_ALPHABET}]{{{CODE_LENGTH}}}(?![A-Za-z0-9])")


def find_code(text: str) -> str | None:
    """A confirmation code in the text, typed in any case and possibly with spaces/dashes."""
    compact = re.sub(r"(?<=\w)[ -](?=\w)", "", text.upper())
    for candidate in (text.upper(), compact):
        match = _CODE.search(candidate)
        if match:
            return match.group(0)
    return None


_DIGITS = re.compile(r"\d")


def find_digits(text: str) -> str | None:
    """The last digits of a phone number: 3 to 15 digits given on their own."""
    digits = "".join(_DIGITS.findall(text))
    return digits if 3 <= len(digits) <= 15 else None


_NAME_CUES = re.compile(
    r"^(?:nazywam si[eę]|mam na imi[eę]|jestem|to|imi[eę] i nazwisko|my name is|i am|i'm|"
    r"name|мене звати|моє ім'я|я)\s*[:,-]?\s+",
    re.IGNORECASE,
)


def strip_name_cue(text: str) -> str:
    return _NAME_CUES.sub("", text.strip()).strip(" .,!")
