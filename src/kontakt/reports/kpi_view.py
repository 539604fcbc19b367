"""The KPI report as one typed view: the seed's table, the rows below it and the breakdown
tables, with labels in the reader's language. HTML, CSV and XLSX all render this, so they
cannot disagree; JSON is ``KpiReport.to_json``.

Values keep their number beside the text the seed prints (317 236, 88,49%, 04:28,
32926:48:42), so a spreadsheet can still compute with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from kontakt.i18n import Translations
from kontakt.reports.kpi import KpiReport

Number = int | float | None
Gettext = Callable[..., str]

# (key, English msgid, format); Polish translations are the seed's labels word for word.
SEED_ROWS = (
    ("booked_visits", "Number of booked visits", "count"),
    ("surveys", "Number of commissioned phone surveys", "count"),
    ("info_campaigns", "Number of outbound information campaigns", "count"),
    ("calls_total", "Number of all calls conducted", "count"),
    ("calls_incoming", "Incoming calls", "count"),
    ("calls_outgoing", "Outgoing calls", "count"),
    ("calls_answered", "Answered calls", "count"),
    ("efficiency", "Service efficiency", "percent"),
    ("aht_incoming_s", "Average customer handling time – incoming calls", "mmss"),
    ("aht_outgoing_s", "Average customer handling time – outgoing calls", "mmss"),
    ("handled_time_total_s", "Total handling time of answered calls", "hhmmss"),
    ("asa_s", "Average waiting time for a connection to a broker", "mmss"),
)


def fmt(value: Number, kind: str) -> str:
    """The seed's notation: 317 236 · 88,49% · 04:28 · 32926:48:42; "–" when undefined."""
    if value is None:
        return "–"
    if kind == "count":
        return f"{round(value):,}".replace(",", " ")
    if kind == "percent":
        return f"{value * 100:.2f}".replace(".", ",") + "%"
    if kind == "decimal":
        return f"{value:.1f}".replace(".", ",")
    seconds = math.floor(value + 0.5)  # half a second up, as a stopwatch would show it
    if kind == "mmss":
        return f"{seconds // 60:02d}:{seconds % 60:02d}"
    if kind == "hhmmss":
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    number: Number
    kind: str

    @property
    def text(self) -> str:
        return fmt(self.number, self.kind)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # text | count | percent | mmss | hhmmss | decimal


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[str | Number]] = field(default_factory=list)

    def cell(self, i: int, value: str | Number) -> str:
        if isinstance(value, str) or self.columns[i].kind == "text":
            return str(value)
        return fmt(value, self.columns[i].kind)


@dataclass
class KpiView:
    report: KpiReport
    lang: str
    seed: list[Row]
    more: list[Row]
    tables: list[Table]


def build_view(report: KpiReport, texts: Translations, lang: str = "pl") -> KpiView:
    def t(msgid: str, **values: object) -> str:
        return texts.gettext(lang, msgid, **values)

    r = report
    seed = [Row(k, t(label), getattr(r, k), kind) for k, label, kind in SEED_ROWS]
    vb = r.voicebot
    more = [
        Row("service_level", t("Service level (answered within {s} s)", s=int(r.sl_target_s)),
            r.service_level, "percent"),
        Row("abandoned", t("Abandoned calls (after {s} s or more)", s=int(r.short_abandon_s)),
            r.abandoned, "count"),
        Row("abandonment_rate", t("Abandonment rate (of incoming calls)"), r.abandonment_rate,
            "percent"),
        Row("short_abandoned", t("Short abandons (under {s} s), shown apart",
                                 s=int(r.short_abandon_s)), r.short_abandoned, "count"),
        Row("average_wait_s", t("Average wait of all queued calls"), r.average_wait_s, "mmss"),
        Row("outgoing_connected", t("Outgoing calls picked up"), r.outgoing_connected, "count"),
        Row("voicebot_transferred", t("Calls identified and transferred by the voicebot"),
            vb.get("transferred", 0), "count"),
        Row("voicebot_speech", t("Topics the voicebot identified from speech"),
            vb.get("identified_speech", 0), "count"),
        Row("voicebot_keypad", t("Topics callers chose on the keypad"),
            vb.get("identified_keypad", 0), "count"),
        Row("voicebot_self_served", t("Calls the voicebot served itself"),
            vb.get("self_served", 0), "count"),
        Row("chatbot_visits", t("Chatbot visits"), r.chatbot_visits_total, "count"),
        Row("booked_moved", t("Booked visits moved to another time"), r.booked_moved, "count"),
    ]  # fmt: skip
    return KpiView(r, lang, seed, more, _tables(r, t))


def _named(t: Gettext, prefix: str, code: str) -> str:
    """A code's label (e.g. "contact:call"), or the code itself when it has none."""
    label = t(f"{prefix}:{code}")
    return code if label == f"{prefix}:{code}" else label


def _tables(r: KpiReport, t: Gettext) -> list[Table]:
    count, text = "count", "text"
    answered_topics = sum(x.handled for x in r.by_topic) or None
    return [
        Table("months", t("Calls per month"),
              [Column(t("Month"), text), Column(t("Incoming"), count),
               Column(t("Answered"), count), Column(t("Abandoned"), count),
               Column(t("Outgoing"), count)],
              [[m.month, m.incoming, m.answered, m.abandoned, m.outgoing] for m in r.by_month]),
        Table("hours", t("Incoming calls and wait by hour of day"),
              [Column(t("Hour"), text), Column(t("Incoming"), count),
               Column(t("Answered"), count), Column(t("Average wait"), "mmss")],
              [[f"{h.hour:02d}:00", h.incoming, h.answered, h.asa_s] for h in r.by_hour]),
        Table("topics", t("Answered incoming calls by topic"),
              [Column(t("Topic"), text), Column(t("Calls"), count), Column(t("Share"), "percent")],
              [[x.name or t("(no wrap-up code)"), x.handled,
                x.handled / answered_topics if answered_topics else None] for x in r.by_topic]),
        Table("languages", t("Calls by language"),
              [Column(t("Language"), text), Column(t("Incoming"), count),
               Column(t("Answered"), count), Column(t("Outgoing"), count)],
              [[_named(t, "language", x.language), x.incoming, x.answered, x.outgoing]
               for x in r.by_language]),
        Table("channels", t("Contacts with brokers by channel"),
              [Column(t("Channel"), text), Column(t("Offered"), count),
               Column(t("Answered"), count), Column(t("Abandoned"), count)],
              [[_named(t, "contact", x.contact), x.offered, x.answered, x.abandoned]
               for x in r.by_channel]),
        Table("chatbot", t("Chatbot visits per quarter"),
              [Column(t("Quarter"), text), Column(t("Visits"), count)],
              [[q, n] for q, n in r.chatbot_visits.items()]),
        Table("bookings", t("Booked visits by channel"),
              [Column(t("Channel"), text), Column(t("Visits"), count)],
              [[_named(t, "booking", c), n] for c, n in r.bookings_by_channel.items()]),
    ]  # fmt: skip
