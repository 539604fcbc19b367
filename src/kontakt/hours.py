"""Office hours of the contact office: Mon–Fri 7:30–20:00, closed on Polish public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

OPEN = time(7, 30)
CLOSE = time(20, 0)
WARSAW = ZoneInfo("Europe/Warsaw")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("PL", years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in _holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_days(year: int) -> list[date]:
    """The office's working days of ``year`` in order (Mon–Fri, public holidays closed)."""
    day, days = date(year, 1, 1), []
    while day.year == year:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class HoursStatus:
    open_now: bool
    next_open: datetime | None  # local time of the next opening when closed
    closes_at: datetime | None  # local time of closing when open


def status(now: datetime) -> HoursStatus:
    local = now.astimezone(WARSAW)
    if is_working_day(local.date()) and OPEN <= local.time() < CLOSE:
        return HoursStatus(True, None, datetime.combine(local.date(), CLOSE, WARSAW))
    day = local.date()
    if is_working_day(day) and local.time() < OPEN:
        return HoursStatus(False, datetime.combine(day, OPEN, WARSAW), None)
    for _ in range(30):
        day += timedelta(days=1)
        if is_working_day(day):
            return HoursStatus(False, datetime.combine(day, OPEN, WARSAW), None)
    return HoursStatus(False, None, None)
