"""``kontakt report``: reports computed from the event log."""

from __future__ import annotations

from datetime import date

import typer

from kontakt.cli_support import out, run
from kontakt.reports.bookings import BookingReport, booking_report
from kontakt.reports.chatbot import ChatbotReport, chatbot_report
from kontakt.runtime import Runtime

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
