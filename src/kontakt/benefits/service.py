"""The schedule as the rest of kontakt uses it: import an export, and look up one person's
next payment. No HTTP, no voice: the phone flow and the CLI both call these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Insert, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.benefits.events import BenefitScheduleImported
from kontakt.benefits.identity import InvalidPesel, case_key, check_pesel, pesel_digest
from kontakt.benefits.models import BenefitPayment
from kontakt.benefits.schedule_file import ScheduleFile
from kontakt.clock import Clock
from kontakt.events import record

CHUNK = 1000  # rows per INSERT statement


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    removed: int


@dataclass(frozen=True)
class PaymentInfo:
    """What may be read out to a caller who gave a matching case number and PESEL."""

    day: date
    benefits: tuple[str, ...]  # every benefit paid that day on this case
    upcoming: bool  # False: nothing is planned, and ``day`` is the last payment made


async def import_schedule(
    session: AsyncSession, schedule: ScheduleFile, *, secret: str, clock: Clock, replace: bool
) -> ImportResult:
    """Add the file's payments to the schedule, or with ``replace`` make the file the whole
    schedule. All in the caller's transaction: readers see the old schedule or the new one,
    never a mix. A payment already in the schedule is not added twice."""
    now = clock.now()
    batch = uuid.uuid4()
    removed = 0
    if replace:
        removed = await _count(session)
        await session.execute(delete(BenefitPayment))
    before = await _count(session)
    values = [
        {
            "case_number": p.case_number,
            "case_key": case_key(p.case_number),
            "pesel_digest": pesel_digest(p.pesel, secret),
            "benefit": p.benefit,
            "payment_date": p.payment_date,
            "batch": batch,
            "imported_at": now,
        }
        for p in schedule.lines
    ]
    statement = _insert_ignoring_duplicates(session)
    for start in range(0, len(values), CHUNK):
        await session.execute(statement, values[start : start + CHUNK])
    added = await _count(session) - before
    await record(
        session,
        BenefitScheduleImported(
            batch=str(batch),
            rows=len(values),
            added=added,
            replaced=replace,
            removed=removed,
            file_sha256=schedule.sha256,
        ),
        at=now,
    )
    return ImportResult(rows=len(values), added=added, removed=removed)


def _insert_ignoring_duplicates(session: AsyncSession) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(BenefitPayment).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(BenefitPayment).on_conflict_do_nothing()
    return insert(BenefitPayment)


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(BenefitPayment)) or 0)


async def next_payment(
    session: AsyncSession, case_number: str, pesel: str, today: date, *, secret: str
) -> PaymentInfo | None:
    """The first payment on or after ``today`` (else the last one) of the case, only when the
    case number and the PESEL belong together; None otherwise, whichever of the two is wrong.

    ``case_number`` may be written ("ŚR.5230.12.2026") or keyed ("5230122026").
    """
    key = case_key(case_number)
    try:
        digest = pesel_digest(check_pesel(pesel), secret)
    except InvalidPesel:
        return None
    if not key:
        return None
    rows = (
        await session.execute(
            select(BenefitPayment.payment_date, BenefitPayment.benefit)
            .where(BenefitPayment.case_key == key, BenefitPayment.pesel_digest == digest)
            .order_by(BenefitPayment.payment_date, BenefitPayment.id)
        )
    ).all()
    if not rows:
        return None
    upcoming = [r for r in rows if r.payment_date >= today]
    day = upcoming[0].payment_date if upcoming else rows[-1].payment_date
    benefits = tuple(dict.fromkeys(r.benefit for r in rows if r.payment_date == day))
    return PaymentInfo(day=day, benefits=benefits, upcoming=bool(upcoming))
