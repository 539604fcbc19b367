"""``kontakt calls import`` (call records from the city's call distributor) and
``kontakt campaign create|list`` (outbound surveys and information campaigns)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import typer

from kontakt.cli_support import CliError, fail, out, run
from kontakt.hours import WARSAW
from kontakt.runtime import Runtime

calls_app = typer.Typer(no_args_is_help=True, help="Phone calls: import call records.")
campaign_app = typer.Typer(no_args_is_help=True, help="Outbound campaigns.")


@calls_app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="CSV export of call records (columns: docs/calls.md)."),
) -> None:
    """Import a CDR export in one transaction; calls already imported are skipped."""
    from kontakt.calls.cdr import CdrError, read_cdr
    from kontakt.calls.importer import CallImportError, ImportResult, import_records

    try:
        records = read_cdr(path)
    except CdrError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")

    async def work(rt: Runtime) -> ImportResult:
        try:
            async with rt.transaction() as session:
                return await import_records(session, records)
        except CallImportError as exc:
            raise CliError(f"{path}: {exc}") from None

    result = run(work)
    out.print(
        f"imported {result.imported} calls, joined {result.joined_live} to live voicebot "
        f"calls, skipped {result.skipped} already imported ({result.events} events)"
    )


@campaign_app.command("create")
def create_command(
    kind: str = typer.Option(..., "--kind", help="survey or information."),
    name: str = typer.Option(..., "--name", help="What the campaign is, e.g. its title."),
    campaign_id: str = typer.Option("", "--id", help="Id its calls name (default: from name)."),
    description: str = typer.Option("", "--description", help="Who ordered it, and why."),
    ordered: str = typer.Option("", "--ordered", help="Day it was ordered (default: today)."),
) -> None:
    """Record a new outbound campaign (its outbound calls name its id)."""
    from kontakt.calls.campaigns import CampaignCreated, CampaignError, create_campaign

    when = None
    if ordered:
        try:
            when = datetime.combine(date.fromisoformat(ordered), time(12), WARSAW)
        except ValueError:
            fail(f"--ordered: {ordered!r} is not a date; use YYYY-MM-DD")

    async def work(rt: Runtime) -> CampaignCreated:
        try:
            async with rt.transaction() as session:
                return await create_campaign(
                    session, kind=kind, name=name, clock=rt.clock, campaign_id=campaign_id,
                    description=description, actor="cli", ordered=when,
                )  # fmt: skip
        except CampaignError as exc:
            raise CliError(str(exc)) from None

    made = run(work)
    out.print(f"created campaign {made.campaign} ({made.type}): {made.name}", markup=False)


@campaign_app.command("list")
def list_command() -> None:
    """Campaigns in the order created, with the outbound calls placed for each."""
    from kontakt.calls.campaigns import Campaign, campaigns

    async def work(rt: Runtime) -> list[Campaign]:
        async with rt.transaction() as session:
            return await campaigns(session)

    found = run(work)
    if not found:
        out.print("no campaigns yet: kontakt campaign create --kind survey --name ...")
        return
    for c in found:
        day = c.created_at.astimezone(WARSAW).date().isoformat()
        out.print(f"{c.id:40}  {c.type:11}  {day}  {c.calls:7} calls  {c.name}", markup=False)
