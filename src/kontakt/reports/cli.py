"""``kontakt report``: reports computed from the event log."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kontakt.cli_support import fail, out, run
from kontakt.reports.bookings import BookingReport, booking_report
from kontakt.reports.chatbot import ChatbotReport, chatbot_report
from kontakt.runtime import Runtime

if TYPE_CHECKING:
    from kontakt.reports.kpi_view import KpiView

report_app = typer.Typer(no_args_is_help=True, help="Reports from the event log.")


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=name) from None


@report_app.command("chatbot")
def report_chatbot(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (Warsaw time)."),
    end: str = typer.Option(..., "--to", help="Last day, inclusive."),
    top: int = typer.Option(10, min=1, max=100, help="How many top/unanswered questions."),
) -> None:
    """Visits per quarter, questions and answers, votes, top and unanswered questions."""
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")

    async def work(rt: Runtime) -> ChatbotReport:
        async with rt.transaction() as session:
            return await chatbot_report(session, first, last, top=top)

    r = run(work)
    out.print(f"Chatbot {r.start} – {r.end}")
    out.print(f"visits: {r.visits}")
    for quarter, n in r.visits_per_quarter.items():
        out.print(f"  {quarter}: {n}")
    out.print(
        f"questions: {r.questions}  answered: {r.answered}  clarified: {r.clarified}  "
        f"unanswered: {r.unanswered}"
    )
    out.print(f"votes: helpful {r.helpful}, not helpful {r.unhelpful}")
    out.print("questions by language: " + ", ".join(f"{k} {v}" for k, v in r.by_language.items()))
    out.print("top answered articles:")
    for article_id, n in r.top_articles:
        out.print(f"  {n:6}  {article_id}", markup=False)
    out.print("top questions:")
    for text, n in r.top_questions:
        out.print(f"  {n:6}  {text}", markup=False)
    out.print("unanswered questions (improve the knowledge base with these):")
    for text, n in r.unanswered_questions:
        out.print(f"  {n:6}  {text}", markup=False)


@report_app.command("bookings")
def report_bookings(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (Warsaw time)."),
    end: str = typer.Option(..., "--to", help="Last day, inclusive."),
) -> None:
    """Visits booked, moved and cancelled, by channel, unit and service."""
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")

    async def work(rt: Runtime) -> BookingReport:
        async with rt.transaction() as session:
            return await booking_report(session, first, last)

    r = run(work)
    out.print(f"Booked visits {r.start} – {r.end}")
    out.print(
        f"booked: {r.booked}  moved: {r.moved}  cancelled: {r.cancelled}  "
        f"holds expired: {r.holds_expired}"
    )
    for title, counts in (
        ("by channel", r.by_channel),
        ("by unit", r.by_unit),
        ("by service", r.by_service),
    ):
        out.print(title + ":")
        for key, n in counts.items():
            out.print(f"  {n:6}  {key}", markup=False)


KPI_FORMATS = ("text", "html", "csv", "xlsx", "json")


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: {value!r} is not a date; use YYYY-MM-DD")


@report_app.command("kpi")
def report_kpi(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (Warsaw time)."),
    end: str = typer.Option(..., "--to", help="Last day, inclusive."),
    fmt: str = typer.Option("text", "--format", help="text, html, csv, xlsx or json."),
    output: Path | None = typer.Option(None, "--output", help="Write to this file."),
    lang: str = typer.Option("pl", "--lang", help="Labels in pl, uk or en."),
    from_events: bool = typer.Option(
        False,
        "--from-events",
        help="Read the event log itself, not its kpi_facts read model "
        "(slower; the same figures: an auditor's check).",
    ),
) -> None:
    """The yearly table of the contact office (calls, efficiency, handling and waiting
    times, booked visits, campaigns) and its breakdowns, from events only."""
    from kontakt.i18n import UI_LANGS, Translations
    from kontakt.reports.kpi import KpiReport, kpi_report
    from kontakt.reports.kpi_view import build_view

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        fail("--to: the last day is before the first")
    if fmt not in KPI_FORMATS:
        fail(f"--format: {fmt!r}; use one of {', '.join(KPI_FORMATS)}")
    if lang not in UI_LANGS:
        fail(f"--lang: {lang!r}; use one of {', '.join(UI_LANGS)}")
    if fmt == "xlsx" and output is None:
        fail("--format xlsx writes a binary file: give --output FILE.xlsx")

    async def work(rt: Runtime) -> KpiReport:
        return await kpi_report(rt.sessions, first, last, lang=lang, from_events=from_events)

    report = run(work)
    view = build_view(report, Translations("reports"), lang)
    data: str | bytes
    if fmt == "json":
        data = json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        from kontakt.reports.kpi_export import to_csv

        data = to_csv(view)
    elif fmt == "xlsx":
        from kontakt.reports.kpi_export import to_xlsx

        data = to_xlsx(view, f"kontakt {first} – {last}")
    elif fmt == "html":
        data = _html(view)
    else:
        width = max(len(r.label) for r in view.seed + view.more)
        data = f"{first} – {last}\n" + "".join(
            f"{r.label:<{width}}  {r.text:>14}\n" for r in [*view.seed, None, *view.more] if r
        )
    if output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        return
    try:
        output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    out.print(f"wrote {output}", markup=False)


@report_app.command("rebuild")
def report_rebuild() -> None:
    """Derive the KPI report's read model (kpi_facts) again from the event log. The database
    keeps it in step by itself; this is for after a restore of the events table alone, or a
    change of what the model holds."""
    from kontakt.reports.kpi_facts import rebuild

    async def work(rt: Runtime) -> int:
        async with rt.transaction() as session:
            return await rebuild(session)

    out.print(f"kpi_facts rebuilt from the events: {run(work):,} rows", markup=False)


def _html(view: KpiView) -> str:
    """A standalone page (styles inlined) that opens from disk or an e-mail attachment."""
    from kontakt.i18n import Translations
    from kontakt.reports.charts import charts
    from kontakt.web.templating import STATIC, make_templates

    texts = Translations("reports")

    def t(msgid: str, **values: object) -> str:
        return texts.gettext(view.lang, msgid, **values)

    template = make_templates().env.get_template("reports/kpi_file.html")
    css = (STATIC / "kontakt.css").read_text(encoding="utf-8")
    return template.render(view=view, charts=charts(view, t), t=t, css=css)
