"""Slots: opening hours minus closures minus reservations, computed, never stored.

A unit's day is cut into back-to-back slots of the service's length inside each opening
range; a slot whose end would pass the closing time is not offered. Times are local to the
unit (daylight-saving changes included) and returned as aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kontakt.booking.catalog import WEEKDAYS
from kontakt.hours import is_public_holiday


@dataclass(frozen=True)
class Schedule:
    """What slot computation needs to know about one unit and one service."""

    timezone: str
    hours: Mapping[str, list[list[str]]]  # {"mon": [["08:00", "16:00"]], ...}
    closures: frozenset[date]
    duration_min: int
    capacity: int
    book_ahead_days: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware UTC
    end: datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


def is_closed(schedule: Schedule, day: date) -> bool:
    return day in schedule.closures or is_public_holiday(day)


def _clock(value: str) -> time:
    hours, minutes = (int(p) for p in value.split(":"))
    return time(23, 59, 59) if hours == 24 else time(hours, minutes)


def day_starts(schedule: Schedule, day: date) -> list[datetime]:
    """Every slot start of ``day`` (UTC), ignoring reservations and the booking window."""
    if is_closed(schedule, day):
        return []
    tz = schedule.tz
    step = timedelta(minutes=schedule.duration_min)
    starts: list[datetime] = []
    for opening, closing in schedule.hours.get(WEEKDAYS[day.weekday()], []):
        # Wall-clock arithmetic in local time, converted per slot, keeps slots on the grid
        # residents see on the door even on the two days a year the clocks change.
        cursor = datetime.combine(day, _clock(opening))
        end = datetime.combine(day, _clock(closing))
        while cursor + step <= end:
            starts.append(cursor.replace(tzinfo=tz).astimezone(UTC))
            cursor += step
    return starts


def window(schedule: Schedule, now: datetime, min_notice: timedelta) -> tuple[datetime, date]:
    """The earliest bookable start and the last bookable local day."""
    earliest = now + min_notice
    last_day = now.astimezone(schedule.tz).date() + timedelta(days=schedule.book_ahead_days)
    return earliest, last_day


def is_bookable_start(
    schedule: Schedule, start: datetime, now: datetime, min_notice: timedelta
) -> bool:
    earliest, last_day = window(schedule, now, min_notice)
    local_day = start.astimezone(schedule.tz).date()
    return start >= earliest and local_day <= last_day and start in day_starts(schedule, local_day)


def compute_slots(
    schedule: Schedule,
    days: Iterable[date],
    taken: Mapping[datetime, int],
    *,
    now: datetime,
    min_notice: timedelta,
    only_free: bool = True,
) -> list[Slot]:
    earliest, last_day = window(schedule, now, min_notice)
    step = timedelta(minutes=schedule.duration_min)
    slots: list[Slot] = []
    for day in days:
        if day > last_day:
            break
        for start in day_starts(schedule, day):
            if start < earliest:
                continue
            slot = Slot(start, start + step, schedule.capacity, taken.get(start, 0))
            if slot.free or not only_free:
                slots.append(slot)
    return slots
