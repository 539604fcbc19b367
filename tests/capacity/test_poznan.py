"""The Poznań 2021 scenario: the seed's totals go in, the calibration reproduces its KPIs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kontakt.capacity import calibrate, poznan
from kontakt.capacity.distributions import Lognormal
from kontakt.capacity.draw import MIN_TALK_SHARE


def test_the_year_has_the_seeds_incoming_calls_on_polish_working_days() -> None:
    loads = poznan.interval_loads()
    assert len(loads) == 254  # 2021: 261 weekdays minus 7 public holidays on weekdays
    assert sum(c for _, rows in loads for _, _, c in rows) == pytest.approx(poznan.INCOMING)
    day, rows = loads[0]
    assert day.isoformat() == "2021-01-04"  # 1 January is a holiday, then a weekend
    assert (rows[0][0], rows[-1][1]) == (7.5 * 3600, 20 * 3600)  # 7:30–20:00


def test_talk_before_the_voicebot_is_what_gives_the_seeds_talk_with_it() -> None:
    a = poznan.Assumptions()
    base = poznan.talk_without_bot(a)
    talk = Lognormal(base, a.talk_cv).sample(np.random.default_rng(1), 1_000_000)
    identified = np.random.default_rng(2).random(len(talk)) < a.identify_share
    saved = np.maximum(talk - a.voicebot_saving_s, MIN_TALK_SHARE * talk)
    assert np.where(identified, saved, talk).mean() == pytest.approx(poznan.TALK_S, rel=0.003)


def test_erlang_a_alone_finds_a_point_on_both_targets() -> None:
    cells = calibrate._cells()
    x = calibrate._solve_analytic(cells)
    lost, asa = calibrate.analytic(x, cells)
    assert 1 - lost == pytest.approx(poznan.EFFICIENCY, abs=0.0005)
    assert asa == pytest.approx(poznan.ASA_S, abs=0.5)
    assert -2 < x[0] < 2 and 60 < math.exp(x[1]) < 3600  # plausible β and patience


def test_the_staffing_rule_scales_with_the_load() -> None:
    assert poznan.sqrt_staffing(16.0, 0.0) == 16
    assert poznan.sqrt_staffing(16.0, -0.5) == 14
    assert poznan.sqrt_staffing(0.2, -1.0) == 1  # never nobody while the office is open
