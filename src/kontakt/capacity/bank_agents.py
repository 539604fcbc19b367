"""How many agents were on the phones, per (day, hour), when the log only shows calls.

The log has no rota, so staffing must be inferred from who served whom and when.

* ``distinct_servers``: agents seen serving at any moment of the hour (the data's README
  proxy). It over-counts: an agent who took one call and left for a meeting counts as a
  whole agent for the whole hour.
* ``presence``: time-averaged agents present, by the work-conservation argument: while a
  caller waits, every agent present is busy (otherwise they would take the call), so an
  agent idle between two of their calls counts as present only at moments when nobody
  waits. Serving agents always count; only agents seen serving in an hour can be present
  in it. It still counts short breaks taken while the queue was empty, and agents in
  unrecorded wrap-up never count, so it is an estimate, not a rota.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.bank import CallLog

Cell = tuple[int, int]  # (day index, hour of day)
SPAN_S = 2 * 86_400  # a day's calls may be served past midnight


def distinct_servers(log: CallLog) -> dict[Cell, float]:
    seen: dict[Cell, set[str]] = defaultdict(set)
    for day, spans in log.busy.items():
        for server, start, end in spans:
            for hour in range(int(start // 3600), int(max(start, end - 1e-9) // 3600) + 1):
                seen[(day, hour)].add(server)
    return {cell: float(len(names)) for cell, names in seen.items()}


def _timeline(starts: list[float], ends: list[float]) -> NDArray[np.float64]:
    """Per second of the day: how many [start, end) spans cover it."""
    steps = np.zeros(SPAN_S + 1)
    np.add.at(steps, np.clip(np.asarray(starts, dtype=np.int64), 0, SPAN_S), 1.0)
    np.add.at(steps, np.clip(np.asarray(ends, dtype=np.int64), 0, SPAN_S), -1.0)
    return np.cumsum(steps)[:SPAN_S]


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """One agent's service spans with overlaps joined (the log has a few double-bookings)."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _idle_pieces(
    busy: list[tuple[float, float]], hours_served: set[int]
) -> list[tuple[float, float]]:
    """The agent's gaps between calls, cut to the hours in which they served someone.

    A gap across an hour with no call of theirs (a lunch break, the night) is absence,
    which keeps this estimate at or below the distinct-servers proxy.
    """
    pieces = []
    for (_, gap_start), (gap_end, _) in pairwise(busy):
        hour = int(gap_start // 3600)
        while hour * 3600 < gap_end:
            lo, hi = max(gap_start, hour * 3600.0), min(gap_end, (hour + 1) * 3600.0)
            if hour in hours_served and hi > lo:
                pieces.append((lo, hi))
            hour += 1
    return pieces


def presence(log: CallLog) -> dict[Cell, float]:
    cells: dict[Cell, float] = {}
    for day in range(len(log.dates)):
        by_agent: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for server, start, end in log.busy.get(day, []):
            by_agent[server].append((start, end))
        busy_spans: list[tuple[float, float]] = []
        idle_spans: list[tuple[float, float]] = []
        for own in by_agent.values():
            merged = _merged(own)
            served = {
                h
                for s, e in merged
                for h in range(int(s // 3600), int(max(s, e - 1e-9) // 3600) + 1)
            }
            busy_spans += merged
            idle_spans += _idle_pieces(merged, served)
        busy = _timeline([s for s, _ in busy_spans], [e for _, e in busy_spans])
        between = _timeline([s for s, _ in idle_spans], [e for _, e in idle_spans])
        mine = (log.day == day) & (log.wait > 0)
        waiting = _timeline(
            log.arrival[mine].tolist(), (log.arrival[mine] + log.wait[mine]).tolist()
        )
        present = busy + between * (waiting == 0)
        hourly = present.reshape(-1, 3600).mean(axis=1)
        for hour, agents in enumerate(hourly):
            if agents > 0:
                cells[(day, hour)] = float(agents)
    return cells


PROXIES = {"servers": distinct_servers, "presence": presence}
