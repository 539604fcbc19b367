"""The simulation, Erlang-A and Erlang-C against a real month of a bank's call center.

Every (day, hour) of the log is one input cell: its observed arrivals, its handling times
and its agents (see `bank_agents`). Each model predicts, per cell, the ASA, the share of
answered calls answered within 20 s and the share of calls abandoning; predictions are
pooled per hour of day the same way the observations are, and compared with them.

* The simulation replays the observed arrival instants, draws handling times from the
  cell's own observed ones (from the hour of day's when the cell has fewer than
  ``MIN_SAMPLE``), and patience from the Kaplan-Meier curve of the whole month.
* Erlang-A gets the cell's rate, mean handling time, agents and the exponential MLE of
  patience; Erlang-C the same without patience. A fractional head count (the presence
  estimate) is half-way staffing: the sim splits the hour between ⌊n⌋ and ⌈n⌉ agents, and
  the formulas average the two steady states with the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity import patience as estimate
from kontakt.capacity.bank import CallLog
from kontakt.capacity.bank_agents import PROXIES
from kontakt.capacity.distributions import Empirical, Fixed
from kontakt.capacity.erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from kontakt.capacity.scenario import AgentGroup, CallType, Day, Interval, Scenario
from kontakt.capacity.simulation import simulate
from kontakt.capacity.validation_stats import Pool, Validation, summarise

MIN_SAMPLE = 20  # handling times a cell needs before its own sample replaces the hour's
MODELS = ("observed", "sim", "erlang_a", "erlang_c")
Staffing = Literal["servers", "presence"]


@dataclass(frozen=True)
class _Cell:
    day: int
    hour: int
    calls: int
    agents: float
    talk: Empirical


def _cells(log: CallLog, staffing: Staffing) -> list[_Cell]:
    agents = PROXIES[staffing](log)
    hour = (log.arrival // 3600).astype(np.int64)
    served = log.answered
    pool_all = Empirical(tuple(log.service[served].tolist()))
    pools: dict[int, Empirical] = {}
    for h in range(24):
        sample = log.service[served & (hour == h)]
        pools[h] = Empirical(tuple(sample.tolist())) if len(sample) else pool_all
    cells = []
    for d in range(len(log.dates)):
        for h in range(24):
            mine = (log.day == d) & (hour == h)
            own = log.service[mine & served]
            talk = Empirical(tuple(own.tolist())) if len(own) >= MIN_SAMPLE else pools[h]
            cells.append(_Cell(d, h, int(mine.sum()), agents.get((d, h), 0.0), talk))
    return cells


def _split(start: float, agents: float) -> list[Interval]:
    """An hour at a fractional head count: ⌈n⌉ agents for the fraction, then ⌊n⌋."""
    low = int(np.floor(agents))
    frac = agents - low
    if frac < 1e-9:
        return [Interval(start, start + 3600, 0.0, (low,))]
    cut = start + frac * 3600
    return [Interval(start, cut, 0.0, (low + 1,)), Interval(cut, start + 3600, 0.0, (low,))]


def _scenario(log: CallLog, cells: list[_Cell]) -> Scenario:
    days = []
    for d, date in enumerate(log.dates):
        intervals: list[Interval] = []
        for c in cells[d * 24 : (d + 1) * 24]:
            for iv in _split(c.hour * 3600.0, c.agents):
                intervals.append(Interval(iv.start_s, iv.end_s, 0.0, iv.agents, talk=c.talk))
        arrivals = np.sort(log.arrival[log.day == d])
        days.append(Day(date.isoformat(), tuple(intervals), arrivals=arrivals))
    km = estimate.kaplan_meier(log.wait, ~log.answered)
    return Scenario(
        name="anonymous-bank-1999-02",
        call_types=(CallType("all", Fixed(0.0)),),  # every interval brings its own talk
        groups=(AgentGroup("agents"),),
        days=tuple(days),
        patience=km,
    )


def _blend(cell: _Cell, model: str, patience_s: float) -> tuple[float, float, float, bool]:
    """(P(abandon), answered within 20 s, ASA × answered) per offered call, and stability."""
    rate, aht = cell.calls / 3600.0, cell.talk.mean
    low = int(np.floor(cell.agents))
    frac = cell.agents - low
    out = np.zeros(3)
    stable = True
    for n, weight in ((low, 1.0 - frac), (low + 1, frac)):
        if weight < 1e-9:
            continue
        m: QueueMetrics
        if model == "erlang_a":
            m = erlang_a_metrics(rate, aht, n, patience_s)
        else:
            m = erlang_c_metrics(rate, aht, n)
        stable &= m.stable
        asa_weighted = (1.0 - m.p_abandon) * m.asa_s if m.stable else 0.0
        out += weight * np.array([m.p_abandon, m.answered_within, asa_weighted])
    return float(out[0]), float(out[1]), float(out[2]), stable


def validate(
    log: CallLog,
    *,
    staffing: Staffing = "servers",
    replications: int = 10,
    seed: int = 1,
    min_calls: int = 300,
) -> Validation:
    """Compare the models with the log, per hour of day (hours with ≥ ``min_calls``)."""
    cells = _cells(log, staffing)
    theta_mean = estimate.exponential_mean(log.wait, ~log.answered)
    pools = {model: Pool() for model in MODELS}
    hour = (log.arrival // 3600).astype(np.int64)
    pools["observed"].add_calls(hour, log.answered, log.wait)
    sc = _scenario(log, cells)
    for r in range(replications):
        result = simulate(sc, seed + r)
        o = result.outcomes
        pools["sim"].add_calls(o.hour, o.answered, o.wait, weight=1.0 / replications)
    for c in cells:
        if not c.calls:
            continue
        for model in ("erlang_a", "erlang_c"):
            p_ab, within, asa_w, stable = _blend(c, model, theta_mean)
            pools[model].add_expected(c.hour, c.calls, p_ab, within, asa_w, stable)
    return summarise(
        pools,
        staffing=staffing,
        agents={h: _mean_agents(cells, h) for h in range(24)},
        aht={h: _mean_aht(log, hour, h) for h in range(24)},
        patience_exp_s=theta_mean,
        patience_km_s=sc.patience.mean if sc.patience else 0.0,
        replications=replications,
        min_calls=min_calls,
        dropped=(log.dropped_phantom, log.dropped_before_queue),
    )


def _mean_agents(cells: list[_Cell], hour: int) -> float:
    mine = [c.agents for c in cells if c.hour == hour and c.calls]
    return float(np.mean(mine)) if mine else 0.0


def _mean_aht(log: CallLog, hour: NDArray[np.int64], h: int) -> float:
    sample = log.service[log.answered & (hour == h)]
    return float(sample.mean()) if len(sample) else 0.0
