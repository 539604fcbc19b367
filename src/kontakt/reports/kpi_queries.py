"""The KPI report's SQL straight over the events: one aggregate query per event kind.

The report reads the read model ``kpi_facts`` (kpi_fact_queries); these queries compute the
same from the events' payloads, as the report did before the read model existed, and are the
reference it is checked against (tests/reports/test_kpi_facts.py, bench/report.py).

A year of a city's calls is millions of events, so nothing here reads events one by one.
Each query filters on (kind, at), which the events index serves; reads the few payload
fields it needs once per row (``json_extract`` on SQLite, ``->>`` on PostgreSQL) in a
subquery; and groups by UTC hour only, counting the small known categories (kind of
contact, language, direction) with conditional sums. Grouping by more columns would make
SQLite sort every row, and that cost more than reading them. Hours are turned into local
months and hours of day in Python: an hour of UTC is always one local hour in Poland, while
local time in SQL would need time-zone support SQLite lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, String, Subquery, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.events import BookingConfirmed
from kontakt.calls.campaigns import CampaignCreated
from kontakt.calls.events import CallTransferred, SelfServiceCompleted, TopicIdentified
from kontakt.conversations.events import ConversationStarted
from kontakt.events import EventRow
from kontakt.routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
    ContactTransferred,
)

# Service level counts answers within this wait; abandons shorter than SHORT_ABANDON_S are
# misdials and hang-ups at the greeting, shown apart (docs/metrics.md).
SL_TARGET_S = 20.0
SHORT_ABANDON_S = 5.0
LANGUAGES = ("pl", "uk", "en", "ru")  # counted one by one; any other is "other"
CONTACTS = ("call", "chat", "callback")


@dataclass(frozen=True)
class Window:
    lo: datetime  # UTC, inclusive
    hi: datetime  # UTC, exclusive


def _text(key: str) -> ColumnElement[Any]:
    value: ColumnElement[Any] = EventRow.payload[key].as_string()
    return value


def _num(key: str) -> ColumnElement[Any]:
    return func.coalesce(EventRow.payload[key].as_float(), 0.0)


def _hour(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", EventRow.at), "YYYY-MM-DD HH24")
    # SQLite keeps UTC times as "YYYY-MM-DD HH:MM:SS.ffffff" text.
    return func.substr(EventRow.at, 1, 13, type_=String)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(value: ColumnElement[Any], condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0.0)), 0.0)


class OfferedHour(NamedTuple):
    hour: str
    calls: int
    chats: int
    callbacks: int
    others: int
    languages: tuple[int, ...]  # calls per LANGUAGES


class AnsweredHour(NamedTuple):
    hour: str
    calls: int
    wait_s: float
    within: int  # within the service-level target
    chats: int
    callbacks: int
    others: int
    languages: tuple[int, ...]


class AbandonedHour(NamedTuple):
    hour: str
    calls: int
    short: int  # under SHORT_ABANDON_S
    wait_s: float
    chats: int
    callbacks: int
    others: int


class CompletedGroup(NamedTuple):
    """Completions of one hour; ``topic`` is set on the answered incoming calls' rows.
    ``hour`` is None on rows without outgoing calls when the read model groups them over the
    whole window (kpi_fact_queries): only outgoing calls are counted per month."""

    hour: str | None
    topic: str | None
    handled: int  # answered incoming calls (the last broker's completion)
    talk_in_s: float
    wrap_in_s: float
    outgoing: int
    connected: int
    talk_out_s: float
    wrap_out_s: float
    out_languages: tuple[int, ...]


class Queries:
    def __init__(self, session: AsyncSession, window: Window) -> None:
        self.session = session
        self.w = window
        self.dialect = session.get_bind().dialect.name

    async def prepare(self) -> None:
        """Settings for one big read. SQLite: map the file and sort in memory instead of
        copying pages through its small cache. PostgreSQL (for this transaction only):
        hash the groups in memory rather than spilling sorts to disk, and skip JIT
        compilation, which costs more than it saves on queries this short."""
        if self.dialect == "sqlite":
            await self.session.execute(text("PRAGMA mmap_size=2147483648"))
            await self.session.execute(text("PRAGMA temp_store=MEMORY"))
        elif self.dialect == "postgresql":
            await self.session.execute(text("SET LOCAL work_mem = '64MB'"))
            await self.session.execute(text("SET LOCAL jit = off"))

    def _fields(self, kind: str, *where: ColumnElement[bool], **fields: Any) -> Subquery:
        """The kind's events in the window with ``fields`` (and the UTC hour ``h``)
        extracted once each. A LIMIT (SQLite) or OFFSET (PostgreSQL) keeps the database from
        merging the subquery into the outer query, which would copy every extraction into
        each conditional sum and repeat it there."""
        columns = [_hour(self.dialect).label("h")]
        columns += [value.label(name) for name, value in fields.items()]
        stmt = select(*columns).where(
            EventRow.kind == kind, EventRow.at >= self.w.lo, EventRow.at < self.w.hi, *where
        )
        stmt = stmt.limit(-1) if self.dialect == "sqlite" else stmt.offset(0)
        return stmt.subquery()

    async def _all(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    def _by_contact(self, s: Subquery) -> list[ColumnElement[Any]]:
        return [
            _count(s.c.c == "chat"),
            _count(s.c.c == "callback"),
            _count(s.c.c.not_in(CONTACTS)),
        ]

    def _languages(self, s: Subquery, condition: ColumnElement[bool]) -> list[ColumnElement[Any]]:
        return [_count(condition & (s.c.l == lang)) for lang in LANGUAGES]

    async def offered(self) -> list[OfferedHour]:
        s = self._fields(ContactOffered.kind, c=_contact(), l=_text("language"))
        call = s.c.c == "call"
        stmt = select(s.c.h, _count(call), *self._by_contact(s), *self._languages(s, call))
        rows = await self._all(stmt.group_by(s.c.h))
        return [OfferedHour(r[0], r[1], r[2], r[3], r[4], tuple(r[5:])) for r in rows]

    async def _moved(self) -> list[ColumnElement[bool]]:
        """Entries that continue a contact an agent transferred after answering it: their
        answer or hang-up is not a second contact. Overflow moves unanswered contacts, so
        those entries count. Transfers are rare: no condition at all when there are none."""
        transfers = (
            EventRow.kind == ContactTransferred.kind,
            EventRow.at >= self.w.lo - timedelta(days=1),
            EventRow.at < self.w.hi,
            _text("by") != "overflow",
            _text("to_entry") != "",
        )
        if await self.session.scalar(select(EventRow.id).where(*transfers).limit(1)) is None:
            return []
        moved = select(_text("to_entry")).where(*transfers).scalar_subquery()
        return [_text("entry").not_in(moved)]

    async def answered(self) -> list[AnsweredHour]:
        s = self._fields(
            ContactAnswered.kind, *await self._moved(), c=_contact(), l=_text("language"),
            wait=_num("wait_s"),
        )  # fmt: skip
        call = s.c.c == "call"
        stmt = select(
            s.c.h, _count(call), _sum(s.c.wait, call), _count(call & (s.c.wait <= SL_TARGET_S)),
            *self._by_contact(s), *self._languages(s, call),
        ).group_by(s.c.h)  # fmt: skip
        return [
            AnsweredHour(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7:]))
            for r in await self._all(stmt)
        ]

    async def abandoned(self) -> list[AbandonedHour]:
        s = self._fields(
            ContactAbandoned.kind, *await self._moved(), c=_contact(), wait=_num("wait_s")
        )
        call = s.c.c == "call"
        stmt = select(
            s.c.h, _count(call), _count(call & (s.c.wait < SHORT_ABANDON_S)),
            _sum(s.c.wait, call), *self._by_contact(s),
        ).group_by(s.c.h)  # fmt: skip
        return [AbandonedHour(*r) for r in await self._all(stmt)]

    async def completed(self) -> list[CompletedGroup]:
        s = self._fields(
            ContactCompleted.kind,
            c=_contact(),
            d=func.coalesce(_text("direction"), "inbound"),
            l=_text("language"),
            code=func.coalesce(_text("wrap_code"), ""),
            o=func.coalesce(_text("outcome"), "closed"),
            talk=_num("talk_s"),
            wrap=_num("wrap_s"),
        )
        inbound = (s.c.c == "call") & (s.c.d == "inbound")
        outbound = (s.c.c == "call") & (s.c.d == "outbound")
        # The last broker's code is the call's topic (a transferred part is not a call).
        final = inbound & (s.c.o != "transferred")
        topic = case((final, s.c.code), else_=None).label("topic")
        stmt = select(
            s.c.h, topic, _count(final), _sum(s.c.talk, inbound), _sum(s.c.wrap, inbound),
            _count(outbound), _count(outbound & (s.c.o != "no_answer")),
            _sum(s.c.talk, outbound), _sum(s.c.wrap, outbound),
            *self._languages(s, outbound),
        ).group_by(s.c.h, topic)  # fmt: skip
        return [
            CompletedGroup(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], tuple(r[9:]))
            for r in await self._all(stmt)
        ]

    async def chatbot_visits(self) -> list[tuple[str, int]]:
        """Widget conversations (the seed's "wizyty na wortalu") by UTC hour."""
        s = self._fields(ConversationStarted.kind, _text("channel") == "web")
        stmt = select(s.c.h, func.count()).group_by(s.c.h)
        return [(str(h), int(n)) for h, n in await self._all(stmt)]

    async def bookings(self) -> list[tuple[str, int, int]]:
        """Confirmed visits by channel: (channel, booked, moved); a confirmation that
        replaces another is a move, not a new visit."""
        s = self._fields(BookingConfirmed.kind, ch=_text("channel"), moved=_text("replaces"))
        stmt = select(s.c.ch, _count(s.c.moved.is_(None)), _count(s.c.moved.is_not(None)))
        return [(str(c), int(b), int(m)) for c, b, m in await self._all(stmt.group_by(s.c.ch))]

    async def campaigns(self) -> list[tuple[str, int]]:
        s = self._fields(CampaignCreated.kind, t=_text("type"))
        stmt = select(s.c.t, func.count()).group_by(s.c.t)
        return [(str(t), int(n)) for t, n in await self._all(stmt)]

    async def voicebot(self) -> dict[str, int]:
        """Topics the voicebot identified (by method), calls it transferred to a queue, and
        calls it served itself."""
        out: dict[str, int] = {}
        s = self._fields(TopicIdentified.kind, m=_text("method"))
        for m, n in await self._all(select(s.c.m, func.count()).group_by(s.c.m)):
            out[f"identified_{m}"] = int(n)
        ok = EventRow.payload["ok"].as_boolean()
        s = self._fields(CallTransferred.kind, ok=case((ok, 1), else_=0))
        out["transferred"] = int(await self.session.scalar(select(func.sum(s.c.ok))) or 0)
        s = self._fields(SelfServiceCompleted.kind)
        out["self_served"] = int(
            await self.session.scalar(select(func.count()).select_from(s)) or 0
        )
        return out


def _contact() -> ColumnElement[Any]:
    # Rows written before the field existed were all chats.
    return func.coalesce(_text("contact"), "chat")
