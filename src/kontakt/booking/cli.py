"""``kontakt booking``: load the catalog, close a unit for a day, sweep holds, send reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from kontakt.booking.catalog import CatalogDoc, import_catalog, load_catalog
from kontakt.booking.models import Closure
from kontakt.cli_support import out, run
from kontakt.knowledge.content import load_content
from kontakt.runtime import Runtime

booking_app = typer.Typer(no_args_is_help=True, help="Appointment booking.")


def _catalog(directory: Path) -> CatalogDoc:
    articles = {a.id for a in load_content(directory).articles}
    return load_catalog(directory, articles)


async def _checked(directory: Path) -> CatalogDoc:
    return _catalog(directory)


@booking_app.command("check")
def check(directory: Path = typer.Argument(Path("content"))) -> None:
    """Validate services.yaml against the topics, units and articles."""
    doc = run(lambda _rt: _checked(directory), migrated=False)
    out.print(f"ok: {len(doc.units)} units, {len(doc.services)} services")


@booking_app.command("import")
def import_(directory: Path = typer.Argument(Path("content"))) -> None:
    """Make the booking tables match services.yaml (run after `kontakt kb import`)."""

    async def work(rt: Runtime) -> tuple[int, int]:
        doc = _catalog(directory)
        async with rt.transaction() as session:
            return await import_catalog(session, doc)

    units, services = run(work)
    out.print(f"imported {units} units and {services} services")


@booking_app.command("close")
def close(
    unit: str = typer.Argument(..., help="Unit id, as in services.yaml."),
    day: str = typer.Argument(..., help="YYYY-MM-DD"),
    reason: str = typer.Option("closed", help="Shown to staff."),
) -> None:
    """Close a unit for one day (beyond public holidays); visits already booked are listed."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date (YYYY-MM-DD)") from None

    async def work(rt: Runtime) -> int:
        async with rt.transaction() as session:
            bookings = rt.bookings(session)
            found = await bookings.unit(unit)
            if await session.get(Closure, (found.id, when)) is None:
                session.add(Closure(unit_id=found.id, day=when, reason=reason[:300]))
            tz = ZoneInfo(found.timezone)
            start = datetime.combine(when, datetime.min.time(), tz)
            visits = await bookings.visits_between(start, start + timedelta(days=1))
            return len([v for v in visits if v.unit_id == found.id])

    affected = run(work)
    out.print(f"{unit} is closed on {when.isoformat()}")
    if affected:
        out.print(f"{affected} visits are already booked that day; contact those residents.")


@booking_app.command("closures")
def closures() -> None:
    """List the ad-hoc closures."""

    async def work(rt: Runtime) -> list[Closure]:
        async with rt.transaction() as session:
            stmt = select(Closure).order_by(Closure.day, Closure.unit_id)
            return list((await session.scalars(stmt)).all())

    for c in run(work):
        out.print(f"{c.day.isoformat()}  {c.unit_id}  {c.reason}")


@booking_app.command("sweep")
def sweep() -> None:
    """Mark run-out holds as expired (slots are freed without it; this records the events)."""

    async def work(rt: Runtime) -> int:
        async with rt.transaction() as session:
            return await rt.bookings(session).expire_holds()

    out.print(f"expired holds on {run(work)} slots")


@booking_app.command("visits")
def visits(
    day: str = typer.Argument(..., help="YYYY-MM-DD"),
    unit: str = typer.Option("", help="Only this unit."),
) -> None:
    """The confirmed visits of a day, for the unit's staff."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date (YYYY-MM-DD)") from None

    async def work(rt: Runtime) -> list[tuple[str, str, str, str, str]]:
        async with rt.transaction() as session:
            bookings = rt.bookings(session)
            if unit:
                await bookings.unit(unit)
            tz = ZoneInfo(rt.settings.timezone)
            start = datetime.combine(when, datetime.min.time(), tz)
            rows = await bookings.visits_between(start, start + timedelta(days=1))
            return [
                (
                    r.start.astimezone(tz).strftime("%H:%M"),
                    r.unit_id,
                    r.service_id,
                    r.code,
                    r.customer_name,
                )
                for r in rows
                if not unit or r.unit_id == unit
            ]

    rows = run(work)
    for row in rows:
        out.print("  ".join(row), markup=False)
    out.print(f"{len(rows)} visits")


@booking_app.command("remind")
def remind(
    day: str = typer.Option("", help="YYYY-MM-DD; default: tomorrow."),
) -> None:
    """Send reminders for one day's visits (run daily from cron); never sends one twice."""
    from kontakt.booking.delivery import send_reminders

    async def work(rt: Runtime) -> tuple[int, int]:
        tz = ZoneInfo(rt.settings.timezone)
        if day:
            try:
                when = datetime.combine(date.fromisoformat(day), datetime.min.time(), tz)
            except ValueError:
                raise typer.BadParameter(f"{day!r} is not a date (YYYY-MM-DD)") from None
        else:
            when = rt.clock.now().astimezone(tz) + timedelta(days=1)
        return await send_reminders(rt, when)

    sent, failed = run(work)
    out.print(f"reminded {sent} visits; {failed} deliveries failed")
