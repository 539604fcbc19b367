"""``kontakt demo year``: fill the event log with a realistic year of contacts."""

from __future__ import annotations

import typer

from kontakt.cli_support import CliError, out, run
from kontakt.runtime import Runtime

demo_app = typer.Typer(no_args_is_help=True, help="Demo data, as ordinary events.")


@demo_app.command("year")
def year_command(
    year: int = typer.Option(2021, "--year", min=2000, max=2100, help="The calendar year."),
    scale: float = typer.Option(
        1.0, "--scale", min=0.0001, max=10.0, help="Volume relative to Poznań's 2021."
    ),
    seed: int = typer.Option(2021, "--seed", help="Random seed (same seed, same year)."),
    force: bool = typer.Option(False, "--force", help="Add a year even if it has calls."),
) -> None:
    """Calls (inbound, voicebot, outbound campaigns), booked visits and chatbot visits for
    one year, through the same code paths as real data. Needs content/ (topics, queues,
    bookable services); reproduces the seed's 2021 table at --scale 1.0."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kontakt.demo.year import DemoRefused, DemoResult, generate_year
    from kontakt.knowledge.content import ContentError

    async def work(rt: Runtime) -> DemoResult:
        days = TextColumn("{task.completed}/{task.total} days")
        with Progress(
            TextColumn(f"demo {year}"), BarColumn(), days, TimeElapsedColumn(), transient=True
        ) as progress:
            task = progress.add_task("days", total=366)

            def on_day(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                return await generate_year(
                    rt, year=year, scale=scale, seed=seed, force=force, on_day=on_day
                )
            except (DemoRefused, ContentError) as exc:
                raise CliError(str(exc)) from None

    r = run(work)
    out.print(
        f"demo {r.year}: {r.inbound:,} inbound and {r.outbound:,} outbound calls, "
        f"{r.bookings:,} booked visits, {r.visits:,} chatbot visits, {r.campaigns} campaigns; "
        f"{r.events:,} events in {r.seconds:.1f} s"
    )
