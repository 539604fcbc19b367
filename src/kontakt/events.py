"""The one append-only event log.

Every fact the system learns is a frozen dataclass recorded as one row of ``events``.
Transcripts, audit trails and KPIs are all read from these rows; nothing else keeps a
second truth. Rows are never updated or deleted (the migration installs triggers that
refuse it on both SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Index, Integer, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_conversation_at", "conversation_id", "at"),
        Index("ix_events_kind_at", "kind", "at"),
    )

    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    payload: Mapped[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of all events. Subclasses set ``kind`` and add typed fields (JSON-serialisable)."""

    kind: ClassVar[str] = "event"
    _field_names: ClassVar[tuple[str, ...] | None] = None

    def payload(self) -> dict[str, Any]:
        cls = type(self)
        names: tuple[str, ...] | None = cls.__dict__.get("_field_names")
        if names is None:  # once per event class
            names = tuple(f.name for f in dataclasses.fields(self))
            cls._field_names = names
        values = {name: getattr(self, name) for name in names}
        # Most events are flat: asdict() would only deep-copy their scalars, one by one, and
        # that dominated bulk writes of millions of events (the demo year, call imports).
        if all(isinstance(v, _SCALARS) for v in values.values()):
            return values
        return dataclasses.asdict(self)


_SCALARS = (str, int, float, bool, type(None))


_REGISTRY: dict[str, type[Event]] = {}


def event_type(cls: type[Event]) -> type[Event]:
    """Register an event class so rows can be read back as typed events."""
    if cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls:
        raise ValueError(f"duplicate event kind {cls.kind!r}")
    _REGISTRY[cls.kind] = cls
    return cls


async def record(
    session: AsyncSession,
    event: Event,
    *,
    at: datetime,
    conversation_id: uuid.UUID | None = None,
) -> EventRow:
    """Append one event in the caller's transaction; it commits or rolls back with the work.

    The row is written at the session's next flush, so a burst of events costs one round trip.
    """
    row = EventRow(at=at, kind=event.kind, conversation_id=conversation_id, payload=event.payload())
    session.add(row)
    return row


def decode(row: EventRow) -> Event:
    cls = _REGISTRY.get(row.kind)
    if cls is None:
        raise KeyError(f"unknown event kind {row.kind!r}")
    return cls(**row.payload)


async def read(
    session: AsyncSession,
    *,
    kinds: Sequence[str] | None = None,
    conversation_id: uuid.UUID | None = None,
) -> list[EventRow]:
    stmt = select(EventRow).order_by(EventRow.id)
    if kinds is not None:
        stmt = stmt.where(EventRow.kind.in_(kinds))
    if conversation_id is not None:
        stmt = stmt.where(EventRow.conversation_id == conversation_id)
    return list((await session.scalars(stmt)).all())
