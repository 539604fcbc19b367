"""Running the KPI report's queries: in the caller's transaction one after another, or, given
a session factory, each in a read transaction of its own, two at a time on PostgreSQL.

The queries read the read model ``kpi_facts`` (kpi_fact_queries), or, with ``from_events``,
the events themselves (kpi_queries): the reference the read model is checked against, and
what the report measured before the read model existed.

A year's report is a handful of queries that each read hundreds of thousands of events.
PostgreSQL runs each in a server process of its own, so two at once use two cores (measured:
about a third faster on two cores; docs/benchmarks.md). SQLite gained nothing from a second
reader on the same machine, so it reads one query at a time. With separate transactions, a
period that is still receiving events may differ by what arrived while the report was read
(never a closed period).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kontakt.reports.kpi_fact_queries import FactQueries
from kontakt.reports.kpi_queries import (
    AbandonedHour,
    AnsweredHour,
    CompletedGroup,
    OfferedHour,
    Queries,
    Window,
)
from kontakt.topics.models import Topic

T = TypeVar("T")
Source = AsyncSession | async_sessionmaker[AsyncSession]


class ReportQueries(Protocol):
    """What ``Queries`` (from events) and ``FactQueries`` (from the read model) both offer."""

    session: AsyncSession

    async def prepare(self) -> None: ...
    async def offered(self) -> list[OfferedHour]: ...
    async def answered(self) -> list[AnsweredHour]: ...
    async def abandoned(self) -> list[AbandonedHour]: ...
    async def completed(self) -> list[CompletedGroup]: ...
    async def chatbot_visits(self) -> list[tuple[str, int]]: ...
    async def bookings(self) -> list[tuple[str, int, int]]: ...
    async def campaigns(self) -> list[tuple[str, int]]: ...
    async def voicebot(self) -> dict[str, int]: ...


Make = Callable[[AsyncSession, Window], ReportQueries]
PARALLEL = {"postgresql": 2}  # queries at once per dialect; others: 1


@dataclass(frozen=True)
class Raw:
    """Everything the report reads, grouped in the database."""

    offered: list[OfferedHour]
    answered: list[AnsweredHour]
    abandoned: list[AbandonedHour]
    completed: list[CompletedGroup]
    chatbot_visits: list[tuple[str, int]]
    bookings: list[tuple[str, int, int]]
    campaigns: list[tuple[str, int]]
    voicebot: dict[str, int]
    topics: list[tuple[str, str]]  # (id, name) in the taxonomy's order


class _Runner:
    def __init__(self, source: Source, window: Window, make: Make) -> None:
        self.source, self.window, self.make = source, window, make
        if isinstance(source, AsyncSession):
            at_once = 1  # one connection: one query at a time
        else:
            bind = source.kw.get("bind")
            at_once = PARALLEL.get(bind.dialect.name, 1) if bind is not None else 1
        self.lock = asyncio.Semaphore(at_once)
        self.shared: ReportQueries | None = None

    async def __call__(self, query: Callable[[ReportQueries], Awaitable[T]]) -> T:
        async with self.lock:
            if isinstance(self.source, AsyncSession):
                if self.shared is None:
                    self.shared = self.make(self.source, self.window)
                    await self.shared.prepare()
                return await query(self.shared)
            async with self.source() as session, session.begin():
                q = self.make(session, self.window)
                await q.prepare()
                return await query(q)


async def _topic_names(q: ReportQueries, lang: str) -> list[tuple[str, str]]:
    rows = await q.session.scalars(select(Topic).order_by(Topic.position))
    return [(t.id, t.name(lang)) for t in rows.all()]


async def read_all(source: Source, window: Window, lang: str, *, from_events: bool = False) -> Raw:
    run = _Runner(source, window, Queries if from_events else FactQueries)
    # Longest first, so the two connections finish together. The task group cancels the
    # others when one query fails.
    async with asyncio.TaskGroup() as group:
        completed = group.create_task(run(lambda q: q.completed()))
        answered = group.create_task(run(lambda q: q.answered()))
        offered = group.create_task(run(lambda q: q.offered()))
        voicebot = group.create_task(run(lambda q: q.voicebot()))
        bookings = group.create_task(run(lambda q: q.bookings()))
        abandoned = group.create_task(run(lambda q: q.abandoned()))
        visits = group.create_task(run(lambda q: q.chatbot_visits()))
        campaigns = group.create_task(run(lambda q: q.campaigns()))
        topics = group.create_task(run(lambda q: _topic_names(q, lang)))
    return Raw(
        offered.result(), answered.result(), abandoned.result(), completed.result(),
        visits.result(), bookings.result(), campaigns.result(), voicebot.result(),
        topics.result(),
    )  # fmt: skip
