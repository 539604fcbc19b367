"""Erlang-C and Erlang-A against textbook values and an independent brute-force solution."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.linalg import expm

from kontakt.capacity.erlang import (
    erlang_a_abandon_asa,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
)


def exact_erlang_c(n: int, load: Fraction) -> Fraction:
    """Erlang-C with exact rationals, straight from the textbook formula."""
    top = load**n / math.factorial(n) * n / (n - load)
    return top / (sum(load**k / math.factorial(k) for k in range(n)) + top)


def test_textbook_two_erlangs_on_three_agents_wait_four_ninths_of_the_time() -> None:
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)
    assert erlang_b(3, 2.0) == pytest.approx(4 / 19, rel=1e-12)


@pytest.mark.parametrize(("n", "load"), [(1, "0.5"), (11, "10"), (30, "28.5"), (60, "51")])
def test_erlang_c_matches_exact_rational_arithmetic(n: int, load: str) -> None:
    assert erlang_c(n, float(load)) == pytest.approx(float(exact_erlang_c(n, Fraction(load))))


def test_erlang_c_waits_and_service_level_follow_the_closed_forms() -> None:
    # 360 calls/h, 4 min each: 24 Erlangs on 28 agents (a common worked example).
    m = erlang_c_metrics(360 / 3600, 240, 28, answer_within_s=20)
    c = float(exact_erlang_c(28, Fraction(24)))
    drain = 28 / 240 - 0.1
    assert m.p_wait == pytest.approx(c)
    assert m.asa_s == pytest.approx(c / drain)
    assert m.answered_within == pytest.approx(1 - c * math.exp(-drain * 20))
    assert m.occupancy == pytest.approx(24 / 28)


def test_erlang_c_overloaded_is_reported_unstable_not_negative() -> None:
    m = erlang_c_metrics(0.2, 300, 50)  # 60 Erlangs on 50 agents
    assert (m.stable, m.asa_s, m.service_level) == (False, math.inf, 0.0)


def test_erlang_c_stays_finite_for_hundreds_of_agents() -> None:
    m = erlang_c_metrics(480 / 268, 268, 500)
    assert 0 < m.p_wait < 1 and math.isfinite(m.asa_s)


def brute_force(rate: float, aht: float, n: int, patience: float) -> dict[str, float]:
    """Erlang-A by a truncated birth-death chain and, per arrival, a matrix exponential."""
    mu, theta = 1 / aht, 1 / patience
    p = [1.0]
    for j in range(1, 600):
        p.append(p[-1] * rate / (min(j, n) * mu + max(0, j - n) * theta))
    pi = np.array(p) / sum(p)
    out = {
        "p_wait": float(pi[n:].sum()),
        "p_abandon": sum(pi[j] * (j - n) * theta for j in range(n, 600)) / rate,
        "answered_within": float(pi[:n].sum()),
        "abandoned_short": 0.0,
    }
    for m in range(150):  # the caller finds m others waiting: stages down to service
        w = pi[n + m]
        size = m + 3  # levels m..0, then served, abandoned
        q = np.zeros((size, size))
        for k in range(m + 1):
            q[k, k - 1 if k else size - 2] = n * mu + k * theta if k else n * mu
            q[k, size - 1] = theta
            q[k, k] = -(n * mu + k * theta + theta)
        out["answered_within"] += w * expm(q * 20)[m, size - 2]
        out["abandoned_short"] += w * expm(q * 5)[m, size - 1]
    return out


@pytest.mark.parametrize(
    ("rate", "aht", "n", "patience"),
    [(100 / 3600, 180, 6, 120), (400 / 3600, 240, 28, 300), (2 / 60, 268, 5, 600)],
)
def test_erlang_a_matches_a_brute_force_markov_chain(
    rate: float, aht: float, n: int, patience: float
) -> None:
    m = erlang_a_metrics(rate, aht, n, patience)
    want = brute_force(rate, aht, n, patience)
    assert m.p_wait == pytest.approx(want["p_wait"], rel=1e-9)
    assert m.p_abandon == pytest.approx(want["p_abandon"], rel=1e-9)
    assert m.answered_within == pytest.approx(want["answered_within"], rel=1e-8)
    assert m.abandoned_short == pytest.approx(want["abandoned_short"], rel=1e-7)
    # P(Ab) = θ E[W]: the identity the ratio estimator of patience rests on.
    assert m.mean_wait_s == pytest.approx(m.p_abandon * patience)


def test_erlang_a_converges_to_erlang_c_as_patience_grows() -> None:
    c = erlang_c_metrics(400 / 3600, 240, 28)
    a = erlang_a_metrics(400 / 3600, 240, 28, 1e9)
    assert a.p_abandon < 1e-6
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)
    assert a.answered_within == pytest.approx(c.answered_within, rel=1e-5)


def test_erlang_a_overload_approaches_the_fluid_limit() -> None:
    # Twice the load the agents can carry: about half the callers must give up.
    m = erlang_a_metrics(400 / 268, 268, 200, 300)
    assert m.p_abandon == pytest.approx(0.5, abs=0.01)
    assert m.occupancy == pytest.approx(1.0, abs=0.01)


def test_erlang_a_is_finite_for_hundreds_of_agents_and_very_patient_callers() -> None:
    for patience in (30.0, 600.0, 1e6):
        m = erlang_a_metrics(520 / 268, 268, 500, patience)
        values = [m.p_wait, m.p_abandon, m.answered_within, m.abandoned_short, m.service_level]
        assert all(0 <= v <= 1 for v in values), (patience, m)
        assert math.isfinite(m.asa_s)


def test_the_cheap_variant_agrees_with_the_full_one() -> None:
    full = erlang_a_metrics(200 / 3600, 268, 14, 500)
    assert erlang_a_abandon_asa(200 / 3600, 268, 14, 500) == pytest.approx(
        (full.p_abandon, full.asa_s)
    )


def test_no_agents_means_every_caller_gives_up() -> None:
    m = erlang_a_metrics(0.01, 200, 0, 100)
    assert (m.p_wait, m.p_abandon, m.answered_within) == (1.0, 1.0, 0.0)
