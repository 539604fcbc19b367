"""Dates as the voicebot says them."""

from __future__ import annotations

from datetime import date

import pytest

from kontakt.benefits.spoken import spoken_date


@pytest.mark.parametrize(
    ("day", "pl", "uk", "en"),
    [
        (date(2026, 12, 15), "piętnastego grudnia dwa tysiące dwudziestego szóstego roku",
         "п'ятнадцятого грудня дві тисячі двадцять шостого року", "the 15th of December 2026"),
        (date(2030, 1, 1), "pierwszego stycznia dwa tysiące trzydziestego roku",
         "першого січня дві тисячі тридцятого року", "the 1st of January 2030"),
        (date(2041, 5, 22), "dwudziestego drugiego maja dwa tysiące czterdziestego pierwszego roku",
         "двадцять другого травня дві тисячі сорок першого року", "the 22nd of May 2041"),
        (date(2000, 3, 31), "trzydziestego pierwszego marca dwutysięcznego roku",
         "тридцять першого березня двохтисячного року", "the 31st of March 2000"),
        (date(2012, 11, 13), "trzynastego listopada dwa tysiące dwunastego roku",
         "тринадцятого листопада дві тисячі дванадцятого року", "the 13th of November 2012"),
        (date(2099, 8, 20),
         "dwudziestego sierpnia dwa tysiące dziewięćdziesiątego dziewiątego roku",
         "двадцятого серпня дві тисячі дев'яносто дев'ятого року", "the 20th of August 2099"),
    ],
)  # fmt: skip
def test_dates_in_words(day: date, pl: str, uk: str, en: str) -> None:
    assert [spoken_date(day, lang) for lang in ("pl", "uk", "en")] == [pl, uk, en]


def test_years_outside_the_schedule_are_refused() -> None:
    with pytest.raises(ValueError, match="1999"):
        spoken_date(date(1999, 12, 31), "pl")
