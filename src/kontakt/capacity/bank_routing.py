"""What the bank log reveals about its callers and its switch, estimated on a set of days.

The log's ``priority`` field (0, 1, 2) splits the calls that queued into three classes that
behave very differently, and the validation needs three things from it, each estimated
from the log alone (and so from any subset of its days, for a held-out check):

* **Head starts.** The switch did not serve the queue first come, first served. Among pairs
  of answered callers where the second arrived while the first was still waiting, a
  priority-2 caller was answered first when the other (priority 1) had arrived less than
  about 90 s earlier and almost never when more, and likewise one level down: the switch
  served the earliest arrival − head start, with about 90 s of head start per level. The
  head starts are the ones that reproduce the most of those pairwise orders.
* **The class of a caller who queues.** The bank labels almost every call that reached a
  free agent at once priority 0 (the label seems to be set on entering the queue), so a
  call's label is known only if it queued. A replayed call that queues in the simulation
  but did not in the log gets a class drawn from that hour's mix of queued calls.
* **Patience per class.** Kaplan-Meier assumes that when a caller is answered (censored)
  says nothing about their patience. Pooled over the classes this fails: priority-2
  callers are answered sooner *and* are more patient. So each class gets its own curve.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity import patience as estimate
from kontakt.capacity.bank import CallLog
from kontakt.capacity.distributions import Survival

GRID_S = np.arange(0.0, 605.0, 5.0)  # head starts tried, 0 to 10 minutes in 5 s steps
MIN_QUEUED = 100  # queued calls an hour needs before its own class mix replaces the month's


@dataclass(frozen=True)
class Routing:
    classes: tuple[int, ...]  # the priority values, in increasing order
    head_starts_s: tuple[float, ...]  # per class
    agreement: float  # share of the cross-class pairwise orders the head starts reproduce
    mix: tuple[float, ...]  # class shares of all queued calls
    mix_by_hour: dict[int, tuple[float, ...]]  # the same per hour of day
    patience: tuple[Survival, ...]  # per class, over the calls that queued


def fit(log: CallLog, days: NDArray[np.bool_] | None = None) -> Routing:
    """Estimate the routing from the calls of ``days`` (a mask over log.dates; all: None)."""
    use = np.ones(len(log.dates), dtype=bool) if days is None else days
    mine = use[log.day] & log.queued
    classes = tuple(int(c) for c in np.unique(log.priority[log.queued]))
    index = np.searchsorted(classes, log.priority)
    heads, agreement = _head_starts(log, mine, index, len(classes))
    hour = (log.arrival // 3600).astype(np.int64)
    mix = _shares(index[mine], len(classes))
    by_hour = {}
    for h in range(24):
        sample = index[mine & (hour == h)]
        by_hour[h] = _shares(sample, len(classes)) if len(sample) >= MIN_QUEUED else mix
    curves = tuple(
        estimate.kaplan_meier(log.wait[mine & (index == k)], ~log.answered[mine & (index == k)])
        for k in range(len(classes))
    )
    return Routing(classes, heads, agreement, mix, by_hour, curves)


def pooled(log: CallLog, days: NDArray[np.bool_] | None = None) -> Routing:
    """One class of caller, first come, first served, one patience curve for all: the
    model before the classes (kept to show what the classes change)."""
    use = np.ones(len(log.dates), dtype=bool) if days is None else days
    mine = use[log.day]
    curve = estimate.kaplan_meier(log.wait[mine], ~log.answered[mine])
    return Routing((0,), (0.0,), 1.0, (1.0,), {h: (1.0,) for h in range(24)}, (curve,))


def class_index(log: CallLog, routing: Routing) -> NDArray[np.int64]:
    """Each call's class, or -1 for the calls that never queued (their label means nothing)."""
    if len(routing.classes) == 1:
        return np.zeros(len(log.priority), dtype=np.int64)
    index = np.searchsorted(routing.classes, log.priority).astype(np.int64)
    return np.where(log.queued, index, -1)


def _shares(index: NDArray[np.int64], k: int) -> tuple[float, ...]:
    counts = np.bincount(index, minlength=k).astype(np.float64)
    return tuple(float(x) for x in counts / counts.sum())


def _pairs(
    log: CallLog, mine: NDArray[np.bool_], index: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.bool_]]:
    """(later class, earlier class, arrival gap, later answered first) for answered pairs.

    A pair is two answered callers of different classes where the later one arrived while
    the earlier one was still waiting: exactly the moments where the switch had to choose.
    """
    later, earlier, gap, first = [], [], [], []
    served = mine & log.answered
    for d in np.unique(log.day[served]):
        sel = np.flatnonzero(served & (log.day == d))
        sel = sel[np.argsort(log.arrival[sel], kind="stable")]
        arrival, answer, cls = log.arrival[sel], log.arrival[sel] + log.wait[sel], index[sel]
        for i in range(1, len(sel)):
            j = np.flatnonzero((answer[:i] > arrival[i]) & (cls[:i] != cls[i]))
            later.append(np.full(len(j), cls[i]))
            earlier.append(cls[j])
            gap.append(arrival[i] - arrival[j])
            first.append(answer[j] > answer[i])
    if not later:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    return (
        np.concatenate(later).astype(np.int64),
        np.concatenate(earlier).astype(np.int64),
        np.concatenate(gap).astype(np.float64),
        np.concatenate(first).astype(np.bool_),
    )


def _head_starts(
    log: CallLog, mine: NDArray[np.bool_], index: NDArray[np.int64], k: int
) -> tuple[tuple[float, ...], float]:
    """The non-decreasing head starts (class 0: none) that get the most pair orders right.

    Under a head-start rule the later caller goes first exactly when the gap between the
    arrivals is below the difference of the two head starts. A grid search is enough: the
    grid is small and the agreement is a step function, so gradients would not help.
    """
    later, earlier, gap, first = _pairs(log, mine, index)
    if not len(gap) or k == 1:
        return (0.0,) * k, 1.0
    best, best_score = (0.0,) * k, -1.0
    for combo in itertools.combinations_with_replacement(GRID_S, k - 1):
        heads = np.array((0.0, *combo))
        score = float(((gap < heads[later] - heads[earlier]) == first).mean())
        if score > best_score:
            best, best_score = tuple(float(h) for h in heads), score
    return best, best_score
