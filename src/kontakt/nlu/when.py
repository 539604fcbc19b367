"""When a resident wants a visit: "jutro rano", "у п'ятницю о 10", "next Monday afternoon".

Our own rules read the clock, the parts of day and the plain day words, because Duckling gets
exactly those wrong for booking ("15 maja o 12" is midnight, "15.12" a clock time, "za tydzień"
next Monday, "wpół do jedenastej" nothing, "o десятій" a date). Duckling is asked once, only
when our rules found no day, for the calendar expressions we do not cover ("piętnastego maja",
"koniec miesiąca", "early December"). Everything is then placed in office hours and in the
future: nobody books a visit for a time that has already passed.

The word lists and patterns are in `when_words`, the extractors that apply them in
`when_scan`; this module combines what they found into one window and asks Duckling.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kontakt.nlu.when_scan import _Day, _hour24, _next_month, _Scan
from kontakt.nlu.when_words import _CALENDAR_WORD, _fold


@dataclass(frozen=True)
class When:
    start: datetime  # aware, in the parser's zone
    end: datetime  # exclusive; for an exact time the window is the one minute that was named
    exact: bool  # a clock time was said; False for a day, a week or a part of day
    text: str = ""  # the span of the input that was understood


# ---------------------------------------------------------------------------------------------
# Duckling: loaded once per process.

_duckling_lock = threading.Lock()
_duckling_zones: dict[Path, Any] = {}


def _duckling(zoneinfo_dir: Path) -> tuple[Any, Any]:
    """The module and its time-zone table. Importing it starts the Haskell runtime, which
    must happen once per process, hence the lock around the first import."""
    with _duckling_lock:
        import duckling

        if zoneinfo_dir not in _duckling_zones:
            _duckling_zones[zoneinfo_dir] = duckling.load_time_zones(str(zoneinfo_dir))
        return duckling, _duckling_zones[zoneinfo_dir]


def _duckling_input(text: str, scan: _Scan) -> tuple[int, str]:
    """What Duckling should read, and where in `text` it starts: the text our rules left,
    near words that can start a date. Duckling is superlinear on digit-heavy text (a 1000-char
    run of "1." takes 70 ms), and a hit without a calendar word or digit is dropped anyway,
    so only a budget of characters around those is kept. Non-printables become spaces, since
    a NUL byte panics Duckling's Rust wrapper.
    """
    keep = [False] * len(text)
    budget = 300
    for m in re.finditer(rf"\d+|{_CALENDAR_WORD.pattern}", scan.text):
        if budget <= 0:
            break
        lo, hi = max(0, m.start() - 40), min(len(text), m.end() + 40)
        budget -= hi - lo - sum(keep[lo:hi])
        keep[lo:hi] = [True] * (hi - lo)
    rest = "".join(
        c if k and c.isprintable() and not taken else " "
        for c, k, taken in zip(text, keep, scan.taken, strict=True)
    )
    # Runs of blanks cost Duckling time too, so only the stretch that has text is passed.
    offset = len(rest) - len(rest.lstrip())
    return offset, rest.strip()


_DUCKLING_LANGS = {"pl": "PL", "uk": "UK", "en": "EN", "ru": "RU"}


class WhenParser:
    """Turns what a resident says about a visit time into a window; thread-safe."""

    def __init__(
        self,
        tz: str = "Europe/Warsaw",
        zoneinfo_dir: Path = Path("/usr/share/zoneinfo"),
        day_start: time = time(7, 30),
        day_end: time = time(20, 0),
    ) -> None:
        self._tz_name = tz
        self._tz = ZoneInfo(tz)
        self._zoneinfo_dir = zoneinfo_dir
        self._day_start = day_start
        self._day_end = day_end

    def parse(self, text: str, lang: str, now: datetime) -> When | None:
        """The window the resident means, or None when no date or time is said.

        `lang` is pl, uk, en or ru and only picks Duckling's grammar: our rules accept all
        three languages at once, since residents mix them. Never raises.
        """
        try:
            return self._parse(text or "", lang, now)
        except Exception:  # a dialogue turn must survive any input; unparsed means "ask again"
            return None
        except BaseException as exc:  # pyo3 panics from Duckling derive from BaseException
            if type(exc).__name__ != "PanicException":
                raise
            return None

    def _parse(self, text: str, lang: str, now: datetime) -> When | None:
        now = now.astimezone(self._tz) if now.tzinfo else now.replace(tzinfo=self._tz)
        scan = _Scan(_fold(text[:2000]), now.date())
        scan.run()
        if not scan.days:
            scan.days.extend(self._duckling_days(text[:2000], scan, lang, now))
        return self._resolve(scan, text, now)

    def _duckling_days(self, text: str, scan: _Scan, lang: str, now: datetime) -> list[_Day]:
        offset, rest = _duckling_input(text, scan)
        if not rest:
            return []
        duckling, zones = _duckling(self._zoneinfo_dir)
        ref = duckling.parse_ref_time(zones, self._tz_name, int(now.timestamp()))
        lang_code = duckling.parse_lang(_DUCKLING_LANGS.get(lang, "PL"))
        context = duckling.Context(ref, duckling.default_locale_lang(lang_code))
        hits = json.loads(
            duckling.parse_text(rest, context, duckling.parse_dimensions(["time"]), False)
        )
        for hit in hits:
            span = (offset + int(hit["start"]), offset + int(hit["end"]))
            said = scan.text[span[0] : span[1]]
            dated = hit["value"].get("grain") in ("day", "week", "month") and re.search(r"\d", said)
            if hit.get("latent") or not (dated or _CALENDAR_WORD.search(said)):
                continue
            day = self._duckling_day(hit["value"], span, now.date())
            if day is not None:
                return [day]
        return []

    def _duckling_day(
        self, value: dict[str, Any], span: tuple[int, int], today: date
    ) -> _Day | None:
        def local(point: dict[str, Any] | None) -> tuple[date, str] | None:
            if not point:
                return None
            moment = datetime.fromisoformat(point["value"]).astimezone(self._tz)
            return moment.date(), point["grain"]

        if value.get("type") == "interval":
            start, end = local(value.get("from")), local(value.get("to"))
            first = (start or end or (today, ""))[0]
            last = first
            if start and end:  # "to" is exclusive: the last day is the one before it
                until = datetime.fromisoformat(value["to"]["value"]) - timedelta(microseconds=1)
                last = max(first, until.astimezone(self._tz).date())
            return _Day(max(first, today), last, 4, span)
        point = local(value)
        if point is None:
            return None
        first, grain = point
        if grain not in ("day", "week", "month"):
            # Clock times are ours (Duckling's "na 2" is 14:00), and "teraz" or "w tym roku"
            # name no day anyone can book.
            return None
        last = first
        if grain == "week":
            last = first + timedelta(days=4)
        elif grain == "month":
            last = _next_month(first) - timedelta(days=1)
        return _Day(max(first, today), last, 4, span)

    def _resolve(self, scan: _Scan, text: str, now: datetime) -> When | None:
        day = min(scan.days, key=lambda d: (d.rank, d.span[0]), default=None)
        clock = scan.clocks[0] if scan.clocks else None
        part = scan.parts[0] if scan.parts else None
        if day is None and clock is None and part is None:
            return None
        spans = [c.span for c in (clock, part) if c is not None]
        if day is not None:
            week = next((d for d in scan.days if d.week_shift is not None), None)
            if day.weekday is not None and week is not None and week.week_shift is not None:
                # "w przyszłym tygodniu w czwartek", "у п'ятницю через тиждень"
                monday = now.date() - timedelta(days=now.date().weekday() - 7 * week.week_shift)
                first = monday + timedelta(days=day.weekday)
                day = _Day(first, first, day.rank, day.span)
                spans.append(week.span)
            # "w sobotę 5 grudnia": every mention of the chosen day is part of what was understood
            spans += [d.span for d in scan.days if d.first == day.first] + [day.span]
        understood = text[min(s[0] for s in spans) : max(s[1] for s in spans)].strip(" ,.;!?")

        if clock is not None and (day is None or day.first == day.last):
            moment = time(_hour24(clock, part), clock.minute)
            start = self._at(day.first if day else now.date(), moment)
            if start <= now and (day is None or day.same_day):
                start = self._at(start.date() + timedelta(days=7 if day else 1), moment)
            return When(start, start + timedelta(minutes=1), True, understood)

        first = day.first if day else now.date()
        last = day.last if day else first
        start = self._at(first, part.start if part and part.start else self._day_start)
        end = self._at(last, part.end if part and part.end else self._day_end)
        if day is None and end <= now:
            start, end = start + timedelta(days=1), end + timedelta(days=1)
        elif day is not None and day.same_day and (part is None or end <= now):
            # "w środę" said on a Wednesday means next week unless a time still ahead is named.
            start, end = start + timedelta(days=7), end + timedelta(days=7)
        if end <= start:  # "po 21", "before 7": the bound lies outside office hours
            if part is not None and part.start is None:
                start = self._at(first, time(0))
            else:
                end = self._at(last + timedelta(days=1), time(0))
        if start < now < end:
            start = now
        return When(start, end, False, understood)

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment.replace(tzinfo=None), tzinfo=self._tz)
