"""Shared by the benefit tests: the demo schedule, CSV files made to order, and imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kontakt.benefits.schedule_file import COLUMNS, read_schedule
from kontakt.benefits.service import ImportResult, PaymentInfo, import_schedule, next_payment
from kontakt.runtime import Runtime
from tests.conftest import CONTENT

SAMPLE = CONTENT / "benefits" / "schedule-sample.csv"
TODAY = date(2026, 11, 25)  # the day of the test clock (tests/conftest.py START)
# People of the sample file (fictional; valid check digits).
ANNA = ("ŚW/0101/2026", "85031412347")  # 800+ on 2026-12-15 (and 2026-11-10, 2027-01-15)
BOGDAN = ("ZR/0202/2026", "90072145628")  # two benefits on 2026-12-16
CELINA = ("DB/0404/2026", "92093077887")  # only a past payment, 2026-09-30
SAMPLE_PESELS = ("85031412347", "90072145628", "78010233914", "92093077887", "05222610488")


def csv_bytes(*rows: tuple[str, str, str, str], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(COLUMNS), *(delimiter.join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


async def load(rt: Runtime, data: bytes, *, replace: bool = False) -> ImportResult:
    schedule = read_schedule(data)
    async with rt.transaction() as session:
        return await import_schedule(
            session,
            schedule,
            secret=rt.settings.resolved_secret_key(),
            clock=rt.clock,
            replace=replace,
        )


async def lookup(rt: Runtime, case: str, pesel: str, today: date = TODAY) -> PaymentInfo | None:
    async with rt.transaction() as session:
        return await next_payment(
            session, case, pesel, today, secret=rt.settings.resolved_secret_key()
        )


def sample() -> bytes:
    return Path(SAMPLE).read_bytes()
