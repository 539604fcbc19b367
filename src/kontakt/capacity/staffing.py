"""Agents per interval for a service-level target such as 80/20.

Erlang-A (or Erlang-C when callers never hang up) gives, interval by interval, the fewest
agents whose steady state meets the target. Real intervals are not steady: the morning
starts empty and a busy hour hands its queue to the next. So the plan is then simulated,
intervals that miss the target get one more agent until none misses, and one pass takes an
agent away wherever the simulation shows room to spare (kept only where the target holds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.erlang import erlang_a_metrics, erlang_c_metrics
from kontakt.capacity.scenario import Day, Interval, Scenario
from kontakt.capacity.simulation import simulate

MAX_AGENTS = 2000  # a search bound, far above any city's contact office


@dataclass(frozen=True)
class Target:
    level: float  # share of calls ...
    within_s: float  # ... answered within this many seconds

    @classmethod
    def parse(cls, text: str) -> Target:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
        if not match or not 0 < float(match[1]) < 100:
            raise ValueError(f"target must look like 80/20 (percent/seconds), not {text!r}")
        return cls(float(match[1]) / 100, float(match[2]))

    def __str__(self) -> str:
        return f"{self.level * 100:g}/{self.within_s:g}"


@dataclass(frozen=True)
class StaffingRow:
    day: str
    start_s: float
    end_s: float
    calls: float  # expected calls reaching the queue
    erlang_agents: int  # the steady-state minimum
    agents: int  # after the simulation check
    service_level: float  # simulated, with ``agents``
    asa_s: float
    abandon_rate: float


@dataclass(frozen=True)
class Staffing:
    target: Target
    rows: tuple[StaffingRow, ...]
    rounds: int  # simulation runs used


def _queue_load(scenario: Scenario) -> tuple[float, float]:
    """(share of dialled calls that queue, mean handling time of the queued calls)."""
    bot = scenario.voicebot
    aht = scenario.aht_s - bot.identify_share * bot.handling_saving_s
    return 1.0 - bot.self_serve_share, aht


def erlang_minimum(rate: float, aht_s: float, patience_s: float | None, target: Target) -> int:
    """Fewest agents whose steady state meets the target (Erlang-A, or C without patience)."""
    if rate <= 0:
        return 0
    n = max(1, int(rate * aht_s))
    while n < MAX_AGENTS:
        if patience_s is None:
            m = erlang_c_metrics(rate, aht_s, n, answer_within_s=target.within_s)
        else:
            m = erlang_a_metrics(rate, aht_s, n, patience_s, answer_within_s=target.within_s)
        if m.stable and m.service_level >= target.level:
            return n
        n += 1
    raise ValueError("the target needs more agents than this planner searches")


def _with_total(interval: Interval, total: int) -> Interval:
    """Set the interval's head count: the first group takes the change, the other groups
    (specialists, say) keep theirs unless the total is smaller than they are."""
    others = list(interval.agents[1:])
    while sum(others) > total:
        others[others.index(max(others))] -= 1
    return replace(interval, agents=(total - sum(others), *others))


@dataclass(frozen=True)
class _Simulated:
    service_level: list[list[float]]
    asa_s: list[list[float]]
    abandon_rate: list[list[float]]


def recommend_staffing(
    scenario: Scenario,
    target: Target | str = "80/20",
    *,
    seed: int = 1,
    replications: int = 20,
    max_rounds: int = 8,
) -> Staffing:
    """Agents per interval of ``scenario.days`` (template days, e.g. Monday..Friday).

    Each simulation run replays every template day ``replications`` times with the same
    seed, so successive plans are compared on the same callers.
    """
    goal = Target.parse(target) if isinstance(target, str) else target
    queued, aht = _queue_load(scenario)
    patience = scenario.patience.mean if scenario.patience else None
    plan = [
        [erlang_minimum(iv.calls * queued / (iv.end_s - iv.start_s), aht, patience, goal)
         for iv in day.intervals]
        for day in scenario.days
    ]  # fmt: skip
    erlang = [row[:] for row in plan]
    cells = [(d, i) for d, day in enumerate(scenario.days) for i in range(len(day.intervals))]
    rounds, trimmed = 0, False
    while True:
        sim = _simulated(scenario, plan, goal, seed, replications)
        rounds += 1
        misses = [(d, i) for d, i in cells if sim.service_level[d][i] < goal.level]
        if misses and rounds < max_rounds:
            for d, i in misses:
                plan[d][i] += 1
            continue
        if misses or trimmed or rounds >= max_rounds:
            break
        # One trim pass where the target holds with room to spare; the loop then re-checks
        # and gives an agent back wherever the trim went too far.
        spare = [
            (d, i) for d, i in cells if sim.service_level[d][i] >= goal.level + 0.03
            and plan[d][i] > 1
        ]  # fmt: skip
        if not spare:
            break
        for d, i in spare:
            plan[d][i] -= 1
        trimmed = True
    rows = tuple(
        StaffingRow(
            day=day.label,
            start_s=iv.start_s,
            end_s=iv.end_s,
            calls=iv.calls * queued,
            erlang_agents=erlang[d][i],
            agents=plan[d][i],
            service_level=sim.service_level[d][i],
            asa_s=sim.asa_s[d][i],
            abandon_rate=sim.abandon_rate[d][i],
        )
        for d, i in cells
        for day in (scenario.days[d],)
        for iv in (day.intervals[i],)
    )
    return Staffing(goal, rows, rounds)


def _simulated(
    scenario: Scenario, plan: list[list[int]], goal: Target, seed: int, replications: int
) -> _Simulated:
    """Per template interval: simulated service level, ASA and abandonment rate."""
    staffed = tuple(
        Day(day.label, tuple(_with_total(iv, n) for iv, n in zip(day.intervals, row, strict=True)))
        for day, row in zip(scenario.days, plan, strict=True)
    )
    result = simulate(replace(scenario, days=staffed * replications), seed)
    t = len(staffed)
    width = max(len(day.intervals) for day in staffed)
    template = result.day % t
    slot = np.empty(len(template), dtype=np.int64)
    for d, day in enumerate(staffed):
        mask = template == d
        starts = np.array([iv.start_s for iv in day.intervals])
        slot[mask] = d * width + np.searchsorted(starts, result.arrival[mask], "right") - 1
    o = result.outcomes
    short = ~o.answered & (o.wait < scenario.short_abandon_s)
    late = ~o.answered & ~short
    quick = o.answered & (o.wait <= goal.within_s)

    def per(weights: NDArray[np.generic]) -> NDArray[np.float64]:
        return np.asarray(
            np.bincount(slot, weights=weights.astype(np.float64), minlength=t * width),
            dtype=np.float64,
        )

    answered, n_late, n_quick = per(o.answered), per(late), per(quick)
    incoming = np.bincount(slot, minlength=t * width).astype(np.float64)
    waited = per(np.where(o.answered, o.wait, 0.0))

    def table(
        num: NDArray[np.float64], den: NDArray[np.float64], empty: float
    ) -> list[list[float]]:
        flat = [float(a / b) if b else empty for a, b in zip(num, den, strict=True)]
        return [flat[d * width : d * width + len(day.intervals)] for d, day in enumerate(staffed)]

    return _Simulated(
        service_level=table(n_quick, answered + n_late, 1.0),
        asa_s=table(waited, answered, 0.0),
        abandon_rate=table(n_late, incoming, 0.0),
    )
