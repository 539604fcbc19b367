"""Read the "Anonymous Bank" call log (../shared/data/callcenter) into arrays.

One row per call, 17 tab-separated fields (see that folder's README). Kept: calls that
reached the agents' queue, i.e. outcome AGENT (served) or HANG after q_start (abandoned in
the queue). Dropped, and counted: PHANTOM rows (the data set's own "ignore" marker) and
HANG rows without a queue entry (the caller left in the voice-response unit, before asking
for an agent). Times are seconds since that day's midnight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FILE_NAME = "anonymous_bank_1999-02_calls.tsv"
FIELDS = (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
    "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time",
    "server",
)  # fmt: skip
NO_TIME = "0:00:00"
DAY_S = 86_400.0


class DataError(ValueError):
    """The log is missing or malformed; the message names the file and the line."""


@dataclass(frozen=True, eq=False)
class CallLog:
    dates: tuple[date, ...]
    day: NDArray[np.int64]  # index into dates
    arrival: NDArray[np.float64]  # entering the queue (or reaching an agent at once)
    answered: NDArray[np.bool_]
    wait: NDArray[np.float64]  # q_time: to answer, or to hanging up
    service: NDArray[np.float64]  # ser_time of answered calls, 0 for abandoned ones
    # The log's priority (0, 1, 2) and whether the call entered the queue (q_start set) or
    # went straight from the voice-response unit to a free agent. The bank labels almost
    # every call that never queued priority 0, so for those the label says nothing.
    priority: NDArray[np.int64]
    queued: NDArray[np.bool_]
    # Who was serving when: per day, (server, service start, service end) of answered calls.
    busy: dict[int, list[tuple[str, float, float]]]
    dropped_phantom: int
    dropped_before_queue: int


def _seconds(text: str, where: str) -> float:
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise DataError(f"{where}: bad time {text!r} (want H:MM:SS)")
    h, m, s = (int(p) for p in parts)
    return float(h * 3600 + m * 60 + s)


def _int(text: str, where: str) -> int:
    if not text.strip().isdigit():
        raise DataError(f"{where}: bad number {text!r}")
    return int(text)


def _date(text: str, where: str) -> date:
    if len(text) != 6 or not text.isdigit():
        raise DataError(f"{where}: bad date {text!r} (want yymmdd)")
    try:
        return date(1900 + int(text[:2]) if int(text[:2]) > 30 else 2000 + int(text[:2]),
                    int(text[2:4]), int(text[4:]))  # fmt: skip
    except ValueError:
        raise DataError(f"{where}: bad date {text!r}") from None


def _after(t: float, ref: float) -> float:
    """A clock time read after ``ref`` on the same call: past midnight if it looks earlier."""
    return t + DAY_S if t + 12 * 3600 < ref else t


def load(folder: Path) -> CallLog:
    path = folder / FILE_NAME if folder.is_dir() else folder
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"no call log at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if not lines or tuple(lines[0].split("\t")) != FIELDS:
        raise DataError(f"{path}:1: header must be the 17 fields of the README")
    days: dict[date, int] = {}
    rows: list[tuple[int, float, bool, float, float, int, bool]] = []
    busy: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    phantom = before_queue = 0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        f = dict(zip(FIELDS, line.split("\t"), strict=False))
        where = f"{path}:{number}"
        if len(f) != len(FIELDS) or len(line.split("\t")) != len(FIELDS):
            raise DataError(f"{where}: want {len(FIELDS)} tab-separated fields")
        outcome = f["outcome"]
        if outcome not in ("AGENT", "HANG", "PHANTOM"):
            raise DataError(f"{where}: unknown outcome {outcome!r}")
        day = days.setdefault(_date(f["date"], where), len(days))
        vru_exit = _seconds(f["vru_exit"], where)
        queued = f["q_start"] != NO_TIME
        if outcome == "PHANTOM":
            phantom += 1
            continue
        if outcome == "HANG" and not queued:
            before_queue += 1
            continue
        arrival = _seconds(f["q_start"], where) if queued else vru_exit
        arrival = _after(arrival, _seconds(f["vru_entry"], where))
        wait = float(_int(f["q_time"], where))
        service = float(_int(f["ser_time"], where)) if outcome == "AGENT" else 0.0
        priority = _int(f["priority"], where)
        rows.append((day, arrival, outcome == "AGENT", wait, service, priority, queued))
        if outcome == "AGENT" and f["server"] != "NO_SERVER":
            start = _after(_seconds(f["ser_start"], where), arrival)
            busy[day].append((f["server"], start, start + service))
    if not rows:
        raise DataError(f"{path}: no calls reached the queue")
    col = list(zip(*rows, strict=True))
    return CallLog(
        dates=tuple(sorted(days, key=days.__getitem__)),
        day=np.array(col[0], dtype=np.int64),
        arrival=np.array(col[1], dtype=np.float64),
        answered=np.array(col[2], dtype=np.bool_),
        wait=np.array(col[3], dtype=np.float64),
        service=np.array(col[4], dtype=np.float64),
        priority=np.array(col[5], dtype=np.int64),
        queued=np.array(col[6], dtype=np.bool_),
        busy=dict(busy),
        dropped_phantom=phantom,
        dropped_before_queue=before_queue,
    )
