"""The extractors of our own rules: find days, clock times and parts of day in folded text.

Kept apart from `WhenParser` so that what a phrase *says* (this module) and what it *means*
for a booking, once combined, placed in office hours and in the future (`kontakt.nlu.when`),
can be read and changed separately. Extractors run in priority order and a character belongs
to one component only, which is how "15.12" becomes a date and not also a clock time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from kontakt.nlu.when_words import (
    _HOUR_WORDS,
    _IN_CLOCK,
    _ISO_DATE,
    _MINUTE_WORDS,
    _MONTH_THIRDS,
    _MONTHS,
    _MONTHS_IN,
    _NEGATION,
    _NOT_A_CLOCK,
    _NOUN_AFTER_ORDINAL,
    _NUMBERS,
    _OFFSET_WORDS,
    _PHONE_LIKE,
    _R_AFTER,
    _R_AT_NUMBER,
    _R_BARE_HOUR_AFTER_DAY,
    _R_BEFORE,
    _R_BETWEEN,
    _R_COLON,
    _R_DAY_MONTH,
    _R_HALF_BEFORE,
    _R_IN_DAYS,
    _R_MONTH,
    _R_MONTH_DAY,
    _R_NOON,
    _R_NUMBER_AMPM,
    _R_NUMERIC_DATE,
    _R_PARTS,
    _R_PAST,
    _R_QUARTER_ON,
    _R_RELATIVE,
    _R_SPELLED,
    _R_TO,
    _R_WEEK,
    _R_WEEKDAY,
    _RELATIVE_DAYS,
    _WEEKDAYS,
    _key,
)


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    explicit: bool  # am/pm, a leading zero or a 24-hour value: no office-hours guessing
    span: tuple[int, int]


@dataclass(frozen=True)
class _Part:
    start: time | None  # None: the parser's day_start
    end: time | None  # None: the parser's day_end
    pm: bool | None  # which half of the day bare hours belong to
    span: tuple[int, int]


@dataclass(frozen=True)
class _Day:
    first: date
    last: date
    rank: int  # explicit dates beat weekdays, which beat relative days and weeks
    span: tuple[int, int]
    weekday: int | None = None  # a plain weekday: moved into a named week if one is given
    week_shift: int | None = None  # "next week" = 1, "za dwa tygodnie" = 2
    same_day: bool = False  # a weekday named on that weekday: today only if the time is ahead


def _clock(hour: int, minute: int, explicit: bool, span: tuple[int, int], ap: str | None) -> _Clock:
    if ap:
        pm = ap[0] in "pвд"  # pm, вечора/вечера, дня
        hour = hour % 12 + (12 if pm else 0)
        explicit = True
    return _Clock(hour, minute, explicit or hour > 12 or hour == 0, span)


def _clock_word(word: str) -> int:
    return int(word) if word.isdigit() else _HOUR_WORDS[word]


@dataclass
class _Scan:
    """Runs extractors in priority order; a character can belong to one component only."""

    text: str
    today: date
    taken: list[bool] = field(default_factory=list)
    days: list[_Day] = field(default_factory=list)
    clocks: list[_Clock] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.text)

    def free(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for m in pattern.finditer(self.text):
            if m.end() > m.start() and not any(self.taken[m.start() : m.end()]):
                yield m

    def claim(self, m: re.Match[str]) -> bool:
        """Take the span; False when it is negated ("nie w środę"), so the caller drops it."""
        self.taken[m.start() : m.end()] = [True] * (m.end() - m.start())
        return not _NEGATION.search(self.text[max(0, m.start() - 12) : m.start()])

    def blank_numbers(self) -> None:
        for m in _PHONE_LIKE.finditer(self.text):
            if not _ISO_DATE.search(m.group()):
                self.taken[m.start() : m.end()] = [True] * (m.end() - m.start())

    def run(self) -> None:
        self.blank_numbers()
        self._dates()
        self._structured_clocks()
        self._ranges()
        self._digit_clocks()
        self._parts()
        self._days()

    def _add_date(self, m: re.Match[str], day: int, month: int, year: str | None) -> bool:
        full_year = self.today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
        try:
            when = date(full_year, month, day)
            if year is None and when < self.today:
                when = when.replace(year=when.year + 1)  # "15 maja" in November is next May
        except ValueError:  # "31.11", or 29 February moved into a common year
            return False
        if self.claim(m):
            self.days.append(_Day(when, when, 0, m.span()))
        return True

    def _dates(self) -> None:
        for m in self.free(_ISO_DATE):
            self._add_date(m, int(m["d"]), int(m["m"]), m["y"])
        for m in self.free(_R_NUMERIC_DATE):
            before = self.text[max(0, m.start() - 8) : m.start()]
            if m["sep"] == "." and re.search(r"(?:\bo|godz\.?|godzinie|\bat|\bо|\bоб)\s+$", before):
                continue  # "o 10.30" is a clock time
            if not self._add_date(m, int(m["d"]), int(m["m"]), m["y"]) and m["sep"] == ".":
                self._numeric_clock(m)  # "10.30": no month 30, so a clock time
        for pattern in (_R_DAY_MONTH, _R_MONTH_DAY):
            for m in self.free(pattern):
                self._add_date(m, int(m["d"]), _MONTHS[m["mon"]], m["y"])

    def _numeric_clock(self, m: re.Match[str]) -> None:
        hour, minute = int(m["d"]), int(m["m"])
        if hour < 24 and minute < 60 and m["y"] is None and self.claim(m):
            self.clocks.append(_clock(hour, minute, m["d"].startswith("0"), m.span(), None))

    def _structured_clocks(self) -> None:
        for pattern, minute in ((_R_HALF_BEFORE, 30), (_R_QUARTER_ON, 15)):
            for m in self.free(pattern):
                self._add_before(m, _clock_word(m["n"]), minute)
        for m in self.free(_R_TO):
            self._add_before(
                m, _clock_word(m["n"]), 60 - _OFFSET_WORDS[_key(m["off"] or m["off2"])]
            )
        for m in self.free(_R_PAST):
            hour = _clock_word(m["n"])
            if hour <= 23 and self.claim(m):
                self.clocks.append(
                    _clock(hour, _OFFSET_WORDS[_key(m["off"])], hour > 12, m.span(), None)
                )

    def _add_before(self, m: re.Match[str], named: int, minute: int) -> None:
        # Half/quarter *to* the named hour: "wpół do pierwszej" is 12:30, not 0:30.
        if 1 <= named <= 24 and self.claim(m):
            hour = named - 1 or 12
            self.clocks.append(_Clock(hour, minute, hour > 12, m.span()))

    def _endpoint(self, raw: str) -> time | None:
        m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", raw)
        if m is None:
            return None
        clock = _clock(int(m[1]), int(m[2] or 0), m[1].startswith("0"), (0, 0), m[3])
        if clock.hour > 23 or clock.minute > 59:
            return None
        return time(_hour24(clock, None), clock.minute)

    def _ranges(self) -> None:
        for m in self.free(_R_BETWEEN):
            start = self._endpoint(next(g for g in m.groups()[:-1] if g))
            end = self._endpoint(m["z"])
            if start is not None and end is not None and start < end and self.claim(m):
                self.parts.append(_Part(start, end, None, m.span()))
        for pattern, after in ((_R_AFTER, True), (_R_BEFORE, False)):
            for m in self.free(pattern):
                bound = self._endpoint(m["a"])
                if bound is None or _NOT_A_CLOCK.match(self.text, m.end()):
                    continue
                if self.claim(m):
                    self.parts.append(
                        _Part(bound, None, None, m.span())
                        if after
                        else _Part(None, bound, None, m.span())
                    )

    def _digit_clocks(self) -> None:
        for m in self.free(_R_COLON):
            self._add_clock(m, m["m"])
        for m in self.free(_R_AT_NUMBER):
            if (
                m["at"] in ("в", "у", "к")
                and not m["ap"]
                and not _IN_CLOCK.match(self.text, m.end())
            ):
                continue  # "у 2 варіанті" is not two o'clock
            if m["at"] == "na" and m["m"]:
                continue  # "na 15.12" is a date, left to the date rules
            if m["ap"] == "дня" and m["at"] not in ("о", "об", "в", "к"):
                continue  # Russian "на 3 дня" is three days
            if not _NOT_A_CLOCK.match(self.text, m.end()):
                self._add_clock(m, m["m"])
        for m in self.free(_R_NUMBER_AMPM):
            self._add_clock(m, None)
        for m in self.free(_R_SPELLED):
            word = m["n"] or m["n2"]
            if _NOUN_AFTER_ORDINAL.match(self.text, m.end()) or _NOT_A_CLOCK.match(
                self.text, m.end()
            ):
                continue  # "na drugą opcję" is a choice, not two o'clock
            mm = m["mm"]
            minute = 0 if mm is None else int(mm) if mm.isdigit() else _MINUTE_WORDS[_key(mm)]
            hour = _HOUR_WORDS[word]
            if minute < 60 and self.claim(m):
                self.clocks.append(_clock(hour, minute, hour > 12, m.span(), m["ap"]))
        for m in self.free(_R_NOON):
            if self.claim(m):
                self.clocks.append(_Clock(12, 0, True, m.span()))

    def _add_clock(self, m: re.Match[str], minute: str | None) -> None:
        hour, mins = int(m["h"]), int(minute or 0)
        if hour > 23 or mins > 59:
            return
        if self.claim(m):
            explicit = m["h"].startswith("0") and len(m["h"]) == 2
            self.clocks.append(_clock(hour, mins, explicit, m.span(), m["ap"]))

    def _parts(self) -> None:
        for pattern, start, end, pm in _R_PARTS:
            for m in self.free(pattern):
                if self.claim(m):
                    self.parts.append(_Part(start, end, pm, m.span()))

    def _days(self) -> None:
        today = self.today
        for m in self.free(_R_RELATIVE):
            offset = 2 if "after" in m["w"] else _RELATIVE_DAYS.get(m["w"], 0)
            self._add_day(m, today + timedelta(days=offset), 2)
        for m in self.free(_R_IN_DAYS):
            count = _NUMBERS.get(m["n"] or "a") or int(m["n"])
            weeks = m["u"][0] in "tтнw"
            when = today + timedelta(days=count * (7 if weeks else 1))
            self._add_day(m, when, 2, week_shift=count if weeks else None)
        for m in self.free(_R_WEEK):
            shift = 1 if m["next"] else 0
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
            if monday + timedelta(days=4) < today:  # "this week" said at the weekend
                monday += timedelta(weeks=1)
            self._add_day(m, max(monday, today), 3, week_shift=shift, last=monday + timedelta(4))
        for m in self.free(_R_MONTH):
            self._add_month(m)
        for m in self.free(_R_WEEKDAY):
            weekday = _WEEKDAYS[m["wd"]]
            if m["next"] and m["next"].strip() not in ("this", "coming"):
                monday = today - timedelta(days=today.weekday() - 7)
                self._add_day(m, monday + timedelta(days=weekday), 1)
            else:
                ahead = (weekday - today.weekday()) % 7
                self._add_day(m, today + timedelta(ahead), 1, weekday=weekday, same=ahead == 0)

    def _add_month(self, m: re.Match[str]) -> None:
        month = _MONTHS[m["g"]] if m["g"] else _MONTHS_IN[m["l"]] if m["l"] else self.today.month
        start = date(self.today.year + (month < self.today.month), month, 1)
        third = _MONTH_THIRDS[_key(m["part"])] if m["part"] else None
        first, last = _month_window(start, third)
        if last < self.today:  # "na początku miesiąca" said on the 25th: next month's
            first, last = _month_window(_next_month(start), third)
        self._add_day(m, max(first, self.today), 3, last=last)

    def _add_day(
        self,
        m: re.Match[str],
        first: date,
        rank: int,
        *,
        weekday: int | None = None,
        week_shift: int | None = None,
        last: date | None = None,
        same: bool = False,
    ) -> None:
        if not self.claim(m):
            return
        self.days.append(
            _Day(first, last or first, rank, m.span(), weekday, week_shift, same_day=same)
        )
        # "czwartek 10": a bare number right after a day is the hour.
        after = _R_BARE_HOUR_AFTER_DAY.match(self.text, m.end())
        if after and int(after["h"]) <= 23 and not any(self.taken[m.end() : after.end()]):
            self.taken[m.end() : after.end()] = [True] * (after.end() - m.end())
            self.clocks.append(_clock(int(after["h"]), 0, False, (m.end(), after.end()), None))


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_window(first: date, third: int | None) -> tuple[date, date]:
    """A whole month, or its beginning (1–10), middle (11–20) or end (21–last)."""
    last = _next_month(first) - timedelta(days=1)
    if third is None:
        return first, last
    first = first.replace(day=1 + 10 * third)
    return first, last if third == 2 else first + timedelta(days=9)


def _hour24(clock: _Clock, part: _Part | None) -> int:
    """Office-hours reading of a bare hour: 7–11 morning, 1–6 afternoon, 12 noon."""
    hour = clock.hour
    if clock.explicit:
        return hour
    if part is not None and part.pm is not None:
        return hour + 12 if part.pm and hour < 12 else hour
    return hour + 12 if 1 <= hour <= 6 else hour
