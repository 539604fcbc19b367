"""The read model ``kpi_facts`` never disagrees with the events it is derived from."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kontakt.bulk_events import Pending, append_events
from kontakt.calls.records import CallRecord, conversation_id, events_for
from kontakt.demo.year import generate_year
from kontakt.events import EventRow, record
from kontakt.reports.kpi import KpiReport, kpi_report
from kontakt.reports.kpi_fact_queries import FactQueries
from kontakt.reports.kpi_facts import PROJECTED, KpiFact, rebuild
from kontakt.reports.kpi_queries import Window
from kontakt.routing.events import ContactAnswered, ContactOffered, ContactTransferred
from kontakt.runtime import Runtime
from tests.reports.test_kpi import CALLS, T0, _desk_contacts, _others

YEAR = (date(2021, 1, 1), date(2021, 12, 31))


async def _both(rt: Runtime) -> tuple[KpiReport, KpiReport]:
    """The report from the read model, and recomputed straight from the events."""
    return await kpi_report(rt.sessions, *YEAR), await kpi_report(
        rt.sessions, *YEAR, from_events=True
    )


async def _facts(rt: Runtime) -> list[tuple[object, ...]]:
    async with rt.transaction() as session:
        rows = await session.execute(select(KpiFact).order_by(KpiFact.event_id))
        return [tuple(getattr(f, c.key) for c in KpiFact.__table__.columns) for f in rows.scalars()]


def _late_call(call_id: str) -> list[Pending]:
    r = CallRecord(call_id=call_id, direction="inbound", queue="waste", topic="waste",
                   started_at=T0 + timedelta(days=40), waited_s=12.5, answered=True,
                   talk_s=90.0, wrap_s=30.0, agent="b9", language="uk")  # fmt: skip
    return [Pending(t.at, conversation_id(r), t.event) for t in events_for(r)]


async def test_report_from_facts_equals_report_from_events(runtime: Runtime) -> None:
    await generate_year(runtime, year=2021, scale=0.001, seed=7)  # bulk_events
    async with runtime.transaction() as session:  # events.record, one by one
        for r in CALLS:
            for timed in events_for(r):
                await record(session, timed.event, at=timed.at, conversation_id=conversation_id(r))
    await _desk_contacts(runtime)  # a transfer after an answer and an overflow
    await _others(runtime)
    first, from_events = await _both(runtime)
    assert first == from_events

    # Appended later, both ways: the read model follows without anything run in between.
    async with runtime.transaction() as session:
        await append_events(session, _late_call("late-bulk"))
        conv = uuid.uuid4()
        at = T0 + timedelta(days=41)
        for event in (
            ContactOffered("late-1", "general", "phone", "call", "en", "general"),
            ContactAnswered("late-1", "general", "7", 4.0, "call", "en"),
            ContactTransferred("late-1", "general", "citizen", "Ola", "", "late-2"),
            ContactAnswered("late-2", "citizen", "8", 30.0, "call", "en"),
        ):
            await record(session, event, at=at, conversation_id=conv)
    later, from_events = await _both(runtime)
    assert later == from_events
    assert (later.calls_incoming, later.calls_answered) == (
        first.calls_incoming + 2, first.calls_answered + 2,
    )  # fmt: skip


async def test_rebuild_derives_the_same_facts_from_the_events(runtime: Runtime) -> None:
    await generate_year(runtime, year=2021, scale=0.0005, seed=3)
    await _desk_contacts(runtime)
    written = await _facts(runtime)
    async with runtime.transaction() as session:
        count = await rebuild(session)
        projected = await session.scalar(
            select(func.count()).where(EventRow.kind.in_(list(PROJECTED)))
        )
    assert (await _facts(runtime), count) == (written, projected)


async def test_facts_commit_and_roll_back_with_their_events(runtime: Runtime) -> None:
    seen = None
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with runtime.transaction() as session:
            await append_events(session, _late_call("undone"))
            seen = await session.scalar(select(func.count()).select_from(KpiFact))
            raise RuntimeError("changed my mind")
    assert (seen, await _facts(runtime)) == (3, [])  # offered, answered, completed; then none


async def test_window_must_be_whole_hours(runtime: Runtime) -> None:
    start = datetime(2021, 3, 1, 10, 30, tzinfo=UTC)
    async with runtime.transaction() as session:
        with pytest.raises(ValueError, match="whole hours"):
            FactQueries(session, Window(start, start + timedelta(hours=1)))
