"""Appending many events at once: call-record imports and the demo year.

The rows are exactly what ``events.record`` writes (the column types' own bind processors
turn the values into what each database stores); only the round trips differ: one
``executemany`` per batch on SQLite, one binary ``COPY`` per batch on PostgreSQL. Inserts
are all the append-only events table allows, so the triggers have nothing to refuse.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.events import Event, EventRow

BATCH = 20_000


class Pending(NamedTuple):
    at: datetime
    conversation_id: uuid.UUID | None
    event: Event


def _processor(column: str, dialect: Any) -> Callable[[Any], Any]:
    col = EventRow.__table__.c[column]
    proc = col.type.dialect_impl(dialect).bind_processor(dialect)
    return proc if proc is not None else (lambda value: value)


async def append_events(session: AsyncSession, items: Iterable[Pending]) -> int:
    """Insert the events in the session's transaction; returns how many."""
    connection = await session.connection()
    dialect = connection.dialect
    batch: list[Pending] = []
    count = 0
    if dialect.name == "postgresql":
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        payload = _processor("payload", dialect)

        async def flush() -> None:
            records = [(p.at, p.event.kind, p.conversation_id, payload(p.event.payload()))
                       for p in batch]  # fmt: skip
            await raw.copy_records_to_table(
                "events", records=records, columns=["at", "kind", "conversation_id", "payload"]
            )

    else:
        at, cid, payload = (_processor(c, dialect) for c in ("at", "conversation_id", "payload"))
        sql = "INSERT INTO events (at, kind, conversation_id, payload) VALUES (?, ?, ?, ?)"

        async def flush() -> None:
            rows = [(at(p.at), p.event.kind, cid(p.conversation_id), payload(p.event.payload()))
                    for p in batch]  # fmt: skip
            await connection.exec_driver_sql(sql, rows)

    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            await flush()
            count += len(batch)
            batch.clear()
    if batch:
        await flush()
        count += len(batch)
    return count
