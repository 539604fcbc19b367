"""The KPI report's queries over ``kpi_facts`` (the read model; see kpi_facts.py).

They return what ``kpi_queries`` computes straight from the events, in the same row types,
so ``kpi.py`` folds either alike and a test can hold the two against each other. The
conditional sums are the same as there; what differs is what they sum over:

- On SQLite, a kind's facts are first grouped by the primary key's own columns in its order
  (hour, then every grouping column, even those the kind leaves empty). SQLite aggregates
  those while it walks the key, without sorting, into a few thousand groups that carry
  their count (``n``) and sums; the report's sums then add up groups instead of rows. Any
  other grouping of the facts would sort every row first, which cost three times as much.
- On PostgreSQL the sums read the rows of the kind's partition directly (``n`` = 1), and
  it hashes.

Completions are grouped by hour only for outgoing calls and by topic only for the calls
that have one: the report needs neither topics per hour nor incoming talk time per hour,
and an hour × topic grid would be 77,000 groups a year to fetch and fold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kontakt.booking.events import BookingConfirmed
from kontakt.calls.campaigns import CampaignCreated
from kontakt.calls.events import CallTransferred, SelfServiceCompleted, TopicIdentified
from kontakt.conversations.events import ConversationStarted
from kontakt.reports.kpi_facts import DIMS, KpiFact
from kontakt.reports.kpi_queries import (
    CONTACTS,
    LANGUAGES,
    SHORT_ABANDON_S,
    SL_TARGET_S,
    AbandonedHour,
    AnsweredHour,
    CompletedGroup,
    OfferedHour,
    Window,
)
from kontakt.routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
    ContactTransferred,
)

F = KpiFact


def _hours(window: Window) -> tuple[int, int]:
    """The window in whole UTC hours (a Warsaw midnight always is one)."""
    lo, hi = window.lo.timestamp(), window.hi.timestamp()
    if lo % 3600 or hi % 3600:
        raise ValueError(f"the KPI window must start and end on whole hours: {window}")
    return int(lo) // 3600, int(hi) // 3600


def _flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return case((condition, 1), else_=0)


def _measure(name: str) -> ColumnElement[Any]:
    """What one fact adds to a measure: its seconds, or 1 if it meets a threshold."""
    if name == "within":  # answered within the service-level target
        return _flag(F.wait <= SL_TARGET_S)
    if name == "short":  # hung up before SHORT_ABANDON_S
        return _flag(F.wait < SHORT_ABANDON_S)
    column: ColumnElement[Any] = getattr(F, name)
    return column


class FactQueries:
    """The same methods as ``kpi_queries.Queries``, read from ``kpi_facts``."""

    def __init__(self, session: AsyncSession, window: Window) -> None:
        self.session = session
        self.lo, self.hi = _hours(window)
        self.dialect = session.get_bind().dialect.name
        self._hour_text: dict[int, str] = {}

    async def prepare(self) -> None:
        """SQLite: map the file rather than copy its pages through the small cache.
        PostgreSQL (this transaction only): hash groups in memory, no JIT (it costs more
        than it saves here), and never sort to group: right after a bulk load the planner
        has no statistics on the new rows, guesses a handful, and would sort 700,000 rows
        on disk."""
        if self.dialect == "sqlite":
            await self.session.execute(text("PRAGMA mmap_size=2147483648"))
            await self.session.execute(text("PRAGMA temp_store=MEMORY"))
        elif self.dialect == "postgresql":
            for setting in ("work_mem = '64MB'", "jit = off", "enable_sort = off"):
                await self.session.execute(text(f"SET LOCAL {setting}"))

    def hour(self, h: int) -> str:
        """The "YYYY-MM-DD HH" (UTC) that ``kpi_queries`` groups by."""
        found = self._hour_text.get(h)
        if found is None:
            found = datetime.fromtimestamp(h * 3600, UTC).strftime("%Y-%m-%d %H")
            self._hour_text[h] = found
        return found

    def _facts(
        self, kind: str, *where: ColumnElement[bool], sums: tuple[str, ...] = ()
    ) -> Subquery:
        """``kind``'s facts in the window: ``h`` (the hour), the grouping columns, ``n`` and
        ``sums`` (see the module's docstring for the two shapes)."""
        keys = [F.hour.label("h"), *(getattr(F, d).label(d) for d in DIMS)]
        stmt = select(*keys)
        if self.dialect == "sqlite":
            stmt = stmt.add_columns(func.count().label("n"))
            stmt = stmt.add_columns(*(func.sum(_measure(m)).label(m) for m in sums))
            stmt = stmt.group_by(F.hour, *(getattr(F, d) for d in DIMS))
        else:
            stmt = stmt.add_columns(literal(1).label("n"), *(_measure(m).label(m) for m in sums))
        return stmt.where(F.kind == kind, F.hour >= self.lo, F.hour < self.hi, *where).subquery()

    async def _all(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def _moved(self) -> list[ColumnElement[bool]]:
        """Entries that continue a contact an agent transferred after answering it (as in
        ``kpi_queries``): their answer or hang-up is not a second contact."""
        t = aliased(KpiFact)
        transfers = (
            t.kind == ContactTransferred.kind,
            t.hour >= self.lo - 24,
            t.hour < self.hi,
            t.outcome != "overflow",
            t.entry != "",
        )
        if await self.session.scalar(select(t.event_id).where(*transfers).limit(1)) is None:
            return []
        return [F.entry.not_in(select(t.entry).where(*transfers).scalar_subquery())]

    def _split(self, s: Subquery) -> list[ColumnElement[Any]]:
        """Contacts other than calls, by kind; then calls per language."""
        call = s.c.contact == "call"
        return [
            _n(s, s.c.contact == "chat"),
            _n(s, s.c.contact == "callback"),
            _n(s, s.c.contact.not_in(CONTACTS)),
            *(_n(s, call & (s.c.language == lang)) for lang in LANGUAGES),
        ]

    async def offered(self) -> list[OfferedHour]:
        s = self._facts(ContactOffered.kind)
        stmt = select(s.c.h, _n(s, s.c.contact == "call"), *self._split(s)).group_by(s.c.h)
        return [
            OfferedHour(self.hour(r[0]), r[1], r[2], r[3], r[4], tuple(r[5:]))
            for r in await self._all(stmt)
        ]

    async def answered(self) -> list[AnsweredHour]:
        s = self._facts(ContactAnswered.kind, *await self._moved(), sums=("wait", "within"))
        call = s.c.contact == "call"
        stmt = select(
            s.c.h, _n(s, call), _sum(s.c.wait, call), _sum(s.c.within, call, 0), *self._split(s)
        ).group_by(s.c.h)
        return [
            AnsweredHour(self.hour(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7:]))
            for r in await self._all(stmt)
        ]

    async def abandoned(self) -> list[AbandonedHour]:
        s = self._facts(ContactAbandoned.kind, *await self._moved(), sums=("short", "wait"))
        call = s.c.contact == "call"
        stmt = select(
            s.c.h, _n(s, call), _sum(s.c.short, call, 0), _sum(s.c.wait, call),
            *self._split(s)[:3],
        ).group_by(s.c.h)  # fmt: skip
        return [
            AbandonedHour(self.hour(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
            for r in await self._all(stmt)
        ]

    async def completed(self) -> list[CompletedGroup]:
        s = self._facts(ContactCompleted.kind, sums=("talk", "wrap"))
        inbound = (s.c.contact == "call") & (s.c.direction == "inbound")
        outbound = (s.c.contact == "call") & (s.c.direction == "outbound")
        # The last broker's code is the call's topic (a transferred part is not a call).
        final = inbound & (s.c.outcome != "transferred")
        hour = case((outbound, s.c.h), else_=None).label("hour")
        topic = case((final, s.c.code), else_=None).label("topic")
        stmt = select(
            hour, topic, _n(s, final), _sum(s.c.talk, inbound), _sum(s.c.wrap, inbound),
            _n(s, outbound), _n(s, outbound & (s.c.outcome != "no_answer")),
            _sum(s.c.talk, outbound), _sum(s.c.wrap, outbound),
            *(_n(s, outbound & (s.c.language == lang)) for lang in LANGUAGES),
        ).group_by(hour, topic)  # fmt: skip
        return [self._completed(r) for r in await self._all(stmt)]

    def _completed(self, r: tuple[Any, ...]) -> CompletedGroup:
        hour = None if r[0] is None else self.hour(r[0])
        return CompletedGroup(hour, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], tuple(r[9:]))

    async def chatbot_visits(self) -> list[tuple[str, int]]:
        """Widget conversations (the seed's "wizyty na wortalu") by UTC hour."""
        s = self._facts(ConversationStarted.kind, F.channel == "web")
        stmt = select(s.c.h, func.sum(s.c.n)).group_by(s.c.h)
        return [(self.hour(h), int(n)) for h, n in await self._all(stmt)]

    async def bookings(self) -> list[tuple[str, int, int]]:
        s = self._facts(BookingConfirmed.kind)
        stmt = select(s.c.channel, _n(s, s.c.outcome == "new"), _n(s, s.c.outcome == "moved"))
        return [(str(c), int(b), int(m)) for c, b, m in await self._all(stmt.group_by(s.c.channel))]

    async def campaigns(self) -> list[tuple[str, int]]:
        s = self._facts(CampaignCreated.kind)
        stmt = select(s.c.code, func.sum(s.c.n)).group_by(s.c.code)
        return [(str(t), int(n)) for t, n in await self._all(stmt)]

    async def voicebot(self) -> dict[str, int]:
        s = self._facts(TopicIdentified.kind)
        stmt = select(s.c.code, func.sum(s.c.n)).group_by(s.c.code).order_by(s.c.code)
        out = {f"identified_{m}": int(n) for m, n in await self._all(stmt)}
        s = self._facts(CallTransferred.kind)
        out["transferred"] = int(await self.session.scalar(select(_n(s, s.c.outcome == "ok"))) or 0)
        s = self._facts(SelfServiceCompleted.kind)
        out["self_served"] = int(await self.session.scalar(select(_n(s, literal(True)))) or 0)
        return out


def _n(s: Subquery, condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many facts meet ``condition`` (groups count with their size)."""
    return func.coalesce(func.sum(case((condition, s.c.n), else_=0)), 0)


def _sum(
    value: ColumnElement[Any], condition: ColumnElement[bool], zero: float = 0.0
) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=zero)), zero)
