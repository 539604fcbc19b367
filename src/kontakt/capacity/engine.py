"""One simulated day on SimPy: arrivals, skill-based routing, staffing changes.

Speed comes from doing per call only what must be done per call. The calendar holds two
events per call (its arrival and, if answered, the end of its handling) plus one per
staffing change. Abandonment needs no event of its own: a caller's hang-up time is known
when it arrives (arrival + patience), so a waiting caller whose deadline has passed is
simply dropped, as abandoned at that deadline, when an agent next looks at the queue.
Nothing else depends on who is waiting, so this is exact, not an approximation.

Agents within a group are interchangeable, so they are not objects: a group is a count of
busy agents and a deque of the times its idle agents became idle. An arriving call goes to
the qualified agent idle the longest; a freed agent takes, among the queues it serves, the
head call with the earliest arrival − head start (the longest-waiting one when no call type
has a head start). Every call type has its own FIFO queue: within one type the head start
is the same for all, so the order within a queue never changes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import cast

import numpy as np
import simpy
from numpy.typing import NDArray

from kontakt.capacity.draw import DayCalls
from kontakt.capacity.scenario import Day, Scenario


@dataclass(frozen=True, eq=False)
class DayResult:
    answered: NDArray[np.bool_]
    wait: NDArray[np.float64]  # to answer, or to hanging up


def run_day(scenario: Scenario, day: Day, calls: DayCalls) -> DayResult:
    groups = scenario.groups
    # Who may take what: groups per call type, call types per group.
    groups_for = [
        [g for g, group in enumerate(groups) if group.serves(call)] for call in scenario.call_types
    ]
    kinds_for = [
        [k for k, call in enumerate(scenario.call_types) if group.serves(call)] for group in groups
    ]
    arrival = calls.arrival.tolist()
    deadline = calls.deadline.tolist()
    service = calls.service.tolist()
    kind = calls.kind.tolist()
    head_start = [call.head_start_s for call in scenario.call_types]
    n = len(arrival)
    answered = [False] * n
    wait = [0.0] * n
    queues: list[deque[int]] = [deque() for _ in scenario.call_types]
    idle: list[deque[float]] = [deque() for _ in groups]
    leaving = [0] * len(groups)  # agents to send home as soon as they finish a call
    env = simpy.Environment()

    def serve(i: int, g: int) -> None:
        answered[i] = True
        wait[i] = env.now - arrival[i]
        simpy.Timeout(env, service[i], g).callbacks.append(finished)

    def take_next(g: int) -> None:
        """Group g has a free agent: give it the longest-waiting call it can take."""
        now = env.now
        best_q: deque[int] | None = None
        best_at = float("inf")
        for k in kinds_for[g]:
            q = queues[k]
            while q and deadline[q[0]] <= now:
                gone = q.popleft()  # hung up before anyone was free
                wait[gone] = deadline[gone] - arrival[gone]
            if q and arrival[q[0]] - head_start[k] < best_at:
                best_q, best_at = q, arrival[q[0]] - head_start[k]
        if best_q is None:
            idle[g].append(now)
        else:
            serve(best_q.popleft(), g)

    def finished(event: simpy.Event) -> None:
        g = cast(int, event.value)
        if leaving[g]:
            leaving[g] -= 1
        else:
            take_next(g)

    def arrive(i: int) -> None:
        best = -1
        best_since = float("inf")
        for g in groups_for[kind[i]]:
            if idle[g] and idle[g][0] < best_since:
                best, best_since = g, idle[g][0]
        if best < 0:
            queues[kind[i]].append(i)
        else:
            idle[best].popleft()
            serve(i, best)

    def arrived(event: simpy.Event) -> None:
        # Each arrival schedules the next one: a chain of plain timeouts is much cheaper
        # than resuming a generator process once per call.
        i = cast(int, event.value)
        if i + 1 < n:
            simpy.Timeout(env, arrival[i + 1] - env.now, i + 1).callbacks.append(arrived)
        arrive(i)

    on_shift = [0] * len(groups)

    def staffing() -> simpy.events.ProcessGenerator:
        for interval in day.intervals:
            yield env.timeout(max(0.0, interval.start_s - env.now))
            for g, target in enumerate(interval.agents):
                change = target - on_shift[g]
                on_shift[g] = target
                # Fewer agents: idle ones leave now, busy ones when their call ends.
                while change < 0 and idle[g]:
                    idle[g].pop()
                    change += 1
                leaving[g] -= min(0, change)
                # More agents: first cancel pending departures, then new agents log in.
                while change > 0 and leaving[g]:
                    leaving[g] -= 1
                    change -= 1
                for _ in range(change):
                    take_next(g)

    env.process(staffing())
    if n:
        simpy.Timeout(env, arrival[0], 0).callbacks.append(arrived)
    env.run()
    # Callers still waiting when no agent is left (a shift with nobody on it) hang up.
    for q in queues:
        for i in q:
            wait[i] = (deadline[i] if deadline[i] < np.inf else env.now) - arrival[i]
    return DayResult(np.array(answered, dtype=bool), np.array(wait, dtype=np.float64))
