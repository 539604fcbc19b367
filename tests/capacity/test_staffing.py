"""Staffing recommendations meet their target in the simulation, and no more than needed."""

from __future__ import annotations

import pytest

from kontakt.capacity.distributions import Exponential, Lognormal
from kontakt.capacity.erlang import erlang_a_metrics
from kontakt.capacity.scenario import AgentGroup, CallType, Day, Interval, Scenario
from kontakt.capacity.staffing import Target, erlang_minimum, recommend_staffing

HOUR = 3600.0


def morning() -> Scenario:
    calls = [60, 140, 220, 180, 90]
    ivs = tuple(
        Interval((8 + h) * HOUR, (9 + h) * HOUR, float(c), (0,)) for h, c in enumerate(calls)
    )
    return Scenario(
        "morning",
        (CallType("all", Lognormal(240.0, 1.0)),),
        (AgentGroup("agents"),),
        (Day("Mon", ivs),),
        patience=Exponential(300.0),
    )


def test_every_interval_meets_80_20_in_the_simulation() -> None:
    plan = recommend_staffing(morning(), "80/20", seed=1, replications=30)
    assert len(plan.rows) == 5
    assert all(r.service_level >= 0.80 for r in plan.rows), plan.rows
    # The busiest hour needs the most agents, and the plan stays near the steady state.
    assert max(plan.rows, key=lambda r: r.agents).calls == 220
    assert all(abs(r.agents - r.erlang_agents) <= 2 for r in plan.rows)


def test_the_erlang_minimum_is_the_fewest_agents_that_meet_the_target() -> None:
    goal = Target.parse("80/20")
    rate = 180 / HOUR
    n = erlang_minimum(rate, 240.0, 300.0, goal)
    assert erlang_a_metrics(rate, 240.0, n, 300.0).service_level >= 0.8
    assert erlang_a_metrics(rate, 240.0, n - 1, 300.0).service_level < 0.8


def test_without_patience_the_minimum_comes_from_erlang_c() -> None:
    # 24 Erlangs: Erlang-C needs more agents than Erlang-A, whose callers also leave.
    goal = Target.parse("80/20")
    c = erlang_minimum(360 / HOUR, 240.0, None, goal)
    a = erlang_minimum(360 / HOUR, 240.0, 120.0, goal)
    assert c > 24 and a <= c


@pytest.mark.parametrize("text", ["80", "80/", "120/20", "0/20", "eighty/20"])
def test_malformed_targets_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="80/20"):
        Target.parse(text)


def test_targets_parse_percent_and_seconds() -> None:
    assert Target.parse(" 90 / 15 ") == Target(0.9, 15.0)
    assert str(Target(0.8, 20.0)) == "80/20"
