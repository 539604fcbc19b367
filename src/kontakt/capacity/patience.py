"""Caller patience estimated from queue waits, where answered callers are censored.

A caller who hung up after waiting w had patience w; a caller answered after w had
patience longer than w (censored). Two estimators, both standard for call-center logs:

* exponential MLE: abandonments ÷ total time spent waiting. It equals the ratio
  P(abandon) ÷ E[wait] that Mandelbaum & Zeltyn use for Erlang-A, and it is what
  Erlang-A (which can only take an exponential patience) gets.
* Kaplan-Meier: the whole survival curve, for the simulation, which can take any patience
  distribution. Beyond the longest observed abandonment it continues as the exponential.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.distributions import Survival


def exponential_mean(wait: NDArray[np.float64], abandoned: NDArray[np.bool_]) -> float:
    """Mean patience (s) of the exponential fit: Σ waits ÷ number of abandonments."""
    events = int(abandoned.sum())
    if events == 0:
        raise ValueError("no abandonments: patience cannot be estimated")
    return float(wait.sum()) / events


def kaplan_meier(wait: NDArray[np.float64], abandoned: NDArray[np.bool_]) -> Survival:
    """Product-limit estimate S(t) = Π_{t_i ≤ t} (1 − d_i / r_i) over abandonment times t_i.

    r_i counts callers still waiting at t_i; a caller answered at exactly t_i is counted at
    risk there (the usual convention: censoring after the events of the same instant).
    """
    order = np.argsort(wait, kind="stable")
    w, ab = wait[order], abandoned[order]
    times, first = np.unique(w, return_index=True)
    deaths = np.add.reduceat(ab.astype(np.int64), first)
    at_risk = len(w) - first
    keep = deaths > 0
    times, deaths, at_risk = times[keep], deaths[keep], at_risk[keep]
    if not len(times):
        raise ValueError("no abandonments: patience cannot be estimated")
    survival = np.cumprod(1.0 - deaths / at_risk)
    return Survival(
        times=tuple(float(t) for t in times),
        survival=tuple(float(s) for s in survival),
        tail_mean_s=exponential_mean(wait, abandoned),
    )
