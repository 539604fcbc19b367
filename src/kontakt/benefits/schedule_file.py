"""Reading the benefits centre's CSV export into checked payment lines.

The format (docs/benefits.md): UTF-8 (a byte-order mark is fine), a header row naming the
columns ``case_number``, ``pesel``, ``benefit`` and ``payment_date`` in any order (other
columns are ignored), ``;`` or ``,`` between fields (whichever the header uses), dates as
``2026-12-15`` or ``15.12.2026``. One bad line rejects the whole file: half a schedule would
tell some callers "no payment" when there is one.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime

from kontakt.benefits.identity import (
    InvalidCaseNumber,
    InvalidPesel,
    check_pesel,
    normalize_case_number,
)

COLUMNS = ("case_number", "pesel", "benefit", "payment_date")
BENEFIT_MAX_LEN = 120
# Dates the voice can read out (see ``spoken``), and a guard against a mistyped century.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class ScheduleFileError(ValueError):
    """One plain line naming the line of the file and the problem; no personal data."""


@dataclass(frozen=True)
class PaymentLine:
    line: int
    case_number: str  # normalised
    pesel: str  # 11 valid digits; hashed before it reaches the database
    benefit: str
    payment_date: date


@dataclass(frozen=True)
class ScheduleFile:
    lines: tuple[PaymentLine, ...]
    sha256: str


def read_schedule(data: bytes) -> ScheduleFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScheduleFileError(f"line {line}: the file is not UTF-8 text") from None
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ScheduleFileError("line 1: the file is empty") from None
    except csv.Error as exc:
        raise ScheduleFileError(f"line 1: {_csv_problem(exc)}") from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ScheduleFileError(
            f"line 1: the header has no column {', '.join(missing)}"
            f" (expected {delimiter.join(COLUMNS)})"
        )
    positions = [header.index(c) for c in COLUMNS]
    lines: list[PaymentLine] = []
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue  # blank lines, e.g. at the end of the file
            if len(row) != len(header):
                raise ScheduleFileError(
                    f"line {reader.line_num}: expected {len(header)} fields, found {len(row)}"
                )
            fields = [row[i] for i in positions]
            lines.append(_payment(reader.line_num, *fields))
    except csv.Error as exc:
        raise ScheduleFileError(f"line {reader.line_num}: {_csv_problem(exc)}") from None
    if not lines:
        raise ScheduleFileError("line 2: the file has no payments")
    return ScheduleFile(tuple(lines), hashlib.sha256(data).hexdigest())


def _csv_problem(exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return "a quote opened on this line is never closed"
    return f"this is not valid CSV ({exc})"


def _payment(line: int, case_number: str, pesel: str, benefit: str, when: str) -> PaymentLine:
    try:
        clean_case = normalize_case_number(case_number)
        clean_pesel = check_pesel(pesel)
    except (InvalidCaseNumber, InvalidPesel) as exc:
        raise ScheduleFileError(f"line {line}: {exc}") from None
    clean_benefit = " ".join(benefit.split())
    if not clean_benefit:
        raise ScheduleFileError(f"line {line}: the benefit is empty")
    if len(clean_benefit) > BENEFIT_MAX_LEN or not clean_benefit.isprintable():
        raise ScheduleFileError(
            f"line {line}: the benefit must be plain text of at most {BENEFIT_MAX_LEN} characters"
        )
    return PaymentLine(line, clean_case, clean_pesel, clean_benefit, _date(line, when.strip()))


def parse_payment_date(text: str) -> date:
    """``2026-12-15`` or ``15.12.2026``; raises ValueError."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _date(line: int, text: str) -> date:
    try:
        day = parse_payment_date(text)
    except ValueError:
        raise ScheduleFileError(
            f"line {line}: payment date {text!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ScheduleFileError(f"line {line}: payment date {text!r} is not in 2000–2099")
    return day
