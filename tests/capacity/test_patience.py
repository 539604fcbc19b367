"""Patience estimators on synthetic censored data whose truth is known."""

from __future__ import annotations

import numpy as np
import pytest

from kontakt.capacity.patience import exponential_mean, kaplan_meier


def censored(n: int, patience: float, wait: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Callers with exponential patience, each answered after an exponential offered wait."""
    rng = np.random.default_rng(seed)
    tau, offered = rng.exponential(patience, n), rng.exponential(wait, n)
    return np.minimum(tau, offered), tau < offered


def test_the_exponential_mle_recovers_the_mean_patience_despite_censoring() -> None:
    wait, abandoned = censored(200_000, 300.0, 60.0, seed=1)
    assert abandoned.mean() < 0.2  # most callers were answered: heavy censoring
    assert exponential_mean(wait, abandoned) == pytest.approx(300.0, rel=0.03)


def test_kaplan_meier_recovers_the_survival_curve() -> None:
    wait, abandoned = censored(200_000, 300.0, 200.0, seed=2)
    km = kaplan_meier(np.round(wait), abandoned)
    times = np.array(km.times)
    at = {
        t: float(np.array(km.survival)[np.searchsorted(times, t, "right") - 1]) for t in (60, 300)
    }
    assert at[60] == pytest.approx(np.exp(-60 / 300), abs=0.01)
    assert at[300] == pytest.approx(np.exp(-1), abs=0.02)


def test_kaplan_meier_without_censoring_is_the_empirical_survival() -> None:
    wait = np.array([5.0, 10.0, 10.0, 20.0])
    km = kaplan_meier(wait, np.ones(4, dtype=bool))
    assert km.times == (5.0, 10.0, 20.0)
    assert km.survival == pytest.approx((0.75, 0.25, 0.0))


def test_no_abandonment_cannot_be_estimated() -> None:
    with pytest.raises(ValueError, match="no abandonments"):
        exponential_mean(np.array([1.0, 2.0]), np.zeros(2, dtype=bool))
