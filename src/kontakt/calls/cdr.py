"""Reading a call distributor's CDR export (CSV) into call records. Columns: docs/calls.md.

PBX and ACD exports differ in small ways, so the reader accepts what they commonly do: comma
or semicolon separators (a Polish spreadsheet saves with semicolons), a decimal comma,
durations as seconds or [h:]mm:ss, local times without an offset (taken as Europe/Warsaw,
where the office is). It accepts nothing else: an unknown column is a typo that would
silently drop data, so it stops the import like any other error, with the file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kontakt.calls.records import CallRecord, RecordError
from kontakt.hours import WARSAW

REQUIRED = ("call_id", "direction", "started_at")
OPTIONAL = (
    "language", "queue", "topic", "bot_s", "bot_method", "self_service", "waited_s",
    "answered", "talk_s", "wrap_s", "agent", "campaign",
)  # fmt: skip
SECONDS = ("bot_s", "waited_s", "talk_s", "wrap_s")
_TRUE = {"1", "true", "yes", "y", "t", "tak"}
_FALSE = {"0", "false", "no", "n", "f", "nie", ""}
MAX_BYTES = 2_000_000_000


class CdrError(Exception):
    """One line naming the file, the line and the column."""


def _seconds(text: str) -> float:
    text = text.strip().replace(",", ".")
    if not text:
        return 0.0
    if ":" in text:
        parts = text.split(":")
        if len(parts) > 3 or not all(p.strip().replace(".", "", 1).isdigit() for p in parts):
            raise ValueError(text)
        total = 0.0
        for part in parts:
            total = total * 60 + float(part)
        return total
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        raise ValueError(text)
    return value


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=WARSAW)


def _flag(text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(text)


_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "started_at": (_when, "is not a date and time like 2021-03-01T08:15:00+01:00"),
    "answered": (_flag, "is not yes/no (1/0, true/false, tak/nie)"),
    **{name: (_seconds, "is not a number of seconds or [h:]mm:ss") for name in SECONDS},
}


def _dialect(sample: str) -> str:
    header = sample.splitlines()[0] if sample else ""
    return ";" if header.count(";") > header.count(",") else ","


def read_cdr(path: Path) -> list[CallRecord]:
    """Every record of the file, or CdrError at the first bad line (nothing half-read)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CdrError(f"{path}: larger than {MAX_BYTES:,} bytes; split the export")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CdrError(f"{path}: not UTF-8 text; export the CSV as UTF-8") from None
    return parse_cdr(text, str(path))


def parse_cdr(text: str, name: str = "<csv>") -> list[CallRecord]:
    reader = csv.DictReader(io.StringIO(text), delimiter=_dialect(text[:4096]))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise CdrError(f"{name}: empty file; the first line names the columns")
    reader.fieldnames = header
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise CdrError(f"{name}:1: unknown column {unknown[0]!r} (see docs/calls.md)")
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise CdrError(f"{name}:1: missing column {missing[0]!r}")
    records: list[CallRecord] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise CdrError(f"{name}:{line}: more fields than columns")
        values: dict[str, Any] = {}
        for column, raw in row.items():
            if raw is None:
                raise CdrError(f"{name}:{line}: fewer fields than columns")
            parse, what = _PARSERS.get(column, (str.strip, ""))
            try:
                values[column] = parse(raw)
            except ValueError:
                raise CdrError(f"{name}:{line}: column {column!r}: {raw!r} {what}") from None
        values["language"] = values.get("language") or "pl"
        try:
            record = CallRecord(**values).validate()
        except RecordError as exc:
            raise CdrError(f"{name}:{line}: {exc}") from None
        if record.call_id in seen:
            raise CdrError(
                f"{name}:{line}: call_id {record.call_id!r} is also on line {seen[record.call_id]}"
            )
        seen[record.call_id] = line
        records.append(record)
    return records
