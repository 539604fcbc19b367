"""The simulation, Erlang-A and Erlang-C against a real month of a bank's call center.

Every (day, hour) of the log is one input cell: its observed arrivals, its handling times
and its agents (see `bank_agents`). Each model predicts, per cell, the ASA, the share of
answered calls answered within 20 s and the share of calls abandoning; predictions are
pooled per hour of day the same way the observations are, and compared with them.

* The simulation replays the observed arrival instants and draws handling times from the
  cell's own observed ones (from the hour of day's when the cell has fewer than
  ``MIN_SAMPLE``). Callers belong to the log's priority classes, queue under the switch's
  head-start rule and have their class's patience curve (see `bank_routing`).
* Erlang-A gets the cell's rate, mean handling time, agents and the exponential MLE of
  patience; Erlang-C the same without patience. Both have one class of caller, served
  first come, first served: that is what the formulas can take. A fractional head count
  (the presence estimate) is half-way staffing: the sim splits the hour between ⌊n⌋ and
  ⌈n⌉ agents, and the formulas average the two steady states with the same weights.

What is *fitted* — the patience curves, the head starts, the class mix — comes from the
``fit`` days only; the comparison covers the ``check`` days. By default both are the whole
month; `holdout` fits on one half and checks on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity import bank_routing
from kontakt.capacity import patience as estimate
from kontakt.capacity.bank import CallLog
from kontakt.capacity.bank_agents import PROXIES
from kontakt.capacity.distributions import Empirical, Fixed
from kontakt.capacity.erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from kontakt.capacity.scenario import AgentGroup, CallType, Day, Interval, Scenario
from kontakt.capacity.simulation import simulate
from kontakt.capacity.validation_stats import ClassPool, Pool, Validation, summarise

MIN_SAMPLE = 20  # handling times a cell needs before its own sample replaces the hour's
MODELS = ("observed", "sim", "erlang_a", "erlang_c")
Staffing = Literal["servers", "presence"]
# classes: the log's priority classes with their own patience, under the switch's head
# starts; fifo: the same classes served first come, first served; pooled: one class.
Callers = Literal["classes", "fifo", "pooled"]
Days = NDArray[np.bool_]  # a mask over log.dates


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


def _scenario(
    log: CallLog, cells: list[_Cell], routing: bank_routing.Routing, check: Days
) -> Scenario:
    """The check days as a scenario: their arrivals, handling times, agents and callers."""
    kinds = bank_routing.class_index(log, routing)
    several = len(routing.classes) > 1
    days = []
    for d, date in enumerate(log.dates):
        if not check[d]:
            continue
        intervals: list[Interval] = []
        for c in cells[d * 24 : (d + 1) * 24]:
            for iv in _split(c.hour * 3600.0, c.agents):
                intervals.append(
                    Interval(iv.start_s, iv.end_s, 0.0, iv.agents, talk=c.talk,
                             shares=routing.mix_by_hour[c.hour] if several else None)
                )  # fmt: skip
        mine = np.flatnonzero(log.day == d)
        mine = mine[np.argsort(log.arrival[mine], kind="stable")]
        known = kinds[mine] if several else None
        days.append(
            Day(date.isoformat(), tuple(intervals), arrivals=log.arrival[mine], kinds=known)
        )
    call_types = tuple(
        # Every interval brings its own handling times, so the type's talk is a placeholder.
        CallType(f"priority {p}", Fixed(0.0), share=share, head_start_s=head, patience=curve)
        for p, share, head, curve in zip(
            routing.classes, routing.mix, routing.head_starts_s, routing.patience, strict=True
        )
    )
    return Scenario("anonymous-bank-1999-02", call_types, (AgentGroup("agents"),), tuple(days))


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
    fit: Days | None = None,
    check: Days | None = None,
    callers: Callers = "classes",
) -> Validation:
    """Compare the models with the log, per hour of day (hours with ≥ ``min_calls``)."""
    everything = np.ones(len(log.dates), dtype=bool)
    fit = everything if fit is None else fit
    check = everything if check is None else check
    cells = _cells(log, staffing)
    fitted = fit[log.day]
    routing = (bank_routing.pooled if callers == "pooled" else bank_routing.fit)(log, fit)
    if callers == "fifo":
        routing = replace(routing, head_starts_s=(0.0,) * len(routing.classes))
    theta_mean = estimate.exponential_mean(log.wait[fitted], ~log.answered[fitted])
    hour = (log.arrival // 3600).astype(np.int64)
    checked = check[log.day]
    k = len(routing.classes)
    pools = {model: Pool() for model in MODELS}
    by_class = {"observed": ClassPool(k), "sim": ClassPool(k)}
    pools["observed"].add_calls(hour[checked], log.answered[checked], log.wait[checked])
    kinds = bank_routing.class_index(log, routing)
    by_class["observed"].add(kinds[checked], log.answered[checked], log.wait[checked])
    sc = _scenario(log, cells, routing, check)
    for r in range(replications):
        result = simulate(sc, seed + r)
        o = result.outcomes
        pools["sim"].add_calls(o.hour, o.answered, o.wait, weight=1.0 / replications)
        by_class["sim"].add(result.kind, o.answered, o.wait, weight=1.0 / replications)
    for c in cells:
        if c.calls and check[c.day]:
            for model in ("erlang_a", "erlang_c"):
                pools[model].add_expected(c.hour, c.calls, *_blend(c, model, theta_mean))
    mine = [c for c in cells if check[c.day]]
    v = summarise(
        pools,
        staffing=staffing,
        callers=callers,
        agents={h: _mean_agents(mine, h) for h in range(24)},
        aht={h: _mean_aht(log, hour, h, checked) for h in range(24)},
        patience_exp_s=theta_mean,
        patience_km_s=tuple(curve.mean for curve in routing.patience),
        head_starts_s=routing.head_starts_s,
        replications=replications,
        min_calls=min_calls,
        dropped=(log.dropped_phantom, log.dropped_before_queue),
        days=(int(fit.sum()), int(check.sum())),
    )
    return replace(v, classes={m: p.rows() for m, p in by_class.items()}) if k > 1 else v


def _mean_agents(cells: list[_Cell], hour: int) -> float:
    mine = [c.agents for c in cells if c.hour == hour and c.calls]
    return float(np.mean(mine)) if mine else 0.0


def _mean_aht(log: CallLog, hour: NDArray[np.int64], h: int, checked: Days) -> float:
    sample = log.service[log.answered & (hour == h) & checked]
    return float(sample.mean()) if len(sample) else 0.0


@dataclass(frozen=True)
class Holdout:
    fit: str  # which days the patience curves, head starts and class mix came from
    check: str  # which days were compared
    validation: Validation


def holdout(
    log: CallLog,
    *,
    staffing: Staffing = "presence",
    replications: int = 10,
    seed: int = 1,
    min_calls: int = 300,
    callers: Callers = "classes",
) -> list[Holdout]:
    """Each half of the month checked with what was fitted on the other half, and on itself.

    If what is fitted generalises, a half checked with the other half's estimates does
    about as well as with its own. ``min_calls`` shrinks with the days, so that the same
    hours are compared as on the whole month.
    """
    n = len(log.dates)
    first = np.arange(n) < n // 2
    halves = [(_label(log, first), first), (_label(log, ~first), ~first)]
    out = []
    for i, (check_label, check) in enumerate(halves):
        for fit_label, fit in (halves[i], halves[1 - i]):  # in-sample first, then held out
            v = validate(log, staffing=staffing, replications=replications, seed=seed,
                         min_calls=round(min_calls * check.sum() / n), fit=fit, check=check,
                         callers=callers)  # fmt: skip
            out.append(Holdout(fit_label, check_label, v))
    return out


def _label(log: CallLog, days: Days) -> str:
    picked = [d for d, keep in zip(log.dates, days, strict=True) if keep]
    return f"{picked[0]:%b} {picked[0].day}–{picked[-1].day}"
