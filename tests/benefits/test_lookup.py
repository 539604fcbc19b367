"""The lookup behind the phone: a date only for a case number and PESEL that belong together."""

from __future__ import annotations

from datetime import date

from kontakt.benefits.identity import pesel_digest
from kontakt.benefits.service import PaymentInfo
from kontakt.runtime import Runtime
from tests.benefits.helpers import ANNA, BOGDAN, CELINA, load, lookup, sample


async def test_both_must_match_and_nothing_else_is_revealed(runtime: Runtime) -> None:
    await load(runtime, sample())
    assert await lookup(runtime, *ANNA) == PaymentInfo(
        date(2026, 12, 15), ("świadczenie wychowawcze 800+",), upcoming=True
    )
    # Anna's case number with Bogdan's PESEL (and the reverse): someone else's data, so None.
    assert await lookup(runtime, ANNA[0], BOGDAN[1]) is None
    assert await lookup(runtime, BOGDAN[0], ANNA[1]) is None
    assert await lookup(runtime, "ŚW/0101/2025", ANNA[1]) is None
    assert await lookup(runtime, ANNA[0], "85031412348") is None  # bad check digit
    assert await lookup(runtime, "", ANNA[1]) is None


async def test_keyed_digits_find_the_written_case_number(runtime: Runtime) -> None:
    await load(runtime, sample())
    assert await lookup(runtime, "01012026", ANNA[1]) == await lookup(runtime, *ANNA)


async def test_a_payment_today_is_still_next_and_a_day_later_the_following_one(
    runtime: Runtime,
) -> None:
    await load(runtime, sample())
    today = await lookup(runtime, *ANNA, today=date(2026, 12, 15))
    after = await lookup(runtime, *ANNA, today=date(2026, 12, 16))
    assert today is not None and today.day == date(2026, 12, 15)
    assert after is not None and after.day == date(2027, 1, 15)


async def test_every_benefit_of_the_day_and_the_last_payment_when_none_is_planned(
    runtime: Runtime,
) -> None:
    await load(runtime, sample())
    assert await lookup(runtime, *BOGDAN) == PaymentInfo(
        date(2026, 12, 16),
        ("zasiłek rodzinny", "dodatek z tytułu samotnego wychowywania dziecka"),
        upcoming=True,
    )
    assert await lookup(runtime, *CELINA) == PaymentInfo(
        date(2026, 9, 30), ("świadczenie Dobry Start 300+",), upcoming=False
    )


def test_the_digest_depends_on_the_installation_key() -> None:
    assert pesel_digest(ANNA[1], "one key") != pesel_digest(ANNA[1], "another key")
    assert pesel_digest(ANNA[1], "one key") == pesel_digest(ANNA[1], "one key")
