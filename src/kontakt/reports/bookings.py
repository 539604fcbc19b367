"""Booked visits from the event log alone: by channel, unit and service (the KPI's inputs)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.events import BookingCancelled, BookingConfirmed, BookingExpired
from kontakt.events import EventRow
from kontakt.reports.chatbot import day_bounds


@dataclass
class BookingReport:
    start: date
    end: date
    # A moved visit is one booking, not two: confirmations that replace another are "moved".
    booked: int = 0
    moved: int = 0
    cancelled: int = 0
    holds_expired: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)


async def booking_report(session: AsyncSession, start: date, end: date) -> BookingReport:
    """Counts by when the booking was made (the event time), in Warsaw calendar days."""
    lo, hi = day_bounds(start, end)
    kinds = [BookingConfirmed.kind, BookingCancelled.kind, BookingExpired.kind]
    rows = await session.scalars(
        select(EventRow).where(EventRow.kind.in_(kinds), EventRow.at >= lo, EventRow.at < hi)
    )
    report = BookingReport(start, end)
    channel: Counter[str] = Counter()
    unit: Counter[str] = Counter()
    service: Counter[str] = Counter()
    for row in rows:
        p = row.payload
        if row.kind == BookingConfirmed.kind:
            if p.get("replaces"):
                report.moved += 1
                continue
            report.booked += 1
            channel[p["channel"]] += 1
            unit[p["unit"]] += 1
            service[p["service"]] += 1
        elif row.kind == BookingCancelled.kind:
            if p.get("was", "confirmed") == "confirmed" and p.get("reason") != "rescheduled":
                report.cancelled += 1
        else:
            report.holds_expired += 1
    report.by_channel = dict(channel.most_common())
    report.by_unit = dict(unit.most_common())
    report.by_service = dict(service.most_common())
    return report
