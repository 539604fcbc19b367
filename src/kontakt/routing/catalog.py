"""``content/queues.yaml``: the desk's queues, validated against the topics and imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.catalog import WEEKDAYS, Names, parse_range
from kontakt.knowledge.content import ContentError, load_taxonomy, read_yaml
from kontakt.routing.models import Queue

OFFICE_HOURS = {day: ["07:30-20:00"] for day in WEEKDAYS[:5]}
LANGS = ("pl", "uk", "en")


class QueueDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: Names
    languages: list[str] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    hours: dict[str, list[str]] = Field(default_factory=lambda: dict(OFFICE_HOURS))
    overflow_after_s: int | None = Field(default=None, ge=10, le=3600)
    overflow_to: str | None = None
    sip_uri: str = Field(default="", max_length=300)

    @field_validator("languages")
    @classmethod
    def _langs(cls, value: list[str]) -> list[str]:
        if not set(value) <= set(LANGS):
            raise ValueError(f"languages must be among {', '.join(LANGS)}")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(value) - set(WEEKDAYS):
            raise ValueError(f"weekdays are {', '.join(WEEKDAYS)}")
        for ranges in value.values():
            for r in ranges:
                parse_range(r)
        return value


def load_queues(root: Path) -> list[QueueDoc]:
    path = root / "queues.yaml"
    raw: Any = read_yaml(path)
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, "must be a list of queues")
    docs: list[QueueDoc] = []
    for i, item in enumerate(raw):
        try:
            docs.append(QueueDoc.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            raise ContentError(path, message, field=f"[{i}].{loc}") from None
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise ContentError(path, "queue ids must be unique")
    topics = {t.id: t for t in load_taxonomy(root).topics}
    owner: dict[str, str] = {}
    for i, doc in enumerate(docs):
        if doc.overflow_to is not None and doc.overflow_to not in ids:
            raise ContentError(path, f"unknown queue {doc.overflow_to!r}", f"[{i}].overflow_to")
        for topic in doc.topics:
            if topic not in topics:
                raise ContentError(path, f"unknown topic {topic!r}", f"[{i}].topics")
            if topic in owner:
                raise ContentError(path, f"topic {topic!r} is also in {owner[topic]!r}")
            owner[topic] = doc.id
    missing = sorted(set(topics) - set(owner))
    if missing:
        raise ContentError(path, f"topic {missing[0]!r} belongs to no queue")
    if "general" not in ids:
        raise ContentError(path, "a queue with id 'general' (the brokers' general queue) is needed")
    return docs


async def import_queues(session: AsyncSession, docs: list[QueueDoc]) -> int:
    existing = {q.id: q for q in (await session.scalars(select(Queue))).all()}
    for pos, doc in enumerate(docs):
        queue = existing.get(doc.id) or Queue(id=doc.id)
        queue.position = pos
        queue.names = doc.name.model_dump()
        queue.languages = list(doc.languages)
        queue.topics = list(doc.topics)
        queue.hours = {d: [r.split("-") for r in doc.hours.get(d, [])] for d in WEEKDAYS}
        queue.overflow_after_s = doc.overflow_after_s
        queue.overflow_to = doc.overflow_to
        queue.sip_uri = doc.sip_uri
        session.add(queue)
    await session.flush()
    return len(docs)
