"""Appending many events at once: call-record imports and the demo year.

The rows are exactly what ``events.record`` writes (the column types' own bind processors
turn the values into what each database stores); only the round trips differ: one binary
``COPY`` per batch on PostgreSQL, and on SQLite INSERT statements of ROWS rows each. Inserts
are all the append-only events table allows, so its guard triggers have nothing to refuse.

The KPI read model (reports/kpi_facts.py) is filled by triggers on these inserts, so nothing
here writes it. On SQLite a table with triggers costs a statement journal per statement, so
the multi-row statements halve what the triggers add to an insert of one row per statement
(measured on a million demo events); on PostgreSQL the statement trigger runs once per COPY.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.events import Event, EventRow

BATCH = 20_000
ROWS = 200  # rows per SQLite statement: 800 parameters, under SQLite's oldest limit of 999


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
        if not raw.is_in_transaction():
            # SQLAlchemy's asyncpg adapter sends BEGIN lazily, with the first statement it
            # runs; a COPY goes around it, so without this a COPY as the first thing in a
            # transaction would commit on its own and survive a rollback.
            await connection.exec_driver_sql("SELECT 1")
        payload = _processor("payload", dialect)

        async def flush() -> None:
            records = [(p.at, p.event.kind, p.conversation_id, payload(p.event.payload()))
                       for p in batch]  # fmt: skip
            await raw.copy_records_to_table(
                "events", records=records, columns=["at", "kind", "conversation_id", "payload"]
            )

    else:
        at, cid, payload = (_processor(c, dialect) for c in ("at", "conversation_id", "payload"))

        def sql(rows: int) -> str:
            values = ", ".join(["(?, ?, ?, ?)"] * rows)
            return f"INSERT INTO events (at, kind, conversation_id, payload) VALUES {values}"  # noqa: S608

        full = sql(ROWS)

        async def flush() -> None:
            flat = [
                value
                for p in batch
                for value in (
                    at(p.at),
                    p.event.kind,
                    cid(p.conversation_id),
                    payload(p.event.payload()),
                )
            ]
            for start in range(0, len(batch), ROWS):
                part = tuple(flat[4 * start : 4 * (start + ROWS)])
                rows = len(part) // 4
                await connection.exec_driver_sql(full if rows == ROWS else sql(rows), part)

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
