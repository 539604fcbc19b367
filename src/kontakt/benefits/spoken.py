"""Dates as a person says them on the phone, in words.

espeak-ng reads "15 grudnia 2026" as cardinals ("piętnaście grudnia dwa tysiące dwadzieścia
sześć"), which no Pole says; dates are ordinals in the genitive ("piętnastego grudnia dwa
tysiące dwudziestego szóstego roku"). Polish and Ukrainian are therefore written out here;
English espeak already reads "the 15th of December 2026" naturally. Years 2000–2099 are
spelled out (the schedule accepts no others).
"""

from __future__ import annotations

from datetime import date

PL_MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
             "sierpnia", "września", "października", "listopada", "grudnia")  # fmt: skip
PL_UNITS = ("", "pierwszego", "drugiego", "trzeciego", "czwartego", "piątego", "szóstego",
            "siódmego", "ósmego", "dziewiątego")  # fmt: skip
PL_TEENS = ("dziesiątego", "jedenastego", "dwunastego", "trzynastego", "czternastego",
            "piętnastego", "szesnastego", "siedemnastego", "osiemnastego",
            "dziewiętnastego")  # fmt: skip
PL_TENS = ("", "", "dwudziestego", "trzydziestego", "czterdziestego", "pięćdziesiątego",
           "sześćdziesiątego", "siedemdziesiątego", "osiemdziesiątego",
           "dziewięćdziesiątego")  # fmt: skip

UK_MONTHS = ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
             "вересня", "жовтня", "листопада", "грудня")  # fmt: skip
UK_UNITS = ("", "першого", "другого", "третього", "четвертого", "п'ятого", "шостого",
            "сьомого", "восьмого", "дев'ятого")  # fmt: skip
UK_TEENS = ("десятого", "одинадцятого", "дванадцятого", "тринадцятого", "чотирнадцятого",
            "п'ятнадцятого", "шістнадцятого", "сімнадцятого", "вісімнадцятого",
            "дев'ятнадцятого")  # fmt: skip
UK_TENS_ORDINAL = ("", "", "двадцятого", "тридцятого", "сорокового", "п'ятдесятого",
                   "шістдесятого", "сімдесятого", "вісімдесятого", "дев'яностого")  # fmt: skip
# In Ukrainian only the last word of a compound ordinal inflects: "двадцять шостого".
UK_TENS_CARDINAL = ("", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят",
                    "сімдесят", "вісімдесят", "дев'яносто")  # fmt: skip

EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


def spoken_date(day: date, lang: str) -> str:
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"cannot say the year {day.year}")
    if lang == "uk":
        return f"{_uk_ordinal(day.day)} {UK_MONTHS[day.month - 1]} {_uk_year(day.year)} року"
    if lang == "en":
        return f"the {day.day}{_en_suffix(day.day)} of {EN_MONTHS[day.month - 1]} {day.year}"
    return f"{_pl_ordinal(day.day)} {PL_MONTHS[day.month - 1]} {_pl_year(day.year)} roku"


def _pl_ordinal(n: int) -> str:
    """Genitive masculine ordinal of 1..99 ("dwudziestego szóstego")."""
    if n < 10:
        return PL_UNITS[n]
    if n < 20:
        return PL_TEENS[n - 10]
    tens, units = divmod(n, 10)
    return f"{PL_TENS[tens]} {PL_UNITS[units]}".strip()


def _pl_year(year: int) -> str:
    rest = year - 2000
    return "dwutysięcznego" if rest == 0 else f"dwa tysiące {_pl_ordinal(rest)}"


def _uk_ordinal(n: int) -> str:
    if n < 10:
        return UK_UNITS[n]
    if n < 20:
        return UK_TEENS[n - 10]
    tens, units = divmod(n, 10)
    return UK_TENS_ORDINAL[tens] if units == 0 else f"{UK_TENS_CARDINAL[tens]} {UK_UNITS[units]}"


def _uk_year(year: int) -> str:
    rest = year - 2000
    return "двохтисячного" if rest == 0 else f"дві тисячі {_uk_ordinal(rest)}"


def _en_suffix(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
