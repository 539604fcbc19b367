"""When residents call: working days of the year, their relative weight, and the half-hours of
the office day (Mon–Fri 7:30–20:00, Polish public holidays closed; ``kontakt.hours``).

The weights are the demo's assumptions in the usual shape of a city helpline: Mondays are
the busiest, Fridays the quietest; mornings peak around ten and evenings are quiet; January
(waste declarations, vaccination registration), March and the autumn are busy, the summer
holidays quiet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
from numpy.typing import NDArray

from kontakt.hours import OPEN, WARSAW

MONTH = (1.12, 0.97, 1.06, 1.0, 0.98, 0.95, 0.86, 0.82, 0.97, 1.05, 1.1, 0.92)
WEEKDAY = (1.25, 1.05, 1.0, 0.95, 0.85)
# The 25 half-hours from 7:30 to 20:00.
SLOTS = (0.55, 0.95, 1.25, 1.45, 1.5, 1.5, 1.45, 1.35, 1.25, 1.15, 1.1, 1.1, 1.05, 1.0, 0.95,
         0.85, 0.75, 0.6, 0.5, 0.42, 0.36, 0.3, 0.25, 0.2, 0.15)  # fmt: skip
SLOT_S = 1800
# Chatbot visits by hour of day (the widget is open day and night).
WEB_HOURS = (0.2, 0.1, 0.08, 0.06, 0.06, 0.1, 0.3, 0.6, 0.9, 1.1, 1.2, 1.2, 1.15, 1.1, 1.1,
             1.05, 1.0, 1.0, 1.0, 1.0, 0.95, 0.8, 0.6, 0.4)  # fmt: skip
# How much harder a busy half-hour is to staff: waits grow faster than arrivals.
LOAD_EXPONENT = 0.8


def day_weights(days: list[date]) -> NDArray[np.float64]:
    """Each working day's share of the year's calls."""
    raw = np.array([MONTH[d.month - 1] * WEEKDAY[d.weekday()] for d in days], dtype=np.float64)
    out: NDArray[np.float64] = raw / raw.sum()
    return out


def slot_shares() -> NDArray[np.float64]:
    raw = np.array(SLOTS, dtype=np.float64)
    out: NDArray[np.float64] = raw / raw.sum()
    return out


def loads(days: list[date]) -> NDArray[np.float64]:
    """Relative load of every (day, half-hour) cell, 1.0 on average: the wait model's f."""
    per_day = np.array([MONTH[d.month - 1] * WEEKDAY[d.weekday()] for d in days])
    cell = np.outer(per_day / per_day.mean(), np.array(SLOTS) / np.mean(SLOTS))
    f = cell**LOAD_EXPONENT
    share = np.outer(day_weights(days), slot_shares())
    return f / float(np.sum(share * f))


def midnight_utc(day: date) -> datetime:
    """Local midnight in UTC. Poland changes the clock at night on Sundays, so one offset
    holds for the whole office day of a working day."""
    return datetime.combine(day, time(0), WARSAW).astimezone(UTC)


def office_seconds(rng: np.random.Generator, slots: NDArray[np.int64]) -> NDArray[np.float64]:
    """Seconds after local midnight for arrivals in the given half-hours."""
    opening = OPEN.hour * 3600 + OPEN.minute * 60
    return opening + slots * SLOT_S + rng.uniform(0, SLOT_S, len(slots))
