"""Erlang-C (M/M/n) and Erlang-A (Palm's M/M/n+M) steady-state formulas.

Both take one stationary interval: Poisson arrivals at ``rate`` per second, exponential
handling with mean ``aht_s`` and ``agents`` servers; Erlang-A adds exponential patience with
mean ``patience_s``. Every result uses the report's definitions (../shared/reference/
metrics.md): ASA is the mean wait of *answered* calls, and the service level is "answered
within T ÷ (answered + abandoned after the short-abandon threshold)".

Numerics. Erlang-B comes from its stable recursion, never from factorials. Erlang-A's
queue weights q_m = Π_{k=1..m} λ/(nμ+kθ) are summed in log space, so an overloaded
interval with very patient callers (thousands of waiting places) neither overflows nor
needs a closed form in incomplete gamma functions. The wait of a caller who finds m
others waiting is a sum of exponential stages with rates nμ+kθ; its distribution at a
fixed time is computed by uniformisation of that pure-death chain, which only ever adds
non-negative numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state figures of one interval; shares are fractions of offered calls."""

    offered_load: float  # Erlangs, λ × AHT
    p_wait: float  # an arriving call finds every agent busy
    p_abandon: float
    asa_s: float  # mean wait of answered calls (inf when Erlang-C is unstable)
    mean_wait_s: float  # mean time in queue of all calls, answered or abandoned
    answered_within: float  # answered with wait ≤ T, as a share of offered calls
    abandoned_short: float  # abandoned with wait ≤ the short-abandon threshold
    occupancy: float  # busy agents ÷ agents
    stable: bool = True  # False: Erlang-C with load ≥ agents (the queue grows without end)

    @property
    def served_within(self) -> float:
        """Share of *answered* calls answered within T (the bank log's "≤ 20 s")."""
        answered = 1.0 - self.p_abandon
        return self.answered_within / answered if answered > 0 else 0.0

    @property
    def service_level(self) -> float:
        """Answered within T ÷ (answered + abandoned after the short-abandon threshold)."""
        base = 1.0 - self.abandoned_short
        return self.answered_within / base if base > 0 else 0.0


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/n/n, by the recursion 1/B_k = 1 + (k/A)/B_{k-1}."""
    if agents < 0:
        raise ValueError("agents must be ≥ 0")
    if load <= 0:
        return 1.0 if agents == 0 else 0.0
    inv = 1.0
    for k in range(1, agents + 1):
        inv = 1.0 + inv * k / load
        if math.isinf(inv):
            return 0.0
    return 1.0 / inv


def erlang_c(agents: int, load: float) -> float:
    """Probability of waiting in M/M/n (1.0 when load ≥ agents: every call waits)."""
    if load <= 0:
        return 0.0
    if load >= agents:
        return 1.0
    b = erlang_b(agents, load)
    rho = load / agents
    return b / (1.0 - rho * (1.0 - b))


def _check(rate: float, aht_s: float, agents: int) -> None:
    if rate < 0 or aht_s <= 0 or agents < 0:
        raise ValueError("need rate ≥ 0, aht_s > 0 and agents ≥ 0")


def erlang_c_metrics(
    rate: float, aht_s: float, agents: int, *, answer_within_s: float = 20.0
) -> QueueMetrics:
    """M/M/n without abandonment; an overloaded interval is reported as unstable."""
    _check(rate, aht_s, agents)
    load = rate * aht_s
    if load >= agents and load > 0:
        return QueueMetrics(load, 1.0, 0.0, math.inf, math.inf, 0.0, 0.0, 1.0, stable=False)
    if load == 0:
        return QueueMetrics(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    c = erlang_c(agents, load)
    drain = agents / aht_s - rate  # nμ − λ: the rate at which the queue's excess empties
    asa = c / drain
    within = 1.0 - c * math.exp(-drain * answer_within_s)
    return QueueMetrics(load, c, 0.0, asa, asa, within, 0.0, load / agents)


def erlang_a_metrics(
    rate: float,
    aht_s: float,
    agents: int,
    patience_s: float,
    *,
    answer_within_s: float = 20.0,
    short_abandon_s: float = 5.0,
) -> QueueMetrics:
    """M/M/n+M (Palm/Erlang-A): callers give up after an exponential patience."""
    _check(rate, aht_s, agents)
    if patience_s <= 0:
        raise ValueError("patience_s must be > 0")
    load = rate * aht_s
    if load == 0:
        return QueueMetrics(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    nmu = agents / aht_s
    theta = 1.0 / patience_s
    p_wait, w = _waiting_weights(rate, nmu, theta, erlang_b(agents, load))
    m1 = np.arange(1, len(w) + 1, dtype=np.float64)  # m + 1: the caller and those ahead
    r_next = nmu + m1 * theta  # r_{m+1}: served before giving up w.p. nμ / r_{m+1}
    p_served_m = np.divide(nmu, r_next)
    p_abandon = min(1.0, float((w * (1.0 - p_served_m)).sum()))  # rounding can pass 1
    # E[W; served | m] = (nμ / r_{m+1}) Σ_{k=1..m+1} 1/(nμ + kθ)  (derivative of the LST at θ)
    harmonic = np.cumsum(1.0 / r_next)
    wait_served = float((w * p_served_m * harmonic).sum())
    answered = 1.0 - p_abandon
    asa = wait_served / answered if answered > 0 else 0.0
    # Tilting the wait density by e^{-θv} (the chance patience outlasts it) shifts every
    # stage rate by θ: P(served, V ≤ t | m) = (nμ/r_{m+1}) P(Σ_{k=1..m+1} Exp(nμ+kθ) ≤ t).
    served_by = _absorbed_by(answer_within_s, r_next)
    answered_within = (1.0 - p_wait) + float((w * p_served_m * served_by).sum())
    # Abandoned with wait ≤ T: P(τ ≤ T, τ < V) = (1 − e^{−θT}) − P(V<τ, V≤T) + e^{−θT} P(V≤T).
    t = short_abandon_s
    decay = math.exp(-theta * t)
    offered_by = _absorbed_by(t, nmu + (m1 - 1.0) * theta)  # V = Σ_{k=0..m} Exp(nμ+kθ)
    served_short = p_served_m * _absorbed_by(t, r_next)
    abandoned_short = float((w * ((1.0 - decay) - served_short + decay * offered_by)).sum())
    occupancy = min(1.0, load * answered / agents) if agents else 0.0
    return QueueMetrics(
        offered_load=load,
        p_wait=p_wait,
        p_abandon=p_abandon,
        asa_s=asa,
        mean_wait_s=p_abandon * patience_s,  # P(Ab) = θ E[W] for exponential patience
        answered_within=answered_within,
        abandoned_short=max(0.0, abandoned_short),
        occupancy=occupancy,
    )


def erlang_a_abandon_asa(
    rate: float, aht_s: float, agents: int, patience_s: float
) -> tuple[float, float]:
    """Only P(abandon) and ASA of Erlang-A: a tenth of the cost, for calibration loops."""
    _check(rate, aht_s, agents)
    if rate == 0:
        return 0.0, 0.0
    nmu, theta = agents / aht_s, 1.0 / patience_s
    _, w = _waiting_weights(rate, nmu, theta, erlang_b(agents, rate * aht_s))
    r_next = nmu + np.arange(1, len(w) + 1, dtype=np.float64) * theta
    p_served_m = nmu / r_next
    p_abandon = min(1.0, float((w * (1.0 - p_served_m)).sum()))
    wait_served = float((w * p_served_m * np.cumsum(1.0 / r_next)).sum())
    answered = 1.0 - p_abandon
    return p_abandon, (wait_served / answered if answered > 0 else 0.0)


def _waiting_weights(rate: float, nmu: float, theta: float, b: float) -> tuple[float, Floats]:
    """P(W>0) and P(an arrival finds m callers waiting) for m = 0..M, from Erlang-B ``b``."""
    log_q = _log_queue_weights(rate, nmu, theta)
    top = float(log_q.max())
    log_a = top + math.log(float(np.exp(log_q - top).sum()))  # log Σ q_m
    if b <= 0:
        return 0.0, np.zeros(len(log_q))
    # P(W>0) = AB / (1 + (A−1)B), rearranged so that huge A or tiny B cannot overflow.
    p_wait = 1.0 / (1.0 + (1.0 / b - 1.0) * math.exp(-log_a))
    return p_wait, p_wait * np.exp(log_q - log_a)


def _log_queue_weights(rate: float, nmu: float, theta: float) -> Floats:
    """log q_m for m = 0..M, with M past the peak and the tail below e^-40 of the peak."""
    peak = max(0.0, (rate - nmu) / theta)
    size = int(peak) + 64
    while True:
        k = np.arange(1, size, dtype=np.float64)
        log_q = np.concatenate(([0.0], np.cumsum(np.log(rate) - np.log(nmu + k * theta))))
        # Past the peak the ratio λ/(nμ+kθ) only falls, so a small last term bounds the tail.
        if log_q[-1] < log_q.max() - 40.0:
            return log_q
        size *= 2


def _absorbed_by(t: float, rates: Floats) -> Floats:
    """P(Σ_{j=1..L} Exp(rates[j-1]) ≤ t) for every L = 1..len(rates), by uniformisation.

    The sum is the time a pure-death chain started at level L needs to reach 0 when it
    leaves level j at ``rates[j-1]``; uniformising at the largest rate turns it into a
    Poisson-weighted random walk whose absorption probabilities only add non-negatives.
    """
    top = float(rates.max()) if len(rates) else 0.0
    if t <= 0 or top <= 0:
        return np.zeros(len(rates))
    mean = top * t
    steps = int(mean + 12.0 * math.sqrt(mean) + 20)
    jump = rates / top
    stay = 1.0 - jump
    u = np.zeros(len(rates))  # P(absorbed within k jumps), start levels 1..L
    # Poisson weights in log space: e^-mean may underflow, the weights near the mode never do.
    log_pk = -mean
    total = math.exp(log_pk) * u
    for k in range(1, steps + 1):
        below = np.concatenate(([1.0], u[:-1]))
        u = jump * below + stay * u
        log_pk += math.log(mean) - math.log(k)
        total += math.exp(log_pk) * u
    return np.asarray(np.clip(total, 0.0, 1.0), dtype=np.float64)
