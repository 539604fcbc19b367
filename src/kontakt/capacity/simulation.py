"""Run a scenario day by day and collect the per-call outcomes.

Days are independent: the office closes, the queue drains, and the next morning starts
empty. Each day draws from its own random stream, derived from (seed, day number), so a
run is reproducible and any day can be re-run alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.draw import draw_day
from kontakt.capacity.engine import run_day
from kontakt.capacity.kpi import Kpis, Outcomes, summarise
from kontakt.capacity.scenario import Scenario


@dataclass(frozen=True, eq=False)
class SimResult:
    scenario: Scenario
    seed: int
    day: NDArray[np.int64]  # index into scenario.days, per call
    arrival: NDArray[np.float64]  # seconds since that day's midnight
    kind: NDArray[np.int64]  # index into scenario.call_types
    outcomes: Outcomes
    voicebot_served: int

    def kpis(self) -> Kpis:
        by_hour, agent_seconds = scheduled_agents(self.scenario)
        return summarise(
            self.outcomes,
            agents_by_hour=by_hour,
            agent_seconds=agent_seconds,
            voicebot_served=self.voicebot_served,
            answer_within_s=self.scenario.answer_within_s,
            short_abandon_s=self.scenario.short_abandon_s,
        )


def simulate(scenario: Scenario, seed: int = 0) -> SimResult:
    if not scenario.days:
        raise ValueError("a scenario needs at least one day")
    parts: dict[str, list[NDArray[Any]]] = defaultdict(list)
    bot = 0
    for d, day in enumerate(scenario.days):
        rng = np.random.default_rng([seed, d])
        calls = draw_day(scenario, day, rng)
        result = run_day(scenario, day, calls)
        parts["day"].append(np.full(len(calls.arrival), d, dtype=np.int64))
        parts["arrival"].append(calls.arrival)
        parts["kind"].append(calls.kind)
        parts["answered"].append(result.answered)
        parts["wait"].append(result.wait)
        parts["talk"].append(calls.talk)
        parts["service"].append(calls.service)
        parts["identified"].append(calls.identified)
        bot += calls.bot_served
    col = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    outcomes = Outcomes(
        hour=(col["arrival"] // 3600).astype(np.int64),
        answered=col["answered"],
        wait=col["wait"],
        talk=col["talk"],
        service=col["service"],
        identified=col["identified"],
    )
    return SimResult(scenario, seed, col["day"], col["arrival"], col["kind"], outcomes, bot)


def scheduled_agents(scenario: Scenario) -> tuple[dict[int, float], float]:
    """Mean agents per hour of day over the time it is staffed, and total agent-seconds."""
    agent_time: dict[int, float] = defaultdict(float)
    open_time: dict[int, float] = defaultdict(float)
    total = 0.0
    for day in scenario.days:
        for iv in day.intervals:
            heads = sum(iv.agents)
            total += heads * (iv.end_s - iv.start_s)
            h = int(iv.start_s // 3600)
            while h * 3600 < iv.end_s:
                overlap = min(iv.end_s, (h + 1) * 3600) - max(iv.start_s, h * 3600)
                if overlap > 0:
                    agent_time[h] += heads * overlap
                    open_time[h] += overlap
                h += 1
    return {h: agent_time[h] / open_time[h] for h in sorted(open_time)}, total
