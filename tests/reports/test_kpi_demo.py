"""The demo year: a small scale on both databases, its figures consistent with what the
generator drew; and the scenario's parameters reconciling with the seed."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kontakt.demo import calendar
from kontakt.demo.scenario import Seed, calibrate_waits, parameters
from kontakt.demo.year import DemoRefused, generate_year
from kontakt.hours import working_days
from kontakt.reports.kpi import kpi_report
from kontakt.runtime import Runtime


async def test_small_demo_year_reports_what_it_generated(runtime: Runtime) -> None:
    made = await generate_year(runtime, year=2021, scale=0.002, seed=5)
    async with runtime.transaction() as session:
        r = await kpi_report(session, date(2021, 1, 1), date(2021, 12, 31))
    assert (r.calls_outgoing, r.booked_visits, r.chatbot_visits_total) == (
        made.outbound, made.bookings, made.visits,
    )  # fmt: skip
    assert (r.surveys, r.info_campaigns, made.campaigns) == (14, 14, 28)
    assert r.calls_incoming + r.voicebot["self_served"] == made.inbound
    assert r.calls_answered + r.abandoned + r.short_abandoned == r.calls_incoming
    assert [m.month for m in r.by_month] == [f"2021-{m:02d}" for m in range(1, 13)]
    assert sum(m.incoming for m in r.by_month) == r.calls_incoming
    assert sum(m.outgoing for m in r.by_month) == r.calls_outgoing
    assert {h.hour for h in r.by_hour} <= set(range(7, 20))  # office hours only
    assert r.voicebot["transferred"] == r.voicebot["identified_speech"] + r.voicebot.get(
        "identified_keypad", 0
    )
    with pytest.raises(DemoRefused, match="2021 already has"):
        await generate_year(runtime, year=2021, scale=0.002, seed=5)


def test_scenario_reconciles_with_the_seed() -> None:
    """Handling time = talk + wrap-up; the total = talk of answered incoming and outgoing."""
    seed = Seed()
    p = parameters(seed, 1.0)
    talk = seed.answered * p.talk_in_s + seed.outgoing * p.picked_up * p.talk_out_s
    assert talk == pytest.approx(seed.handled_total_s)
    assert p.talk_in_s + p.wrap_in_s == pytest.approx(268)
    assert p.picked_up * p.talk_out_s + p.wrap_out_s == pytest.approx(79)
    assert sum(p.visits_by_quarter) == pytest.approx(1.0)


def test_wait_model_gives_the_seed_efficiency_and_asa() -> None:
    days = working_days(2021)
    share = np.outer(calendar.day_weights(days), calendar.slot_shares())
    load = calendar.loads(days)
    m, theta = calibrate_waits(share, load, 570_203 / 644_344, 68.0)
    answered = theta / (theta + m * load)
    wait = m * load * theta / (m * load + theta)
    assert float(np.sum(share * answered)) == pytest.approx(0.8849, abs=1e-4)
    assert float(np.sum(share * answered * wait) / np.sum(share * answered)) == pytest.approx(68)
    assert len(days) == 254  # 2021: 261 weekdays less 7 public holidays on weekdays
