"""Find the staffing and patience that reproduce the seed's 2021 efficiency and ASA.

Two targets (88.49 % answered, 1:08 ASA), two unknowns: β of the square-root staffing rule
(how generously each interval is staffed) and the callers' mean patience. Erlang-A, per
interval and stationary, is cheap and smooth, so it finds the starting point and the
Jacobian; the simulation, which also sees the queue carried from one hour into the next,
the empty morning and the real talk-time spread, then corrects the point by Newton steps
that use the simulated residual with the Erlang-A Jacobian. Common random numbers (the
same seed every step) keep the simulated residual from jumping between steps.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity import poznan
from kontakt.capacity.erlang import erlang_a_abandon_asa
from kontakt.capacity.kpi import Kpis
from kontakt.capacity.simulation import simulate

Vector = NDArray[np.float64]
TARGET = (1.0 - poznan.EFFICIENCY, poznan.ASA_S)  # (share not answered, ASA)
# A residual is small enough when efficiency is within 0.1 point and ASA within 0.5 s.
TOLERANCE = (0.001, 0.5)
STEP = 0.05  # finite differences in β and in log patience


COARSE_STEP = 4
RUNS_PER_PHASE = 3


@dataclass(frozen=True)
class Calibration:
    beta: float
    patience_s: float
    efficiency: float  # what the last simulation check gave
    asa_s: float
    runs: int  # simulation runs used
    every_nth_day: int  # the days of that last check
    kpis: Kpis  # of that last check, with the voicebot


def _cells() -> Counter[float]:
    """Offered-rate cells of the year (calls/s with the voicebot), with their counts."""
    cells: Counter[float] = Counter()
    for _, rows in poznan.interval_loads():
        for start, end, calls in rows:
            cells[round(calls / (end - start), 9)] += 1
    return cells


def analytic(x: Vector, cells: Counter[float]) -> Vector:
    """(1 − efficiency, ASA) of the year by Erlang-A, interval by interval."""
    beta, patience = float(x[0]), math.exp(float(x[1]))
    offered = answered = waited = 0.0
    for rate, count in cells.items():
        n = poznan.sqrt_staffing(rate * poznan.AHT_S, beta)
        p_ab, asa = erlang_a_abandon_asa(rate, poznan.AHT_S, n, patience)
        offered += count * rate
        answered += count * rate * (1.0 - p_ab)
        waited += count * rate * (1.0 - p_ab) * asa
    return np.array([1.0 - answered / offered, waited / answered])


def _jacobian(x: Vector, cells: Counter[float]) -> Vector:
    here = analytic(x, cells)
    cols = [(analytic(x + STEP * e, cells) - here) / STEP for e in np.eye(2)]
    return np.asarray(np.column_stack(cols), dtype=np.float64)


def _newton(x: Vector, residual: Vector, jac: Vector) -> Vector:
    step = np.linalg.solve(jac, -residual)
    # Damped: never move β by more than 0.5 or patience by more than ×/÷ 1.6 at once.
    return np.asarray(x + np.clip(step, -0.5, 0.5), dtype=np.float64)


def _solve_analytic(cells: Counter[float]) -> Vector:
    x = np.array([0.0, math.log(600.0)])
    for _ in range(30):
        residual = analytic(x, cells) - np.array(TARGET)
        if np.all(np.abs(residual) < np.array(TOLERANCE) / 4):
            break
        x = _newton(x, residual, _jacobian(x, cells))
    return x


def calibrate(
    seed: int = 1,
    *,
    every_nth_day: int = 1,
    assumptions: poznan.Assumptions | None = None,
) -> Calibration:
    """Erlang-A start, then simulation-checked Newton steps.

    The first steps run on every ``COARSE_STEP``-th working day (a quarter of the time,
    the same mix of months and weekdays); the point they find is then checked, and if
    need be corrected, on every ``every_nth_day``-th day: the days that will be reported.
    """
    cells = _cells()
    x = _solve_analytic(cells)
    phases = [max(COARSE_STEP, every_nth_day)]
    if every_nth_day < COARSE_STEP:
        phases.append(every_nth_day)
    runs = 0
    for step in phases:
        for attempt in range(RUNS_PER_PHASE):
            beta, patience = float(x[0]), math.exp(float(x[1]))
            sc = poznan.scenario(beta, patience, every_nth_day=step, assumptions=assumptions)
            kpis = simulate(sc, seed).kpis()
            runs += 1
            residual = np.array([1.0 - kpis.efficiency, kpis.asa_s]) - np.array(TARGET)
            if np.all(np.abs(residual) < TOLERANCE) or attempt == RUNS_PER_PHASE - 1:
                break
            x = _newton(x, residual, _jacobian(x, cells))
    return Calibration(
        beta=float(x[0]),
        patience_s=math.exp(float(x[1])),
        efficiency=kpis.efficiency,
        asa_s=kpis.asa_s,
        runs=runs,
        every_nth_day=step,
        kpis=kpis,
    )
