"""``kontakt benefits``: import the payment schedule, and check one person's date (staff)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from kontakt.benefits.identity import InvalidPesel, check_pesel
from kontakt.benefits.schedule_file import ScheduleFileError, read_schedule
from kontakt.benefits.service import ImportResult, PaymentInfo, import_schedule, next_payment
from kontakt.benefits.spoken import spoken_date
from kontakt.cli_support import fail, out, run
from kontakt.runtime import Runtime

benefits_app = typer.Typer(no_args_is_help=True, help="Benefit payment dates (phone self-service).")


@benefits_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV export of the payment schedule (docs/benefits.md)."),
    replace: bool = typer.Option(
        False, "--replace", help="The file is the whole schedule: drop every earlier payment."
    ),
) -> None:
    """Check every line, then import the file in one transaction (or nothing at all)."""
    try:
        schedule = read_schedule(file.read_bytes())
    except ScheduleFileError as exc:
        fail(f"{file}: {exc}")
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")

    async def work(rt: Runtime) -> ImportResult:
        secret = rt.settings.resolved_secret_key()
        async with rt.transaction() as session:
            return await import_schedule(
                session, schedule, secret=secret, clock=rt.clock, replace=replace
            )

    result = run(work)
    if replace:
        out.print(f"replaced the schedule: {result.removed} payments out, {result.added} in")
    else:
        already = result.rows - result.added
        out.print(f"added {result.added} payments ({already} were already in the schedule)")


@benefits_app.command("check")
def check(
    pesel: str = typer.Argument(..., help="11 digits."),
    case_number: str = typer.Argument(..., help="As written, or its digits only."),
    lang: str = typer.Option("pl", help="Also print the date as the voicebot says it: pl|uk|en."),
) -> None:
    """Print the next payment date a caller with this PESEL and case number would hear."""
    try:
        clean = check_pesel(pesel)
    except InvalidPesel as exc:
        fail(str(exc))
    if lang not in ("pl", "uk", "en"):
        fail(f"unknown language {lang!r} (pl, uk or en)")

    async def work(rt: Runtime) -> PaymentInfo | None:
        today = rt.clock.now().astimezone(ZoneInfo(rt.settings.timezone)).date()
        secret = rt.settings.resolved_secret_key()
        async with rt.transaction() as session:
            return await next_payment(session, case_number, clean, today, secret=secret)

    found = run(work)
    if found is None:
        out.print("no payment for this case number and PESEL")
        raise typer.Exit(1)
    label = "next payment" if found.upcoming else "no payment planned; last payment"
    out.print(f"{label}: {found.day.isoformat()}  {', '.join(found.benefits)}", markup=False)
    out.print(f"spoken ({lang}): {spoken_date(found.day, lang)}", markup=False)
