"""The yearly KPI report (the seed's table and what lies behind it), from events only.

Definitions: docs/metrics.md. In short, for phone calls (``contact="call"``):
incoming = calls offered to the brokers' queues; answered = those a broker answered;
efficiency = answered ÷ incoming; ASA = wait of answered ÷ answered; handling time = talk +
after-call work (AHT per direction); the total handling time of answered calls = their talk
time, incoming and outgoing. Each fact counts in the period it happened in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from kontakt.hours import WARSAW
from kontakt.reports.chatbot import day_bounds
from kontakt.reports.kpi_queries import (
    CONTACTS,
    LANGUAGES,
    SHORT_ABANDON_S,
    SL_TARGET_S,
    Window,
)
from kontakt.reports.kpi_read import Source, read_all

OTHER = "other"  # a language or kind of contact outside the known ones


@dataclass
class MonthRow:
    month: str  # YYYY-MM, local
    incoming: int = 0
    answered: int = 0
    abandoned: int = 0  # all hang-ups in the queue, short ones included
    outgoing: int = 0


@dataclass
class HourRow:
    hour: int  # local hour of day
    incoming: int = 0
    answered: int = 0
    wait_s: float = 0.0  # of the answered

    @property
    def asa_s(self) -> float | None:
        return self.wait_s / self.answered if self.answered else None


@dataclass
class TopicRow:
    topic: str
    name: str
    handled: int  # answered incoming calls with this wrap-up code


@dataclass
class LanguageRow:
    language: str
    incoming: int = 0
    answered: int = 0
    outgoing: int = 0


@dataclass
class ChannelRow:
    contact: str  # call | chat | callback
    offered: int = 0
    answered: int = 0
    abandoned: int = 0


@dataclass
class KpiReport:
    start: date
    end: date
    booked_visits: int = 0
    booked_moved: int = 0
    surveys: int = 0
    info_campaigns: int = 0
    calls_incoming: int = 0
    calls_outgoing: int = 0
    calls_answered: int = 0
    outgoing_connected: int = 0
    abandoned: int = 0  # waited at least SHORT_ABANDON_S
    short_abandoned: int = 0
    answered_within_target: int = 0
    wait_answered_s: float = 0.0
    wait_abandoned_s: float = 0.0
    talk_incoming_s: float = 0.0
    wrap_incoming_s: float = 0.0
    talk_outgoing_s: float = 0.0
    wrap_outgoing_s: float = 0.0
    sl_target_s: float = SL_TARGET_S
    short_abandon_s: float = SHORT_ABANDON_S
    by_month: list[MonthRow] = field(default_factory=list)
    by_hour: list[HourRow] = field(default_factory=list)
    by_topic: list[TopicRow] = field(default_factory=list)
    by_language: list[LanguageRow] = field(default_factory=list)
    by_channel: list[ChannelRow] = field(default_factory=list)
    chatbot_visits: dict[str, int] = field(default_factory=dict)  # quarter -> visits
    voicebot: dict[str, int] = field(default_factory=dict)
    bookings_by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def calls_total(self) -> int:
        return self.calls_incoming + self.calls_outgoing

    @property
    def efficiency(self) -> float | None:
        return self.calls_answered / self.calls_incoming if self.calls_incoming else None

    @property
    def aht_incoming_s(self) -> float | None:
        handled = self.talk_incoming_s + self.wrap_incoming_s
        return handled / self.calls_answered if self.calls_answered else None

    @property
    def aht_outgoing_s(self) -> float | None:
        handled = self.talk_outgoing_s + self.wrap_outgoing_s
        return handled / self.calls_outgoing if self.calls_outgoing else None

    @property
    def handled_time_total_s(self) -> float:
        return self.talk_incoming_s + self.talk_outgoing_s

    @property
    def asa_s(self) -> float | None:
        return self.wait_answered_s / self.calls_answered if self.calls_answered else None

    @property
    def service_level(self) -> float | None:
        base = self.calls_answered + self.abandoned
        return self.answered_within_target / base if base else None

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.calls_incoming if self.calls_incoming else None

    @property
    def average_wait_s(self) -> float | None:
        settled = self.calls_answered + self.abandoned + self.short_abandoned
        waited = self.wait_answered_s + self.wait_abandoned_s
        return waited / settled if settled else None

    @property
    def chatbot_visits_total(self) -> int:
        return sum(self.chatbot_visits.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "booked_visits": self.booked_visits,
            "surveys": self.surveys,
            "info_campaigns": self.info_campaigns,
            "calls_total": self.calls_total,
            "calls_incoming": self.calls_incoming,
            "calls_outgoing": self.calls_outgoing,
            "calls_answered": self.calls_answered,
            "efficiency": _round(self.efficiency, 6),
            "aht_incoming_s": _round(self.aht_incoming_s, 2),
            "aht_outgoing_s": _round(self.aht_outgoing_s, 2),
            "handled_time_total_s": round(self.handled_time_total_s, 2),
            "asa_s": _round(self.asa_s, 2),
            "service_level": {"target_s": self.sl_target_s, "value": _round(self.service_level, 6)},
            "abandoned": self.abandoned,
            "short_abandoned": {"below_s": self.short_abandon_s, "count": self.short_abandoned},
            "abandonment_rate": _round(self.abandonment_rate, 6),
            "average_wait_s": _round(self.average_wait_s, 2),
            "outgoing_connected": self.outgoing_connected,
            "booked_moved": self.booked_moved,
            "by_month": [vars(m) for m in self.by_month],
            "by_hour": [{**vars(h), "asa_s": _round(h.asa_s, 2)} for h in self.by_hour],
            "by_topic": [vars(t) for t in self.by_topic],
            "by_language": [vars(lang) for lang in self.by_language],
            "by_channel": [vars(c) for c in self.by_channel],
            "chatbot_visits": {"total": self.chatbot_visits_total, **self.chatbot_visits},
            "voicebot": self.voicebot,
            "bookings_by_channel": self.bookings_by_channel,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _local(hour: str) -> datetime:
    return datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(WARSAW)


async def kpi_report(
    source: Source, start: date, end: date, *, lang: str = "pl", from_events: bool = False
) -> KpiReport:
    """The report for Warsaw calendar days ``start`` to ``end`` inclusive.

    ``source``: a session (its transaction, one query after another) or a session factory
    (two queries at a time on connections of their own; ``kpi_read``). It reads the read
    model ``kpi_facts``, which the database keeps in step with the events; ``from_events``
    recomputes it from the events' payloads instead (the same report, only slower)."""
    lo, hi = day_bounds(start, end)
    window = Window(lo.astimezone(UTC), hi.astimezone(UTC))
    raw = await read_all(source, window, lang, from_events=from_events)
    r = KpiReport(start, end)
    months: dict[str, MonthRow] = {}
    hours = {h: HourRow(h) for h in range(24)}
    langs = {code: LanguageRow(code) for code in (*LANGUAGES, OTHER)}
    channels = {code: ChannelRow(code) for code in (*CONTACTS, OTHER)}

    def month(hour: str) -> MonthRow:
        key = _local(hour).strftime("%Y-%m")
        return months.setdefault(key, MonthRow(key))

    def per_language(calls: int, counts: tuple[int, ...]) -> dict[str, int]:
        return {**dict(zip(LANGUAGES, counts, strict=True)), OTHER: calls - sum(counts)}

    def per_contact(calls: int, chats: int, callbacks: int, others: int) -> dict[str, int]:
        return dict(zip((*CONTACTS, OTHER), (calls, chats, callbacks, others), strict=True))

    for o in raw.offered:
        r.calls_incoming += o.calls
        month(o.hour).incoming += o.calls
        hours[_local(o.hour).hour].incoming += o.calls
        for code, n in per_language(o.calls, o.languages).items():
            langs[code].incoming += n
        for code, n in per_contact(o.calls, o.chats, o.callbacks, o.others).items():
            channels[code].offered += n
    for a in raw.answered:
        r.calls_answered += a.calls
        r.answered_within_target += a.within
        r.wait_answered_s += a.wait_s
        month(a.hour).answered += a.calls
        slot = hours[_local(a.hour).hour]
        slot.answered += a.calls
        slot.wait_s += a.wait_s
        for code, n in per_language(a.calls, a.languages).items():
            langs[code].answered += n
        for code, n in per_contact(a.calls, a.chats, a.callbacks, a.others).items():
            channels[code].answered += n
    for b in raw.abandoned:
        r.short_abandoned += b.short
        r.abandoned += b.calls - b.short
        r.wait_abandoned_s += b.wait_s
        month(b.hour).abandoned += b.calls
        for code, n in per_contact(b.calls, b.chats, b.callbacks, b.others).items():
            channels[code].abandoned += n
    topics: Counter[str] = Counter()
    for c in raw.completed:
        if c.topic is not None:
            topics[c.topic] += c.handled
        r.talk_incoming_s += c.talk_in_s
        r.wrap_incoming_s += c.wrap_in_s
        r.calls_outgoing += c.outgoing
        r.outgoing_connected += c.connected
        r.talk_outgoing_s += c.talk_out_s
        r.wrap_outgoing_s += c.wrap_out_s
        if c.outgoing and c.hour is not None:
            month(c.hour).outgoing += c.outgoing
        for code, n in per_language(c.outgoing, c.out_languages).items():
            langs[code].outgoing += n
    for hour, n in raw.chatbot_visits:
        local = _local(hour)
        quarter = f"{local.year}-Q{(local.month - 1) // 3 + 1}"
        r.chatbot_visits[quarter] = r.chatbot_visits.get(quarter, 0) + n
    r.chatbot_visits = dict(sorted(r.chatbot_visits.items()))
    booked = sorted(raw.bookings, key=lambda x: (-x[1], x[0]))
    r.booked_visits = sum(b for _, b, _ in booked)
    r.booked_moved = sum(m for _, _, m in booked)
    r.bookings_by_channel = {channel: b for channel, b, _ in booked if b}
    created = dict(raw.campaigns)
    r.surveys, r.info_campaigns = created.get("survey", 0), created.get("information", 0)
    r.voicebot = raw.voicebot
    r.by_month = [months[k] for k in sorted(months)]
    r.by_hour = [h for h in hours.values() if h.incoming or h.answered]
    # Every topic of the taxonomy in its order (zeros too: a topic nobody called about is
    # news), then codes outside it (e.g. "" for calls without a wrap-up code).
    r.by_topic = [TopicRow(tid, name, topics.pop(tid, 0)) for tid, name in raw.topics]
    outside = sorted(topics.items(), key=lambda x: (-x[1], x[0]))  # ties in a fixed order
    r.by_topic += [TopicRow(code, code, n) for code, n in outside]
    r.by_language = sorted(
        (x for x in langs.values() if x.incoming or x.answered or x.outgoing),
        key=lambda x: (-x.incoming - x.outgoing, x.language),
    )
    r.by_channel = sorted(
        (x for x in channels.values() if x.offered or x.answered or x.abandoned),
        key=lambda x: (-x.offered, x.contact),
    )
    return r
