"""The SimPy simulation: agrees with Erlang-A where Erlang-A is exact, routes by skill."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kontakt.capacity.distributions import Exponential, Fixed, Lognormal, Survival
from kontakt.capacity.erlang import erlang_a_metrics, erlang_c_metrics
from kontakt.capacity.kpi import Outcomes, summarise
from kontakt.capacity.scenario import (
    AgentGroup,
    CallType,
    Day,
    Interval,
    Scenario,
    Voicebot,
)
from kontakt.capacity.simulation import simulate

HOUR = 3600.0


def stationary(rate: float, aht: float, agents: int, patience: float | None, hours: float,
               days: int = 2) -> Scenario:  # fmt: skip
    """Long days at one rate: the start-up transient is a tiny share of the calls."""
    interval = Interval(0.0, hours * HOUR, rate * hours * HOUR, (agents,))
    return Scenario(
        name="stationary",
        call_types=(CallType("all", Exponential(aht)),),
        groups=(AgentGroup("agents"),),
        days=tuple(Day(f"d{i}", (interval,)) for i in range(days)),
        patience=Exponential(patience) if patience else None,
    )


def test_a_long_stationary_run_agrees_with_erlang_a() -> None:
    rate, aht, n, patience = 400 / HOUR, 240.0, 28, 300.0
    k = simulate(stationary(rate, aht, n, patience, hours=150), seed=7).kpis()
    want = erlang_a_metrics(rate, aht, n, patience)
    assert k.calls_incoming > 110_000
    assert 1 - k.efficiency == pytest.approx(want.p_abandon, abs=0.004)
    assert k.asa_s == pytest.approx(want.asa_s, rel=0.06)
    assert k.service_level == pytest.approx(want.service_level, abs=0.015)
    assert k.short_abandons / k.calls_incoming == pytest.approx(want.abandoned_short, abs=0.002)


def test_callers_who_never_hang_up_wait_as_erlang_c_says() -> None:
    rate, aht, n = 300 / HOUR, 240.0, 24
    k = simulate(stationary(rate, aht, n, None, hours=120), seed=3).kpis()
    want = erlang_c_metrics(rate, aht, n)
    assert k.efficiency == 1.0
    assert k.asa_s == pytest.approx(want.asa_s, rel=0.08)
    assert k.service_level == pytest.approx(want.service_level, abs=0.02)


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    sc = stationary(200 / HOUR, 200.0, 15, 120.0, hours=10)
    a, b, c = simulate(sc, 5).kpis(), simulate(sc, 5).kpis(), simulate(sc, 6).kpis()
    assert a == b
    assert a.calls_incoming != c.calls_incoming or a.asa_s != c.asa_s


def two_languages(multilingual: int) -> Scenario:
    calls = (
        CallType("pl", Fixed(60.0), share=0.8, language="pl"),
        CallType("uk", Fixed(60.0), share=0.2, language="uk"),
    )
    groups = (
        AgentGroup("pl", languages=frozenset({"pl"})),
        AgentGroup("pl+uk", languages=frozenset({"pl", "uk"})),
    )
    day = Day("d", (Interval(0.0, 4 * HOUR, 400.0, (5, multilingual)),))
    return Scenario("langs", calls, groups, (day,), patience=Fixed(300.0))


def test_a_language_nobody_on_shift_speaks_is_never_answered() -> None:
    k = simulate(two_languages(multilingual=0), seed=1).kpis()
    # 5 Polish-only agents easily carry the Polish calls (100 Erlang-minutes/h on 300):
    # every unanswered call is a Ukrainian one, and no Ukrainian call is answered.
    assert k.calls_answered == pytest.approx(0.8 * k.calls_incoming, rel=0.08)
    with_uk = simulate(two_languages(multilingual=2), seed=1).kpis()
    assert with_uk.efficiency > 0.99


def test_callers_wait_for_the_next_shift_when_nobody_is_on() -> None:
    # Nobody from 8:00 to 9:00, then ten agents; callers never hang up.
    day = Day(
        "d", (Interval(8 * HOUR, 9 * HOUR, 30.0, (0,)), Interval(9 * HOUR, 10 * HOUR, 0.0, (10,)))
    )
    sc = Scenario("gap", (CallType("all", Fixed(30.0)),), (AgentGroup("a"),), (day,))
    r = simulate(sc, seed=2)
    early = r.arrival < 9 * HOUR
    assert r.outcomes.answered.all()
    assert np.all(r.outcomes.wait[early] >= 9 * HOUR - r.arrival[early] - 1e-6)


def test_fewer_agents_after_a_shift_change_serve_fewer_calls_at_once() -> None:
    # 10 agents, then 1: callers after the change queue behind one agent.
    ivs = (Interval(0.0, HOUR, 0.0, (10,)), Interval(HOUR, 2 * HOUR, 40.0, (1,)))
    sc = Scenario("down", (CallType("all", Fixed(300.0)),), (AgentGroup("a"),), (Day("d", ivs),))
    k = simulate(sc, seed=4).kpis()
    assert k.occupancy <= 1.0
    assert k.asa_s > 600  # 40 calls of 5 minutes on one agent: the queue grows all hour


def test_the_voicebot_serves_some_callers_and_shortens_identified_calls() -> None:
    base = stationary(300 / HOUR, 240.0, 40, 600.0, hours=40, days=1)
    bot = Voicebot(identify_share=0.3, handling_saving_s=30.0, self_serve_share=0.1)
    off, on = simulate(base, 9).kpis(), simulate(replace(base, voicebot=bot), 9).kpis()
    served = on.voicebot_served / (on.voicebot_served + on.calls_incoming)
    assert served == pytest.approx(0.1, abs=0.01)
    assert on.voicebot_identified / on.calls_incoming == pytest.approx(0.3, abs=0.01)
    assert off.voicebot_identified == off.voicebot_served == 0
    # Exponential talk of mean 240 s: 0.9 T is exponential with mean 216 s, and
    # E[min(30, 0.9 T)] = 216 (1 − e^(−30/216)), saved on 30 % of the calls.
    saving = 0.3 * 216 * (1 - np.exp(-30 / 216))
    assert off.aht_incoming_s - on.aht_incoming_s == pytest.approx(saving, abs=3.0)


def test_kpis_follow_the_report_definitions() -> None:
    o = Outcomes(
        hour=np.array([9, 9, 9, 9, 10], dtype=np.int64),
        answered=np.array([True, True, False, False, True]),
        wait=np.array([10.0, 50.0, 3.0, 40.0, 0.0]),
        talk=np.array([100.0, 200.0, 0.0, 0.0, 300.0]),
        service=np.array([150.0, 250.0, 0.0, 0.0, 350.0]),
        identified=np.array([True, False, False, False, False]),
    )
    k = summarise(o, agents_by_hour={9: 2.0, 10: 1.0}, agent_seconds=7200.0)
    assert (k.calls_incoming, k.calls_answered, k.abandoned, k.short_abandons) == (5, 3, 1, 1)
    assert k.efficiency == 3 / 5
    assert k.asa_s == 20.0  # (10 + 50 + 0) / 3
    assert k.aht_incoming_s == 250.0
    assert k.handled_time_total_s == 600.0  # talk only
    assert k.service_level == 2 / 4  # within 20 s ÷ (answered + abandoned after 5 s)
    assert k.abandon_rate == 1 / 5
    assert (k.occupancy, k.agent_hours) == (750 / 7200, 2.0)
    assert [(h.hour, h.calls_incoming, h.asa_s) for h in k.hours] == [(9, 4, 30.0), (10, 1, 0.0)]


def test_lognormal_keeps_its_mean_and_cv() -> None:
    x = Lognormal(182.0, 1.0).sample(np.random.default_rng(1), 400_000)
    assert x.mean() == pytest.approx(182.0, rel=0.01)
    assert x.std() / x.mean() == pytest.approx(1.0, rel=0.03)


def test_a_survival_curve_samples_its_own_mean() -> None:
    s = Survival(times=(10.0, 60.0, 200.0), survival=(0.8, 0.5, 0.2), tail_mean_s=100.0)
    x = s.sample(np.random.default_rng(2), 200_000)
    assert s.mean == pytest.approx(10 + 0.8 * 50 + 0.5 * 140 + 0.2 * 100)
    assert x.mean() == pytest.approx(s.mean, rel=0.01)
    assert np.mean(x <= 10.0) == pytest.approx(0.2, abs=0.005)


def replayed(arrivals: list[float], kinds: list[int], calls: tuple[CallType, ...],
             shares: tuple[float, ...] | None = None) -> Scenario:  # fmt: skip
    """One agent all day, and the given callers arriving at the given instants."""
    day = Day(
        "d",
        (Interval(0.0, 2 * HOUR, 0.0, (1,), shares=shares),),
        arrivals=np.array(arrivals),
        kinds=np.array(kinds, dtype=np.int64),
    )
    return Scenario("replay", calls, (AgentGroup("a"),), (day,))


def test_a_head_start_puts_a_later_caller_first_only_by_that_much() -> None:
    calls = (
        CallType("low", Fixed(100.0), share=0.5),
        CallType("high", Fixed(100.0), share=0.5, head_start_s=60.0),
    )
    # The agent is busy 0–100 s. At 100 s "high" from t=50 (50 − 60 = −10) goes before
    # "low" from t=10; "high" from t=80 (80 − 60 = 20) does not, and waits for the low one.
    r = simulate(replayed([0.0, 10.0, 50.0, 80.0], [0, 0, 1, 1], calls), seed=1)
    assert r.outcomes.answered.all()
    assert r.outcomes.wait.tolist() == [0.0, 190.0, 50.0, 220.0]


def test_a_call_type_can_bring_its_own_patience() -> None:
    calls = (
        CallType("quick", Fixed(100.0), share=0.5, patience=Fixed(5.0)),
        CallType("patient", Fixed(100.0), share=0.5),  # the scenario's: never hangs up
    )
    r = simulate(replayed([0.0, 10.0, 20.0], [1, 0, 1], calls), seed=1)
    assert r.outcomes.answered.tolist() == [True, False, True]
    assert r.outcomes.wait.tolist() == [0.0, 5.0, 80.0]


def test_unknown_kinds_are_drawn_from_the_interval_shares() -> None:
    calls = (CallType("a", Fixed(1.0), share=0.5), CallType("b", Fixed(1.0), share=0.5))
    r = simulate(replayed([1.0, 2.0, 3.0, 4.0], [-1, 0, -1, -1], calls, (0.0, 1.0)), seed=1)
    assert r.kind.tolist() == [1, 0, 1, 1]


def test_kinds_must_match_the_replayed_arrivals() -> None:
    day = Day("d", (Interval(0.0, HOUR, 0.0, (1,)),), arrivals=np.array([1.0, 2.0]),
              kinds=np.array([0], dtype=np.int64))  # fmt: skip
    with pytest.raises(ValueError, match="one entry per replayed arrival"):
        Scenario("bad", (CallType("a", Fixed(1.0)),), (AgentGroup("a"),), (day,))
