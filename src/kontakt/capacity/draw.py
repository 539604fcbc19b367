"""Draw one day's calls up front, vectorised: arrivals, call types, handling, patience.

Drawing everything before the event loop keeps Python out of the per-call random draws
and makes a day's calls depend only on its own random stream (so a day can be re-run
alone, in any order, with the same result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.scenario import Day, Scenario

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

# An identified call still needs the broker: the saving never takes a call below this
# share of its own talk time (a saving of 30 s on a 20 s call is not a 0 s call).
MIN_TALK_SHARE = 0.1


@dataclass(frozen=True, eq=False)
class DayCalls:
    """The calls that reach the agents' queues, sorted by arrival."""

    arrival: Floats  # seconds since midnight
    kind: Ints  # index into scenario.call_types
    interval: Ints  # index into day.intervals
    talk: Floats
    service: Floats  # talk + after-call work: how long an agent is busy
    deadline: Floats  # arrival + patience (inf: never hangs up)
    identified: Bools  # the voicebot identified the topic
    bot_served: int  # callers the voicebot served itself; they never queued


def draw_day(scenario: Scenario, day: Day, rng: np.random.Generator) -> DayCalls:
    starts = np.array([iv.start_s for iv in day.intervals])
    if day.arrivals is not None:
        arrival = np.asarray(day.arrivals, dtype=np.float64)
    else:
        counts = rng.poisson([iv.calls for iv in day.intervals])
        arrival = np.sort(
            np.concatenate(
                [
                    rng.uniform(iv.start_s, iv.end_s, n)
                    for iv, n in zip(day.intervals, counts, strict=True)
                ]
            )
            if len(day.intervals)
            else np.empty(0)
        )
    bot = scenario.voicebot
    to_bot = rng.random(len(arrival)) < bot.self_serve_share
    arrival = arrival[~to_bot]
    n = len(arrival)
    interval = np.clip(np.searchsorted(starts, arrival, side="right") - 1, 0, None)
    shares = np.array([c.share for c in scenario.call_types])
    kind = rng.choice(len(shares), size=n, p=shares)
    for i, iv in enumerate(day.intervals):
        if iv.shares is not None:
            mask = interval == i
            kind[mask] = rng.choice(len(shares), size=int(mask.sum()), p=iv.shares)
    if day.kinds is not None:
        known = np.asarray(day.kinds, dtype=np.int64)[~to_bot]
        kind = np.where(known >= 0, known, kind)
    talk = np.empty(n)
    work = np.empty(n)
    for k, call in enumerate(scenario.call_types):
        mask = kind == k
        talk[mask] = call.talk.sample(rng, int(mask.sum()))
        work[mask] = call.after_call_work.sample(rng, int(mask.sum()))
    for i, iv in enumerate(day.intervals):
        if iv.talk is not None:
            mask = interval == i
            talk[mask] = iv.talk.sample(rng, int(mask.sum()))
    identified = rng.random(n) < bot.identify_share
    if bot.handling_saving_s:
        saved = np.maximum(talk - bot.handling_saving_s, MIN_TALK_SHARE * talk)
        talk = np.where(identified, saved, talk)
    deadline = arrival + _patience(scenario, kind, rng)
    return DayCalls(
        arrival=arrival,
        kind=kind.astype(np.int64),
        interval=interval.astype(np.int64),
        talk=talk,
        service=talk + work,
        deadline=deadline,
        identified=identified,
        bot_served=int(to_bot.sum()),
    )


def _patience(scenario: Scenario, kind: Ints, rng: np.random.Generator) -> Floats:
    """Each caller's patience: the call type's own curve if it has one (inf: never hangs up)."""
    n = len(kind)
    out = np.full(n, np.inf) if scenario.patience is None else scenario.patience.sample(rng, n)
    for k, call in enumerate(scenario.call_types):
        if call.patience is not None:
            mask = kind == k
            out[mask] = call.patience.sample(rng, int(mask.sum()))
    return out
