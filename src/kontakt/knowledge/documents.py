"""Typed content documents: articles, topics and units as they stand in ``content/``.

These are the validated, canonical shapes. Loading a file either yields a document or
raises ``ContentError`` naming the file and the field; nothing half-valid gets through.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from kontakt.knowledge.yamlfmt import normalize_text

LANGS: tuple[str, ...] = ("pl", "uk", "en")
Lang = Literal["pl", "uk", "en"]

MAX_ANSWER_WORDS = 150  # the guideline is ~120; this is the hard stop for review
MAX_SPEAKABLE_WORDS = 60
MAX_SPEAKABLE_SENTENCES = 2

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
OneLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _text(value: str) -> str:
    value = normalize_text(value)
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_text)]


# A sentence ends at . ! or ? followed by a capital letter, unless the dot closes a common
# abbreviation ("np. ZUS", "ul. Libelta") or an ordinal number ("20. tygodnia").
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:np|ul|al|pl|tel|godz|nr|ok|tzw|tj|r|m\.in|e\.g|i\.e|St|Mr|Dr))\.$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĄĆĘŁŃÓŚŹŻА-ЯІЇЄҐ])")


def count_sentences(text: str) -> int:
    count = 1
    for match in _SENTENCE_END.finditer(text):
        if not _ABBREVIATIONS.search(text[: match.start()]):
            count += 1
    return count


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(Strict):
    title: OneLine
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=500)]


class LocalizedText(Strict):
    title: OneLine
    questions: list[OneLine] = Field(min_length=3, max_length=30)
    answer: Text
    speakable: Text

    @model_validator(mode="after")
    def _limits(self) -> LocalizedText:
        if _words(self.answer) > MAX_ANSWER_WORDS:
            raise ValueError(
                f"answer has {_words(self.answer)} words; keep it under about 120"
                f" (hard limit {MAX_ANSWER_WORDS})"
            )
        if _words(self.speakable) > MAX_SPEAKABLE_WORDS:
            raise ValueError(f"speakable has more than {MAX_SPEAKABLE_WORDS} words")
        if count_sentences(self.speakable) > MAX_SPEAKABLE_SENTENCES:
            raise ValueError("speakable must be one or two sentences")
        if "\n" in self.speakable:
            raise ValueError("speakable must be a single line")
        if len(set(self.questions)) != len(self.questions):
            raise ValueError("questions repeat")
        return self


class ArticleDoc(Strict):
    id: Slug
    topic: Slug
    unit: Slug
    source: Source
    valid_from: date
    valid_to: date | None = None
    updated: date
    pl: LocalizedText
    uk: LocalizedText | None = None
    en: LocalizedText | None = None

    @model_validator(mode="after")
    def _dates(self) -> ArticleDoc:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def languages(self) -> list[str]:
        return [lang for lang in LANGS if getattr(self, lang) is not None]

    def text(self, lang: str) -> LocalizedText | None:
        if lang not in LANGS:
            return None
        value: LocalizedText | None = getattr(self, lang)
        return value


class Names(Strict):
    pl: OneLine
    uk: OneLine
    en: OneLine


class TopicDoc(Strict):
    id: Slug
    name: Names
    scope: OneLine = Field(max_length=1000)
    default_queue: Slug
    units: list[Slug] = Field(min_length=1)


class UnitDoc(Strict):
    id: Slug
    short: OneLine
    name: Names
    handles: OneLine = Field(max_length=1000)
    website: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]
