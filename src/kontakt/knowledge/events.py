"""Events of the knowledge base: every content change is an audit record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from kontakt.events import Event, event_type


@event_type
@dataclass(frozen=True)
class ArticleVersionCreated(Event):
    kind: ClassVar[str] = "article_version_created"
    article_id: str
    version: int
    origin: str
    actor: str


@event_type
@dataclass(frozen=True)
class ArticlePublished(Event):
    kind: ClassVar[str] = "article_published"
    article_id: str
    version: int
    actor: str


@event_type
@dataclass(frozen=True)
class ArticleRemoved(Event):
    kind: ClassVar[str] = "article_removed"
    article_id: str
    actor: str


@event_type
@dataclass(frozen=True)
class ContentImported(Event):
    kind: ClassVar[str] = "content_imported"
    actor: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
