"""Running the KPI report's queries: in the caller's transaction one after another, or, given
a session factory, each in a read transaction of its own, two at a time on PostgreSQL.

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
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    def __init__(self, source: Source, window: Window) -> None:
        self.source, self.window = source, window
        if isinstance(source, AsyncSession):
            at_once = 1  # one connection: one query at a time
        else:
            bind = source.kw.get("bind")
            at_once = PARALLEL.get(bind.dialect.name, 1) if bind is not None else 1
        self.lock = asyncio.Semaphore(at_once)
        self.shared: Queries | None = None

    async def __call__(self, query: Callable[[Queries], Awaitable[T]]) -> T:
        async with self.lock:
            if isinstance(self.source, AsyncSession):
                if self.shared is None:
                    self.shared = Queries(self.source, self.window)
                    await self.shared.prepare()
                return await query(self.shared)
            async with self.source() as session, session.begin():
                q = Queries(session, self.window)
                await q.prepare()
                return await query(q)


async def _topic_names(q: Queries, lang: str) -> list[tuple[str, str]]:
    rows = await q.session.scalars(select(Topic).order_by(Topic.position))
    return [(t.id, t.name(lang)) for t in rows.all()]


async def read_all(source: Source, window: Window, lang: str) -> Raw:
    run = _Runner(source, window)
    # Longest first, so the two connections finish together. The task group cancels the
    # others when one query fails.
    async with asyncio.TaskGroup() as group:
        completed = group.create_task(run(Queries.completed))
        answered = group.create_task(run(Queries.answered))
        offered = group.create_task(run(Queries.offered))
        voicebot = group.create_task(run(Queries.voicebot))
        bookings = group.create_task(run(Queries.bookings))
        abandoned = group.create_task(run(Queries.abandoned))
        visits = group.create_task(run(Queries.chatbot_visits))
        campaigns = group.create_task(run(Queries.campaigns))
        topics = group.create_task(run(lambda q: _topic_names(q, lang)))
    return Raw(
        offered.result(), answered.result(), abandoned.result(), completed.result(),
        visits.result(), bookings.result(), campaigns.result(), voicebot.result(),
        topics.result(),
    )  # fmt: skip
