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

from sqlalchemy import BigInteger, Index, Integer, String, Uuid, event, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column, sessionmaker

from kontakt.db import Base
from kontakt.db_sqlite import DEFERRED


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

    The row is written at the session's next flush (so a query after this call sees it), and
    with a session from ``insert_in_one_statement`` all events of a flush are one INSERT;
    the returned row's ``id`` is then not filled in.
    """
    row = EventRow(at=at, kind=event.kind, conversation_id=conversation_id, payload=event.payload())
    session.add(row)
    return row


def insert_in_one_statement(sessions: sessionmaker[Session]) -> None:
    """Write the events pending at each flush of these sessions as one INSERT.

    The ORM would insert them one statement each, because it must learn every new row's id
    and SQLite cannot promise the order of ids a multi-row INSERT returns. Nothing reads the
    id of an event just recorded, so a chat turn's three or four events cost one statement.
    """
    event.listen(sessions, "before_flush", _insert_pending_events)


# Built once: SQLAlchemy then reuses its compiled form without re-deriving the cache key.
# On SQLite the INSERT travels with the flush's next statement (db_sqlite.DEFERRED).
_INSERT = insert(EventRow).prefix_with(DEFERRED, dialect="sqlite")


def _insert_pending_events(session: Session, _flush: UOWTransaction, _objects: object) -> None:
    rows = [obj for obj in session.new if isinstance(obj, EventRow)]
    if not rows:
        return
    rows.sort(key=lambda row: sa_inspect(row).insert_order or 0)  # the order they were recorded
    for row in rows:
        session.expunge(row)
    session.connection().execute(
        _INSERT,
        [
            {
                "at": row.at,
                "kind": row.kind,
                "conversation_id": row.conversation_id,
                "payload": row.payload,
            }
            for row in rows
        ],
    )


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
