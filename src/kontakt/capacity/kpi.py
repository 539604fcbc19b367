"""The report's KPI set, computed from per-call outcomes (simulated or observed).

Definitions follow ../shared/reference/metrics.md: incoming = calls that entered the
agents' queue (voicebot-contained calls are counted apart); efficiency = answered ÷
incoming; ASA = mean wait of answered calls; service level = answered within 20 s ÷
(answered + abandoned after the 5 s short-abandon threshold); abandonment rate =
abandoned after that threshold ÷ incoming, with short abandons shown apart; AHT = talk +
after-call work of answered calls; total handling time = the talk time of answered calls,
the only reading under which the seed's own figures reconcile.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Outcomes:
    """One row per call that reached the queue."""

    hour: NDArray[np.int64]  # hour of day of the arrival
    answered: NDArray[np.bool_]
    wait: Floats  # to answer, or to hanging up
    talk: Floats
    service: Floats  # talk + after-call work
    identified: NDArray[np.bool_]


@dataclass(frozen=True)
class HourKpis:
    hour: int
    calls_incoming: int
    calls_answered: int
    abandoned: int
    short_abandons: int
    asa_s: float
    served_within: float  # answered within 20 s ÷ answered
    service_level: float
    abandon_rate: float
    agents: float  # scheduled agents, mean over the days (time-weighted within the hour)


@dataclass(frozen=True)
class Kpis:
    calls_incoming: int
    calls_answered: int
    efficiency: float
    aht_incoming_s: float
    asa_s: float
    handled_time_total_s: float
    service_level: float
    abandon_rate: float
    abandoned: int
    short_abandons: int
    mean_wait_s: float  # all queued calls, answered or not (differs from ASA)
    occupancy: float  # handling time ÷ scheduled agent time
    agent_hours: float  # scheduled agent time
    voicebot_identified: int
    voicebot_served: int
    hours: tuple[HourKpis, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def summarise(
    o: Outcomes,
    *,
    agents_by_hour: dict[int, float],
    agent_seconds: float,
    voicebot_served: int = 0,
    answer_within_s: float = 20.0,
    short_abandon_s: float = 5.0,
) -> Kpis:
    """Totals and the per-hour breakdown. ``agents_by_hour`` feeds only the breakdown."""
    ans = o.answered
    quick = ans & (o.wait <= answer_within_s)
    short = ~ans & (o.wait < short_abandon_s)
    late = ~ans & ~short
    n, answered, abandoned = len(ans), int(ans.sum()), int(late.sum())
    hours = _by_hour(o, quick, short, late, agents_by_hour)
    return Kpis(
        calls_incoming=n,
        calls_answered=answered,
        efficiency=_ratio(answered, n),
        aht_incoming_s=_ratio(float(o.service[ans].sum()), answered),
        asa_s=_ratio(float(o.wait[ans].sum()), answered),
        handled_time_total_s=float(o.talk[ans].sum()),
        service_level=_ratio(int(quick.sum()), answered + abandoned),
        abandon_rate=_ratio(abandoned, n),
        abandoned=abandoned,
        short_abandons=int(short.sum()),
        mean_wait_s=_ratio(float(o.wait.sum()), n),
        occupancy=_ratio(float(o.service[ans].sum()), agent_seconds),
        agent_hours=agent_seconds / 3600,
        voicebot_identified=int(o.identified.sum()),
        voicebot_served=voicebot_served,
        hours=hours,
    )


def _by_hour(
    o: Outcomes,
    quick: NDArray[np.bool_],
    short: NDArray[np.bool_],
    late: NDArray[np.bool_],
    agents_by_hour: dict[int, float],
) -> tuple[HourKpis, ...]:
    size = 24

    def count(mask: NDArray[np.bool_]) -> NDArray[np.float64]:
        return np.bincount(o.hour[mask], minlength=size).astype(np.float64)

    incoming = np.bincount(o.hour, minlength=size).astype(np.float64)
    answered = count(o.answered)
    waited = np.bincount(o.hour[o.answered], weights=o.wait[o.answered], minlength=size)
    n_quick, n_short, n_late = count(quick), count(short), count(late)
    rows = []
    for h in range(size):
        if not incoming[h] and h not in agents_by_hour:
            continue
        rows.append(
            HourKpis(
                hour=h,
                calls_incoming=int(incoming[h]),
                calls_answered=int(answered[h]),
                abandoned=int(n_late[h]),
                short_abandons=int(n_short[h]),
                asa_s=_ratio(waited[h], answered[h]),
                served_within=_ratio(n_quick[h], answered[h]),
                service_level=_ratio(n_quick[h], answered[h] + n_late[h]),
                abandon_rate=_ratio(n_late[h], incoming[h]),
                agents=agents_by_hour.get(h, 0.0),
            )
        )
    return tuple(rows)
