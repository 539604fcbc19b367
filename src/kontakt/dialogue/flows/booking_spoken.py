"""Times and codes as the booking flow says them on the phone ("phone" conversations).

The chat writes "środa 26.11, 12:30"; espeak-ng reads that as "dwadzieścia sześć kropka
jedenaście", which nobody says. On the phone a visit is "w środę, dwudziestego szóstego
listopada, o dwunastej 30": the weekday with its preposition, the day as an ordinal (the
benefit dates' words, without the year: a visit is at most a few months ahead), the hour as
the feminine ordinal Poles and Ukrainians use, the minutes as a number. A confirmation code
is spelled one character at a time, with pauses, since "K7M4RX" read as a word is lost.
"""

from __future__ import annotations

from datetime import datetime

from kontakt.benefits.spoken import EN_MONTHS, PL_MONTHS, UK_MONTHS, spoken_date
from kontakt.hours import WARSAW

PL_DAYS = ("w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę",
           "w niedzielę")  # fmt: skip
UK_DAYS = ("у понеділок", "у вівторок", "у середу", "у четвер", "у п'ятницю", "у суботу",
           "у неділю")  # fmt: skip
EN_DAYS = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
           "on Saturday", "on Sunday")  # fmt: skip
# "o dziewiątej", "о дев'ятій": the hour is a feminine ordinal in the locative (0 = midnight).
PL_HOURS = ("północy", "pierwszej", "drugiej", "trzeciej", "czwartej", "piątej", "szóstej",
            "siódmej", "ósmej", "dziewiątej", "dziesiątej", "jedenastej", "dwunastej",
            "trzynastej", "czternastej", "piętnastej", "szesnastej", "siedemnastej",
            "osiemnastej", "dziewiętnastej", "dwudziestej", "dwudziestej pierwszej",
            "dwudziestej drugiej", "dwudziestej trzeciej")  # fmt: skip
UK_HOURS = ("півночі", "першій", "другій", "третій", "четвертій", "п'ятій", "шостій",
            "сьомій", "восьмій", "дев'ятій", "десятій", "одинадцятій", "дванадцятій",
            "тринадцятій", "чотирнадцятій", "п'ятнадцятій", "шістнадцятій", "сімнадцятій",
            "вісімнадцятій", "дев'ятнадцятій", "двадцятій", "двадцять першій",
            "двадцять другій", "двадцять третій")  # fmt: skip


def spoken_when(start: datetime, lang: str) -> str:
    """The start of a visit in words, in Poznań's local time."""
    local = start.astimezone(WARSAW)
    day = _day_month(local, lang)
    if lang == "uk":
        hour = UK_HOURS[local.hour]
        at = "об" if hour.startswith("о") else "о"  # "об одинадцятій", "о восьмій"
        return f"{UK_DAYS[local.weekday()]}, {day}, {at} {hour}{_minutes(local, 'нуль')}"
    if lang == "en":
        return f"{EN_DAYS[local.weekday()]}, {day}, at {_en_time(local)}"
    return f"{PL_DAYS[local.weekday()]}, {day}, o {PL_HOURS[local.hour]}{_minutes(local, 'zero')}"


def _day_month(local: datetime, lang: str) -> str:
    """The spoken date up to its month: "dwudziestego szóstego listopada"."""
    months = {"uk": UK_MONTHS, "en": EN_MONTHS}.get(lang, PL_MONTHS)
    month = months[local.month - 1]
    full = spoken_date(local.date(), lang if lang in ("uk", "en") else "pl")
    return full[: full.index(month) + len(month)]


def _minutes(local: datetime, zero: str) -> str:
    """Full hours have no minutes ("o dziewiątej"); 9:05 is "o dziewiątej zero 5"."""
    if local.minute == 0:
        return ""
    return f" {zero} {local.minute}" if local.minute < 10 else f" {local.minute}"


def _en_time(local: datetime) -> str:
    """Twelve-hour time, "9:30 am" or "1 pm": espeak reads "9:00" as "nine colon zero zero"
    (and "p.m." would end the sentence twice)."""
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d}" if local.minute else str(hour)
    return f"{clock} {'am' if local.hour < 12 else 'pm'}"


def spelled(code: str) -> str:
    """One character at a time, with pauses: "K, 7, M, 4, R, X"."""
    return ", ".join(code)


def spoken_digits(digits: str) -> str:
    """A phone number in groups of three digits ("6 0 1, 2 3 4, 5 6 7"), as people say it."""
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return ", ".join(" ".join(group) for group in groups)
