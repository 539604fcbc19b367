"""Pooling observed and predicted calls per hour of day, and the errors between them.

Shares are pooled, not averaged: an hour's abandonment is all abandoned calls of that hour
over the month ÷ all its calls, for the data and for every model alike. Abandonment here
counts every hang-up in the queue, short ones included, because that is what Erlang-A's
P(abandon) is; its base is the calls that reached the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

HOURS = 24
PREDICTORS = ("sim", "erlang_a", "erlang_c")


@dataclass
class Pool:
    calls: NDArray[np.float64] = field(default_factory=lambda: np.zeros(HOURS))
    answered: NDArray[np.float64] = field(default_factory=lambda: np.zeros(HOURS))
    abandoned: NDArray[np.float64] = field(default_factory=lambda: np.zeros(HOURS))
    within: NDArray[np.float64] = field(default_factory=lambda: np.zeros(HOURS))
    waited: NDArray[np.float64] = field(default_factory=lambda: np.zeros(HOURS))
    unstable: NDArray[np.int64] = field(default_factory=lambda: np.zeros(HOURS, dtype=np.int64))

    def add_calls(
        self,
        hour: NDArray[np.int64],
        answered: NDArray[np.bool_],
        wait: NDArray[np.float64],
        *,
        weight: float = 1.0,
        within_s: float = 20.0,
    ) -> None:
        """Per-call outcomes (observed, or one simulation run weighted 1/replications)."""
        h = np.clip(hour, 0, HOURS - 1)  # a call queued past midnight belongs to 23:00

        def count(values: NDArray[np.generic]) -> NDArray[np.float64]:
            sums = np.bincount(h, weights=values.astype(np.float64), minlength=HOURS)
            return np.asarray(weight * sums, dtype=np.float64)

        self.calls += count(np.ones(len(h)))
        self.answered += count(answered)
        self.abandoned += count(~answered)
        self.within += count(answered & (wait <= within_s))
        self.waited += count(np.where(answered, wait, 0.0))

    def add_expected(
        self, hour: int, calls: float, p_abandon: float, within: float, asa_w: float, stable: bool
    ) -> None:
        """A formula's per-call expectations for one cell of ``calls`` arrivals."""
        self.calls[hour] += calls
        self.answered[hour] += calls * (1.0 - p_abandon)
        self.abandoned[hour] += calls * p_abandon
        self.within[hour] += calls * within
        self.waited[hour] += calls * asa_w
        self.unstable[hour] += int(not stable)

    def figures(self, hours: slice | list[int]) -> Figures:
        answered = float(self.answered[hours].sum())
        calls = float(self.calls[hours].sum())
        unstable = int(self.unstable[hours].sum())
        return Figures(
            asa_s=math.inf if unstable else _div(float(self.waited[hours].sum()), answered),
            within_20=_div(float(self.within[hours].sum()), answered),
            abandon=_div(float(self.abandoned[hours].sum()), calls),
            unstable_cells=unstable,
        )


class ClassPool:
    """Queued callers per priority class: those who waited at all or hung up.

    Only for them is the class known in the log (see `bank_routing`), and only for them
    does it matter, so the observed and simulated callers are compared on that footing.
    """

    def __init__(self, classes: int) -> None:
        self.classes = classes
        self.queued = np.zeros(classes)
        self.answered = np.zeros(classes)
        self.waited = np.zeros(classes)

    def add(
        self,
        kind: NDArray[np.int64],
        answered: NDArray[np.bool_],
        wait: NDArray[np.float64],
        *,
        weight: float = 1.0,
    ) -> None:
        """Per-call outcomes; kind -1 (class unknown: never queued in the log) is skipped."""
        queued = ((wait > 0) | ~answered) & (kind >= 0)
        k = kind[queued]
        served = answered[queued]

        def count(values: NDArray[np.generic]) -> NDArray[np.float64]:
            sums = np.bincount(k, weights=values.astype(np.float64), minlength=self.classes)
            return np.asarray(weight * sums, dtype=np.float64)

        self.queued += count(np.ones(len(k)))
        self.answered += count(served)
        self.waited += count(np.where(served, wait[queued], 0.0))

    def rows(self) -> tuple[ClassFigures, ...]:
        return tuple(
            ClassFigures(
                queued=float(q),
                asa_s=_div(float(w), float(a)),
                abandon=_div(float(q - a), float(q)),
            )
            for q, a, w in zip(self.queued, self.answered, self.waited, strict=True)
        )


