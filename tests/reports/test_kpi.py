"""The KPI report from hand-built event sets with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from kontakt.booking.events import BookingConfirmed
from kontakt.calls.campaigns import CampaignCreated
from kontakt.calls.records import CallRecord, conversation_id, events_for
from kontakt.conversations.events import ConversationStarted
from kontakt.events import Event, record
from kontakt.hours import WARSAW
from kontakt.i18n import Translations
from kontakt.reports.kpi import KpiReport, kpi_report
from kontakt.reports.kpi_view import build_view
from kontakt.routing.events import (
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
    ContactTransferred,
)
from kontakt.runtime import Runtime

T0 = datetime(2021, 3, 1, 10, 0, tzinfo=WARSAW)  # a Monday, office open


def call(call_id: str, minute: int, **fields: object) -> CallRecord:
    return CallRecord(call_id=call_id, started_at=T0 + timedelta(minutes=minute), **fields)  # type: ignore[arg-type]


CALLS = [
    # answered through the voicebot (speech), 30 s in the queue, 200 s talk, 60 s wrap-up
    call("A", 1, direction="inbound", queue="waste", topic="waste", bot_s=20.0,
         bot_method="speech", waited_s=30.0, answered=True, talk_s=200.0, wrap_s=60.0,
         agent="b1"),
    call("B", 2, direction="inbound", language="en", queue="general", topic="general",
         waited_s=10.0, answered=True, talk_s=100.0, wrap_s=40.0, agent="b2"),
    call("C", 3, direction="inbound", queue="benefits", topic="benefits", waited_s=50.0),
    call("D", 4, direction="inbound", language="uk", queue="foreigners", waited_s=3.0),
    call("E", 5, direction="inbound", topic="benefits", bot_s=40.0,
         self_service="benefit_payment_date"),
    call("F", 6, direction="outbound", topic="waste", waited_s=10.0, answered=True,
         talk_s=90.0, wrap_s=10.0, agent="b3", campaign="s1"),
    call("G", 7, direction="outbound", topic="waste", waited_s=30.0, wrap_s=5.0, agent="b3",
         campaign="s1"),
]  # fmt: skip


async def _desk_contacts(rt: Runtime) -> None:
    """What the desk records: a chat, a call an agent transferred, a call that overflowed."""
    at = T0 + timedelta(minutes=20)
    conv = uuid.uuid4()
    events: list[tuple[int, Event]] = [
        (0, ContactOffered("chat1", "general", "web", "chat", "pl", "general")),
        (5, ContactAnswered("chat1", "general", "7", 5.0, "chat", "pl")),
        (325, ContactCompleted("chat1", "general", "7", 300.0, 20.0, "general", "closed")),
        (0, ContactOffered("H", "general", "phone", "call", "pl", None)),
        (40, ContactAnswered("H", "general", "7", 40.0, "call", "pl")),
        (100, ContactTransferred("H", "general", "citizen", "Ala", "", "H2")),
        (100, ContactCompleted("H", "general", "7", 60.0, 0.0, "general", "transferred", "call")),
        # the same caller answered again after the transfer: not a second answered call
        (120, ContactAnswered("H2", "citizen", "8", 120.0, "call", "pl")),
        (165, ContactCompleted("H2", "citizen", "8", 30.0, 15.0, "citizen_affairs", "closed",
                               "call")),
        (0, ContactOffered("I", "citizen", "phone", "call", "pl", None)),
        (121, ContactTransferred("I", "citizen", "general", "overflow", "", "I2")),
        (130, ContactAnswered("I2", "general", "9", 130.0, "call", "pl")),
        (190, ContactCompleted("I2", "general", "9", 50.0, 10.0, "general", "closed", "call")),
    ]  # fmt: skip
    async with rt.transaction() as session:
        for seconds, event in events:
            await record(session, event, at=at + timedelta(seconds=seconds), conversation_id=conv)


async def _others(rt: Runtime) -> None:
    booked = [
        (BookingConfirmed("v1", "usc-poznan", "civil-marriage-date", "x", "desk"), T0),
        (BookingConfirmed("v2", "usc-poznan", "civil-marriage-date", "x", "desk"), T0),
        (BookingConfirmed("v3", "usc-poznan", "civil-marriage-date", "x", "web"), T0),
        (BookingConfirmed("v4", "usc-poznan", "civil-marriage-date", "y", "web", "pl", "v3"), T0),
        (CampaignCreated("s1", "survey", "Ankieta"), T0 - timedelta(hours=2)),
        (CampaignCreated("i1", "information", "Akcja"), T0 - timedelta(hours=1)),
        # 23:30 on 31 March is the first quarter in Poznań; 00:30 on 1 April the second,
        # although both are 31 March in UTC.
        (ConversationStarted("web", "pl"), datetime(2021, 3, 31, 23, 30, tzinfo=WARSAW)),
        (ConversationStarted("web", "uk"), datetime(2021, 4, 1, 0, 30, tzinfo=WARSAW)),
        (ConversationStarted("cli", "pl"), T0),
        # 1 May 00:30 in Poznań is outside a report ending on 30 April
        (ContactOffered("late", "general", "phone", "call", "pl"),
         datetime(2021, 5, 1, 0, 30, tzinfo=WARSAW)),
    ]  # fmt: skip
    async with rt.transaction() as session:
        for event, at in booked:
            await record(session, event, at=at, conversation_id=uuid.uuid4())


async def _report(rt: Runtime) -> KpiReport:
    async with rt.transaction() as session:
        for r in CALLS:
            for timed in events_for(r):
                await record(session, timed.event, at=timed.at, conversation_id=conversation_id(r))
    await _desk_contacts(rt)
    await _others(rt)
    # Two connections at a time, as the CLI and /reports read it.
    return await kpi_report(rt.sessions, date(2021, 3, 1), date(2021, 4, 30))


async def test_seed_rows_from_known_events(runtime: Runtime) -> None:
    r = await _report(runtime)
    expected = {
        "booked_visits": 3, "surveys": 1, "info_campaigns": 1, "calls_total": 8,
        "calls_incoming": 6, "calls_outgoing": 2, "calls_answered": 4,
        "efficiency": round(4 / 6, 6), "aht_incoming_s": 141.25, "aht_outgoing_s": 52.5,
        "handled_time_total_s": 530.0, "asa_s": 52.5, "abandoned": 1,
        "short_abandoned": {"below_s": 5.0, "count": 1},
        "service_level": {"target_s": 20.0, "value": 0.2},
        "abandonment_rate": round(1 / 6, 6), "outgoing_connected": 1, "booked_moved": 1,
        "bookings_by_channel": {"desk": 2, "web": 1},
        "chatbot_visits": {"total": 2, "2021-Q1": 1, "2021-Q2": 1},
        "voicebot": {"identified_speech": 1, "transferred": 1, "self_served": 1},
    }  # fmt: skip
    got = r.to_json()
    assert {key: got[key] for key in expected} == expected


async def test_breakdowns_from_known_events(runtime: Runtime) -> None:
    r = await _report(runtime)
    async with runtime.transaction() as session:  # one transaction, one query at a time
        assert await kpi_report(session, date(2021, 3, 1), date(2021, 4, 30)) == r
    assert [(m.month, m.incoming, m.answered, m.abandoned, m.outgoing) for m in r.by_month] == [
        ("2021-03", 6, 4, 2, 2)
    ]
    assert [(h.hour, h.incoming, h.answered, h.asa_s) for h in r.by_hour] == [(10, 6, 4, 52.5)]
    handled = {t.topic: t.handled for t in r.by_topic if t.handled}
    assert handled == {"waste": 1, "general": 2, "citizen_affairs": 1}
    assert [(x.language, x.incoming, x.answered, x.outgoing) for x in r.by_language] == [
        ("pl", 4, 3, 2), ("en", 1, 1, 0), ("uk", 1, 0, 0),
    ]  # fmt: skip
    assert [(c.contact, c.offered, c.answered, c.abandoned) for c in r.by_channel] == [
        ("call", 6, 4, 2), ("chat", 1, 1, 0),
    ]  # fmt: skip


def test_seed_notation() -> None:
    """The seed's own figures print as the seed prints them."""
    r = KpiReport(date(2021, 1, 1), date(2021, 12, 31), booked_visits=317_236,
                  calls_incoming=644_344, calls_outgoing=189_133, calls_answered=570_203,
                  talk_incoming_s=103_595_015, wrap_incoming_s=570_203 * 268 - 103_595_015,
                  talk_outgoing_s=189_133 * 79, wait_answered_s=570_203 * 68)  # fmt: skip
    view = build_view(r, Translations("reports"), "pl")
    assert [(row.label, row.text) for row in view.seed] == [
        ("Liczba umówionych wizyt", "317 236"),
        ("Liczba zleconych telefonicznych badań ankietowych", "0"),
        ("Liczba wychodzących akcji informacyjnych", "0"),
        ("Liczba wszystkich przeprowadzonych rozmów", "833 477"),
        ("Połączenia przychodzące", "644 344"),
        ("Połączenia wychodzące", "189 133"),
        ("Połączenia odebrane", "570 203"),
        ("Efektywność obsługi", "88,49%"),
        ("Średni czas obsługi klientów – połączenia przychodzące", "04:28"),
        ("Średni czas obsługi klientów – połączenia wychodzące", "01:19"),
        ("Łączny czas obsługi połączeń odebranych", "32926:48:42"),
        ("Średni czas oczekiwania na połączenie z brokerem", "01:08"),
    ]


async def test_empty_period_has_no_rates(runtime: Runtime) -> None:
    async with runtime.transaction() as session:
        r = await kpi_report(session, date(2030, 1, 1), date(2030, 1, 31))
    assert (r.calls_total, r.efficiency, r.asa_s, r.aht_incoming_s) == (0, None, None, None)
    assert build_view(r, Translations("reports"), "pl").seed[7].text == "–"


def test_report_strings_are_translated() -> None:
    texts = Translations("reports")
    assert (texts.missing("pl"), texts.missing("uk")) == (set(), set())
    assert texts.gettext("uk", "Answered calls") == "Прийняті дзвінки"
