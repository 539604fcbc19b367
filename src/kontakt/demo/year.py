"""``kontakt demo year``: a realistic year of contacts, written as ordinary events.

Calls go through ``calls.records.events_for`` (as imported call records do), campaigns
through ``calls.campaigns.create_campaign``, booked visits and chatbot visits as the
booking engine and the widget record them. Everything is appended in one transaction: the
year is there completely or not at all.

A second run on the same year is refused: the log is append-only, so a repeated year would
double every figure with no way to take it back. ``force`` adds another copy on purpose
(e.g. for load tests).
"""

from __future__ import annotations

import time as clock_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.catalog import load_catalog
from kontakt.bulk_events import Pending, append_events
from kontakt.calls.campaigns import campaign_ids, create_campaign
from kontakt.calls.events import CallStarted
from kontakt.calls.records import conversation_id, events_for
from kontakt.clock import FixedClock
from kontakt.demo import calendar
from kontakt.demo.calls import CallMaker, DayPlan, Routing
from kontakt.demo.extras import ExtrasMaker, PlannedCampaign, plan_campaigns
from kontakt.demo.scenario import TOPIC_SHARES, Seed, calibrate_waits, parameters
from kontakt.events import EventRow
from kontakt.hours import WARSAW, working_days
from kontakt.knowledge.content import load_taxonomy
from kontakt.routing.catalog import load_queues
from kontakt.runtime import Runtime


class DemoRefused(Exception):
    pass


@dataclass
class DemoResult:
    year: int
    inbound: int = 0  # calls offered to brokers or served by the voicebot
    outbound: int = 0
    bookings: int = 0
    visits: int = 0
    campaigns: int = 0
    events: int = 0
    seconds: float = 0.0


def _calls_per_day(
    campaigns: list[PlannedCampaign], outgoing: float
) -> dict[date, list[tuple[str, str, float]]]:
    total = sum(c.weight for c in campaigns if c.days) or 1.0
    out: dict[date, list[tuple[str, str, float]]] = {}
    for c in campaigns:
        for d in c.days:
            out.setdefault(d, []).append((c.id, c.topic, outgoing * c.weight / total / len(c.days)))
    return out


async def generate_year(
    rt: Runtime,
    *,
    year: int,
    scale: float = 1.0,
    seed: int = 2021,
    force: bool = False,
    on_day: Callable[[int, int], None] | None = None,
) -> DemoResult:
    started = clock_time.perf_counter()
    content = rt.settings.content_dir
    topics = load_taxonomy(content).topic_ids()
    routing = Routing(tuple(load_queues(content)))
    rng = np.random.default_rng(seed)
    p = parameters(Seed(), scale)
    days = working_days(year)
    weights = calendar.day_weights(days)
    load = calendar.loads(days)
    share = np.outer(weights, calendar.slot_shares())
    wait_model = calibrate_waits(share, load, p.answer_share, p.asa_s)
    shares = {t: s for t, s in TOPIC_SHARES.items() if t in topics} or {"general": 1.0}
    calls = CallMaker(rng, p, wait_model, shares, routing)
    extras = ExtrasMaker(rng, load_catalog(content))
    campaigns = plan_campaigns(year, rng, topics)
    outbound = _calls_per_day(campaigns, p.outgoing)
    index = {d: i for i, d in enumerate(days)}
    result = DemoResult(year)
    async with rt.transaction() as session:
        await _refuse_twice(session, year, force)
        existing = await campaign_ids(session)
        for c in campaigns:
            if c.id not in existing:
                await create_campaign(
                    session, kind=c.type, name=c.name, clock=FixedClock(c.created),
                    campaign_id=c.id, description="demo year", actor="demo",
                )  # fmt: skip
                result.campaigns += 1
        if session.get_bind().dialect.name == "sqlite":
            # A bigger page cache for this connection keeps the events indexes in memory
            # while millions of rows go in.
            await session.execute(text("PRAGMA cache_size=-262144"))
        calendar_days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
        for k in range(calendar_days):
            day = date(year, 1, 1) + timedelta(days=k)
            pending: list[Pending] = []
            if day in index:
                i = index[day]
                plan = DayPlan(day, p.incoming * weights[i], load[i], outbound.get(day, []))
                records = calls.inbound(plan) + calls.outbound(plan)
                for r in records:
                    conv = conversation_id(r)
                    pending.extend(Pending(t.at, conv, t.event) for t in events_for(r))
                result.inbound += sum(r.direction == "inbound" for r in records)
                result.outbound += sum(r.direction == "outbound" for r in records)
                booked = extras.bookings(day, p.bookings * weights[i])
                result.bookings += len(booked)
                pending += booked
            visits = extras.visits(day, _visits_expected(p.visits, p.visits_by_quarter, day))
            result.visits += len(visits)
            pending += visits
            result.events += await append_events(session, pending)
            if on_day is not None:
                on_day(k + 1, calendar_days)
    if rt.engine.dialect.name == "postgresql":
        # Fresh statistics for the planner after millions of new rows, rather than waiting
        # for autovacuum to notice.
        async with rt.engine.begin() as conn:
            await conn.execute(text("ANALYZE events"))
    result.seconds = clock_time.perf_counter() - started
    return result


def _visits_expected(total: float, quarters: tuple[float, float, float, float], day: date) -> float:
    q = (day.month - 1) // 3
    first = date(day.year, 3 * q + 1, 1)
    following = date(day.year + 1, 1, 1) if q == 3 else date(day.year, 3 * q + 4, 1)
    return total * quarters[q] / (following - first).days


async def _refuse_twice(session: AsyncSession, year: int, force: bool) -> None:
    lo = datetime(year, 1, 1, tzinfo=WARSAW).astimezone(UTC)
    hi = datetime(year + 1, 1, 1, tzinfo=WARSAW).astimezone(UTC)
    found = await session.scalar(
        select(func.count()).where(
            EventRow.kind == CallStarted.kind, EventRow.at >= lo, EventRow.at < hi
        )
    )
    if found and not force:
        raise DemoRefused(
            f"{year} already has {found:,} calls in the event log; a second demo year would "
            "double every figure, and events cannot be deleted. Use a fresh database, or "
            "--force to add another copy on purpose."
        )
