"""The KPI report's read model: ``kpi_facts``, one typed row per event the report reads.

The report must stay a function of the event log; this table only saves it from parsing the
JSON payload of millions of events on every run. Each row is one event of a kind the report
counts, with the handful of payload fields it groups or sums by as plain columns and the UTC
hour it happened in (hours since 1970). Nothing here is a total: a row is an event, and the
report still does all the counting.

The database writes the rows itself, in the same statement as the event, with triggers that
the migration installs (0009): a row trigger per kind on SQLite, one statement trigger with a
transition table on PostgreSQL (so a COPY of 20,000 events projects them in one INSERT). Every
way of appending events (``events.record``, ``bulk_events``, a migration, plain SQL) is
covered, within the writer's transaction, so the table cannot lag behind or run ahead of the
log and needs no watermark or catch-up. ``rebuild`` derives it again from the events alone
with the same expressions. Changing ``PROJECTED`` therefore takes a migration that installs
the triggers again (``uninstall_sql``, ``install_sql``) and rebuilds the table.

Chosen by measurement on the demo year 2021 (4.47 M events; 2 cores shared with other
work, so the figures are rough; bench/report.py measures the whole report):

- Straight from the events the report took 10–18 s on SQLite and 5–11 s on PostgreSQL
  (kpi_queries). SQLite spends it in ``json_extract``, which parses the payload again at
  every call, and in sorting each kind's events by hour; PostgreSQL in reading each kind's
  rows out of the whole 1 GB events heap.
- Generated columns on ``events`` with partial covering indexes: SQLite (3.40) can only
  add *virtual* columns to an existing table and does not read them from an index, so each
  row was still fetched and parsed, and the three big queries still took 1.7–2.6 s each.
  Stored columns mean rebuilding the events table on SQLite; on PostgreSQL an index-only
  scan needs a vacuumed visibility map, which a table just loaded (or a server without
  autovacuum, like this one) lacks, so they would be read from the heap all the same.
- Facts written by the application (``bulk_events`` and a hook in ``events.record``) with a
  catch-up from an event-id watermark: PostgreSQL commits ids out of order, so a watermark
  can pass an event that commits after it; and the rows and index entries to write are
  the same as the triggers'. On SQLite writing them from Python cost 1.0 s of CPU per
  260,000 facts against 1.5 s through the trigger: about 10 s on the demo year, which
  does not pay for a second write path that can miss a writer.
- One row per contact would be updated as its answer and completion arrive, and since each
  fact counts in the hour it happened in, the report would still group it several times.
- This table: the whole report in 1.7–2.4 s on SQLite and 1.9–2.6 s on PostgreSQL, the
  first (cold) run after the demo year included. Its shape is what makes it fast. SQLite
  stores it WITHOUT ROWID by the key (kind, hour, the grouping columns, event id): a kind's
  facts lie together in the order the report groups them, and SQLite aggregates while it
  walks the key (kpi_fact_queries); keyed by (kind, hour, event id) the same queries sorted
  every row and took 2.3 times as long. PostgreSQL partitions it by kind, so a query reads
  only its kind's rows (completions: 1.7 s on the unpartitioned table, 1.0 s).
- The cost is on writing: a second, narrower copy of 2.8 M events (190 MB on SQLite, 540 MB
  with the key on PostgreSQL), maintained by triggers. PostgreSQL's server spends 4.7 s more
  CPU per million events appended; SQLite about 1.5 s per 400,000 with ``bulk_events``'s
  multi-row INSERTs (twice that with one row per statement). The demo year is generated
  that much slower (bench/report.py; docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Float, Integer, String, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.booking.events import BookingConfirmed
from kontakt.calls.campaigns import CampaignCreated
from kontakt.calls.events import CallTransferred, SelfServiceCompleted, TopicIdentified
from kontakt.conversations.events import ConversationStarted
from kontakt.db import Base
from kontakt.routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
    ContactTransferred,
)

TABLE = "kpi_facts"
# The columns the report groups by, in the primary key's order after (kind, hour); a kind
# that has no use for one stores "" there.
DIMS = ("contact", "language", "direction", "channel", "code", "outcome")
MEASURES = ("wait", "talk", "wrap")  # seconds; 0 when the kind has none


class KpiFact(Base):
    __tablename__ = TABLE
    # The key orders a kind's rows as the report groups them (SQLite); PostgreSQL keeps each
    # kind's rows apart. The migration creates the partitions (install_sql).
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_partition_by": "LIST (kind)"},)

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # UTC hours since 1970
    contact: Mapped[str] = mapped_column(String, primary_key=True)
    language: Mapped[str] = mapped_column(String, primary_key=True)
    direction: Mapped[str] = mapped_column(String, primary_key=True)
    channel: Mapped[str] = mapped_column(String, primary_key=True)
    code: Mapped[str] = mapped_column(String, primary_key=True)
    outcome: Mapped[str] = mapped_column(String, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[str | None] = mapped_column(String, nullable=True)  # answers, hang-ups
    wait: Mapped[float] = mapped_column(Float)
    talk: Mapped[float] = mapped_column(Float)
    wrap: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class Text:
    """A payload string, or ``default`` when the field is missing (rows written before it
    existed: the defaults are the ones the report has always assumed)."""

    key: str
    default: str | None = ""


@dataclass(frozen=True)
class Seconds:
    key: str


@dataclass(frozen=True)
class Present:
    """``yes`` when the payload has a non-null ``key``, else ``no``."""

    key: str
    yes: str
    no: str


@dataclass(frozen=True)
class IsTrue:
    key: str
    yes: str
    no: str


Value = Text | Seconds | Present | IsTrue
_CONTACT = Text("contact", "chat")  # rows written before the field existed were chats

# kind -> column -> what it holds. Everything the report reads, and nothing more.
PROJECTED: dict[str, dict[str, Value]] = {
    ContactOffered.kind: {"contact": _CONTACT, "language": Text("language")},
    ContactAnswered.kind: {
        "contact": _CONTACT, "language": Text("language"), "entry": Text("entry", None),
        "wait": Seconds("wait_s"),
    },
    ContactAbandoned.kind: {
        "contact": _CONTACT, "language": Text("language"), "entry": Text("entry", None),
        "wait": Seconds("wait_s"),
    },
    ContactCompleted.kind: {
        "contact": _CONTACT, "language": Text("language"),
        "direction": Text("direction", "inbound"), "code": Text("wrap_code"),
        "outcome": Text("outcome", "closed"), "talk": Seconds("talk_s"),
        "wrap": Seconds("wrap_s"),
    },
    # The transfer's agent ("overflow" when no one answered yet) and the continuing entry.
    ContactTransferred.kind: {"outcome": Text("by"), "entry": Text("to_entry", None)},
    ConversationStarted.kind: {"channel": Text("channel")},
    BookingConfirmed.kind: {
        "channel": Text("channel"), "outcome": Present("replaces", "moved", "new"),
    },
    CampaignCreated.kind: {"code": Text("type")},
    TopicIdentified.kind: {"code": Text("method")},
    CallTransferred.kind: {"outcome": IsTrue("ok", "ok", "failed")},
    SelfServiceCompleted.kind: {},
}  # fmt: skip

COLUMNS = ("event_id", "kind", "hour", *DIMS, "entry", *MEASURES)


def _value(dialect: str, row: str, value: Value) -> str:
    """SQL for one payload field of the event aliased ``row``."""
    if dialect == "postgresql":
        raw = f"({row}.payload ->> '{value.key}')"
        true = f"{raw} = 'true'"
    else:
        raw = f"json_extract({row}.payload, '$.{value.key}')"
        true = f"{raw} = 1"  # SQLite's JSON true
    if isinstance(value, Text):
        return raw if value.default is None else f"coalesce({raw}, '{value.default}')"
    if isinstance(value, Seconds):
        number = f"CAST({raw} AS DOUBLE PRECISION)" if dialect == "postgresql" else raw
        return f"coalesce({number}, 0.0)"
    # A JSON null reads as SQL NULL on both, as it does for the report straight from events.
    condition = f"{raw} IS NOT NULL" if isinstance(value, Present) else true
    return f"CASE WHEN {condition} THEN '{value.yes}' ELSE '{value.no}' END"


def _hour(dialect: str, row: str) -> str:
    if dialect == "postgresql":
        return f"CAST(floor(extract(epoch FROM {row}.at) / 3600) AS INTEGER)"
    # SQLite keeps UTC times as "YYYY-MM-DD HH:MM:SS.ffffff" text.
    return f"CAST(strftime('%s', {row}.at) AS INTEGER) / 3600"


def _values(dialect: str, kind: str, row: str) -> list[str]:
    spec = PROJECTED[kind]
    out = [f"{row}.id", f"'{kind}'", _hour(dialect, row)]
    out += [_value(dialect, row, spec[c]) if c in spec else "''" for c in DIMS]
    out.append(_value(dialect, row, spec["entry"]) if "entry" in spec else "NULL")
    out += [_value(dialect, row, spec[c]) if c in spec else "0.0" for c in MEASURES]
    return out


def select_sql(dialect: str, source: str) -> str:
    """The facts of every projected event in ``source`` (a table of events' rows)."""
    return " UNION ALL ".join(
        f"SELECT {', '.join(_values(dialect, kind, 'e'))} FROM {source} AS e "  # noqa: S608
        f"WHERE e.kind = '{kind}'"
        for kind in PROJECTED
    )


def insert_sql(dialect: str, source: str) -> str:
    return f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {select_sql(dialect, source)}"


def install_sql(dialect: str) -> list[str]:
    """The statements that keep ``kpi_facts`` in step with ``events`` (the table exists)."""
    if dialect == "postgresql":
        partitions = [
            f"CREATE TABLE {TABLE}_{kind} PARTITION OF {TABLE} FOR VALUES IN ('{kind}')"
            for kind in PROJECTED
        ]
        return [
            *partitions,
            "CREATE FUNCTION kpi_facts_project() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {insert_sql(dialect, 'new_events')}; RETURN NULL; END $$",
            "CREATE TRIGGER kpi_facts_project AFTER INSERT ON events "
            "REFERENCING NEW TABLE AS new_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION kpi_facts_project()",
        ]
    return [
        f"CREATE TRIGGER kpi_facts_{kind} AFTER INSERT ON events WHEN NEW.kind = '{kind}' "  # noqa: S608
        f"BEGIN INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(_values(dialect, kind, 'NEW'))}); END"
        for kind in PROJECTED
    ]


def uninstall_sql(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS kpi_facts_project ON events",
            "DROP FUNCTION IF EXISTS kpi_facts_project()",
        ]
    return [f"DROP TRIGGER IF EXISTS kpi_facts_{kind}" for kind in PROJECTED]


async def rebuild(session: AsyncSession) -> int:
    """Derive the whole table again from the events, in the session's transaction (e.g. after
    a migration changes what it holds); returns the number of rows."""
    dialect = session.get_bind().dialect.name
    await session.execute(text(f"DELETE FROM {TABLE}"))  # noqa: S608 (constants only)
    result = await session.execute(text(insert_sql(dialect, "events")))
    return int(getattr(result, "rowcount", 0) or 0)
