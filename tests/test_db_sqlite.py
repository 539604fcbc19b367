"""SQLite under several writers: every write lands, in order, and a lock held too long errors."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from kontakt.clock import FixedClock
from kontakt.conversations.events import LanguageChosen
from kontakt.conversations.models import Conversation
from kontakt.conversations.service import open_conversation
from kontakt.db import make_session_factory
from kontakt.db_sqlite import WriteTurns, connect_hook
from kontakt.events import EventRow, record
from kontakt.runtime import Runtime
from tests.conftest import make_runtime


async def _kinds(runtime: Runtime) -> list[str]:
    async with runtime.transaction() as session:
        return list((await session.scalars(select(EventRow.kind).order_by(EventRow.id))).all())


async def test_a_turns_events_are_written_in_the_order_recorded(
    sqlite_runtime: Runtime, clock: FixedClock
) -> None:
    async with sqlite_runtime.transaction() as session:
        conv = await open_conversation(session, channel="web", language="pl", clock=clock, page="")
        for language in ("en", "uk", "pl"):
            await record(
                session, LanguageChosen(language=language), at=clock.now(), conversation_id=conv.id
            )
        conv.last_activity_at = clock.now()
    async with sqlite_runtime.transaction() as session:
        rows = (
            await session.scalars(
                select(EventRow).where(EventRow.conversation_id == conv.id).order_by(EventRow.id)
            )
        ).all()
    assert [(r.kind, r.payload.get("language")) for r in rows] == [
        ("conversation_started", "pl"),
        ("language_chosen", "en"),
        ("language_chosen", "uk"),
        ("language_chosen", "pl"),
    ]


async def test_events_of_a_rolled_back_transaction_are_not_written(
    sqlite_runtime: Runtime, clock: FixedClock
) -> None:
    with pytest.raises(RuntimeError):
        async with sqlite_runtime.transaction() as session:
            await record(session, LanguageChosen(language="en"), at=clock.now())
            await session.flush()  # the INSERT waits for the connection's next trip
            raise RuntimeError("the turn failed")
    assert await _kinds(sqlite_runtime) == []


async def test_an_event_recorded_is_visible_to_a_query_in_the_same_transaction(
    sqlite_runtime: Runtime, clock: FixedClock
) -> None:
    async with sqlite_runtime.transaction() as session:
        await record(session, LanguageChosen(language="en"), at=clock.now())
        seen = (await session.scalars(select(EventRow.kind))).all()
    assert seen == ["language_chosen"]


async def test_two_workers_writing_at_once_lose_nothing(
    sqlite_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    workers = [await make_runtime(sqlite_url, clock, tmp_path) for _ in range(2)]

    async def conversation(runtime: Runtime) -> None:
        async with runtime.transaction() as session:
            conv = await open_conversation(
                session, channel="web", language="pl", clock=clock, page=""
            )
        for language in ("en", "uk"):
            async with runtime.transaction() as session:
                found = await session.get(Conversation, conv.id)
                assert found is not None
                found.language = language
                await record(
                    session,
                    LanguageChosen(language=language),
                    at=clock.now(),
                    conversation_id=conv.id,
                )

    try:
        await asyncio.gather(*(conversation(w) for w in workers for _ in range(20)))
        kinds = await _kinds(workers[0])
    finally:
        for w in workers:
            await w.close()
    assert kinds.count("conversation_started") == 40
    assert kinds.count("language_chosen") == 80


async def test_a_writer_waiting_longer_than_the_timeout_gets_database_is_locked(
    sqlite_runtime: Runtime, clock: FixedClock
) -> None:
    url = sqlite_runtime.settings.database_url
    path = url.split(":///", 1)[1]
    engine = create_async_engine(url, connect_args={"timeout": 0.2})
    event.listen(engine.sync_engine, "do_connect", connect_hook(WriteTurns()))
    sessions = make_session_factory(engine)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with sessions() as session, session.begin():
                await record(session, LanguageChosen(language="en"), at=clock.now())
    finally:
        holder.rollback()
        holder.close()
        await engine.dispose()
    assert await _kinds(sqlite_runtime) == []


async def test_a_connection_dropped_unclosed_is_closed_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import gc

    from kontakt.db_sqlite import connect

    conn = await connect(str(tmp_path / "dropped.db"), turns=WriteTurns())
    file = conn._connection
    assert file is not None
    del conn
    gc.collect()  # with warnings as errors, aiosqlite's ResourceWarning would fail the test
    await asyncio.sleep(0.2)  # the connection's thread closes the file
    assert "dropped without being closed" in caplog.text
    with pytest.raises(sqlite3.ProgrammingError):
        file.execute("SELECT 1")  # closed