@dataclass(frozen=True)
class ClassFigures:
    queued: float  # callers who waited or hung up (simulation: mean over the runs)
    asa_s: float  # their mean wait when answered
    abandon: float  # the share of them who hung up


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True)
class Figures:
    asa_s: float  # inf: Erlang-C had an overloaded cell (its queue grows without end)
    within_20: float  # share of answered calls answered within 20 s
    abandon: float  # share of calls reaching the queue that hung up in it
    unstable_cells: int = 0


@dataclass(frozen=True)
class HourComparison:
    hour: int | None  # None: the whole month
    calls: int
    answered: int  # observed
    aht_s: float
    agents: float  # mean staffing input over the days with calls in that hour
    figures: dict[str, Figures]


@dataclass(frozen=True)
class Errors:
    """Mean over the table's hours (each hour counts once), and on the month's totals."""

    abandon_mae_pts: float
    asa_mape: float  # mean |model − observed| ÷ observed, over hours where it is finite
    # The same, each hour weighted by its observed answered calls: busy hours count more.
    asa_weighted: float
    asa_infinite_hours: int
    within_20_mae_pts: float
    abandon_total_pts: float  # model − observed on the whole month
    asa_total_rel: float  # (model − observed) ÷ observed on the whole month


@dataclass(frozen=True)
class Validation:
    staffing: str
    callers: str  # classes, fifo or pooled (see validation.Callers)
    rows: tuple[HourComparison, ...]
    total: HourComparison
    errors: dict[str, Errors]
    patience_exp_s: float
    patience_km_s: tuple[float, ...]  # mean of each priority class's curve
    head_starts_s: tuple[float, ...]  # per priority class
    replications: int
    min_calls: int
    dropped: tuple[int, int]  # PHANTOM rows, hang-ups before the queue
    days: tuple[int, int]  # days fitted on, days checked
    # Per priority class, the queued callers: observed and simulated (empty if pooled).
    classes: dict[str, tuple[ClassFigures, ...]] = field(default_factory=dict)


def summarise(
    pools: dict[str, Pool],
    *,
    staffing: str,
    callers: str,
    agents: dict[int, float],
    aht: dict[int, float],
    patience_exp_s: float,
    patience_km_s: tuple[float, ...],
    head_starts_s: tuple[float, ...],
    replications: int,
    min_calls: int,
    dropped: tuple[int, int],
    days: tuple[int, int],
) -> Validation:
    observed = pools["observed"]
    hours = [h for h in range(HOURS) if observed.calls[h] >= min_calls]
    rows = tuple(
        HourComparison(
            h, int(observed.calls[h]), int(observed.answered[h]), aht[h], agents[h],
            {m: p.figures([h]) for m, p in pools.items()},
        )
        for h in hours
    )  # fmt: skip
    everything = slice(0, HOURS)
    served = observed.answered.sum()
    total = HourComparison(
        None,
        int(observed.calls.sum()),
        int(observed.answered.sum()),
        sum(aht[h] * observed.answered[h] for h in range(HOURS)) / served if served else 0.0,
        _div(sum(agents[h] * observed.calls[h] for h in range(HOURS)), observed.calls.sum()),
        {m: p.figures(everything) for m, p in pools.items()},
    )
    errors = {m: _errors(rows, total, m) for m in PREDICTORS if m in pools}
    return Validation(
        staffing, callers, rows, total, errors, patience_exp_s, patience_km_s, head_starts_s,
        replications, min_calls, dropped, days,
    )  # fmt: skip


def _errors(rows: tuple[HourComparison, ...], total: HourComparison, model: str) -> Errors:
    ab = [abs(r.figures[model].abandon - r.figures["observed"].abandon) for r in rows]
    w20 = [abs(r.figures[model].within_20 - r.figures["observed"].within_20) for r in rows]
    finite = [
        r for r in rows if math.isfinite(r.figures[model].asa_s) and r.figures["observed"].asa_s
    ]
    asa = [
        abs(r.figures[model].asa_s - r.figures["observed"].asa_s) / r.figures["observed"].asa_s
        for r in finite
    ]
    answered = [r.answered for r in finite]
    infinite = sum(not math.isfinite(r.figures[model].asa_s) for r in rows)
    got, seen = total.figures[model], total.figures["observed"]
    return Errors(
        abandon_mae_pts=100 * float(np.mean(ab)) if ab else 0.0,
        asa_mape=float(np.mean(asa)) if asa else math.inf,
        asa_weighted=float(np.average(asa, weights=answered)) if asa else math.inf,
        asa_infinite_hours=infinite,
        within_20_mae_pts=100 * float(np.mean(w20)) if w20 else 0.0,
        abandon_total_pts=100 * (got.abandon - seen.abandon),
        asa_total_rel=(got.asa_s - seen.asa_s) / seen.asa_s if seen.asa_s else 0.0,
    )
