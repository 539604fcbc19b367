"""Short answers in the booking dialogue: the option picked, yes/no, and what the resident wants."""

from __future__ import annotations

import pytest

from kontakt.nlu.choices import (
    booking_intent,
    cancel_booking_intent,
    cancel_intent,
    ordinal,
    reschedule_intent,
    yes_no,
)


@pytest.mark.parametrize(
    ("text", "lang", "index"),
    [
        ("ten drugi", "pl", 1),
        ("drugi", "pl", 1),
        ("druga", "pl", 1),
        ("poproszę drugą opcję", "pl", 1),
        ("numer 2", "pl", 1),
        ("nr 3", "pl", 2),
        ("2", "pl", 1),
        ("1.", "pl", 0),
        ("pierwszy termin", "pl", 0),
        ("pierwszy termin mi pasuje", "pl", 0),
        ("ta trzecia", "pl", 2),
        ("ostatni", "pl", -1),
        ("ten ostatni termin", "pl", -1),
        ("nie pierwszy, tylko drugi", "pl", 1),
        ("drugiej opcji nie", "pl", 1),
        ("na drugą opcję", "pl", 1),
        ("перший", "uk", 0),
        ("другий", "uk", 1),
        ("третій варіант", "uk", 2),
        ("варіант 2", "uk", 1),
        ("давайте останній", "uk", -1),
        ("the second one", "en", 1),
        ("first", "en", 0),
        ("the first one please", "en", 0),
        ("option 3", "en", 2),
        ("the last one", "en", -1),
        ("#2", "en", 1),
    ],
)
def test_ordinal_finds_the_option(text: str, lang: str, index: int) -> None:
    assert ordinal(text, lang) == index


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("o 10", "pl"),
        ("w czwartek o 10", "pl"),
        ("3 grudnia", "pl"),
        ("pierwszego grudnia", "pl"),
        ("o drugiej", "pl"),
        ("wpół do trzeciej", "pl"),
        ("w czwartek", "pl"),
        ("w piątek rano", "pl"),
        ("tak", "pl"),
        ("10", "pl"),
        ("0", "pl"),
        ("601 234 567", "pl"),
        ("", "pl"),
        ("о другій", "uk"),
        ("у четвер", "uk"),
        ("першого грудня", "uk"),
        ("at 10", "en"),
        ("December 3", "en"),
        ("the first of December", "en"),
        ("wait a second", "en"),
        ("first of all, what documents do I need?", "en"),
    ],
)
def test_ordinal_ignores_times_dates_and_other_text(text: str, lang: str) -> None:
    assert ordinal(text, lang) is None


@pytest.mark.parametrize(
    ("text", "lang", "answer"),
    [
        ("tak", "pl", True),
        ("Tak, zgadza się", "pl", True),
        ("zgadza się", "pl", True),
        ("wszystko się zgadza", "pl", True),
        ("potwierdzam", "pl", True),
        ("ok", "pl", True),
        ("OK!", "pl", True),
        ("dobrze", "pl", True),
        ("jasne", "pl", True),
        ("poproszę", "pl", True),
        ("może być", "pl", True),
        ("no tak", "pl", True),
        ("taaak", "pl", True),
        ("👍", "pl", True),
        ("nie ma sprawy", "pl", True),
        ("tak, a o której mam przyjść?", "pl", True),
        ("так", "uk", True),
        ("так, підтверджую", "uk", True),
        ("добре", "uk", True),
        ("звісно", "uk", True),
        ("yes", "en", True),
        ("Yeah", "en", True),
        ("sure", "en", True),
        ("correct", "en", True),
        ("confirm", "en", True),
        ("yes please", "en", True),
        ("no problem", "en", True),
        ("nie", "pl", False),
        ("nie, dziękuję", "pl", False),
        ("Nie, jednak w piątek", "pl", False),
        ("niestety nie", "pl", False),
        ("to mi nie pasuje", "pl", False),
        ("no nie", "pl", False),
        ("ні", "uk", False),
        ("ні, дякую", "uk", False),
        ("не підходить", "uk", False),
        ("no", "en", False),
        ("nope", "en", False),
        ("no, thanks", "en", False),
    ],
)
def test_yes_no_answers(text: str, lang: str, answer: bool) -> None:
    assert yes_no(text, lang) is answer


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("nie wiem", "pl"),
        ("sam nie wiem", "pl"),
        ("może", "pl"),
        ("tak?", "pl"),
        ("tak czy nie?", "pl"),
        ("czy mogę przyjść jutro?", "pl"),
        ("dziękuję", "pl"),
        ("jak wyrobić dowód", "pl"),
        ("dzień dobry", "pl"),
        ("1", "pl"),
        ("2", "pl"),
        ("", "pl"),
        ("no", "pl"),
        ("не знаю", "uk"),
        ("а коли можна прийти?", "uk"),
        ("I don't know", "en"),
        ("not sure", "en"),
        ("ok?", "en"),
        ("good morning", "en"),
        ("what documents do I need?", "en"),
    ],
)
def test_yes_no_leaves_other_text_unanswered(text: str, lang: str) -> None:
    assert yes_no(text, lang) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("anuluj", "pl", True),
        ("Anuluj.", "pl", True),
        ("rezygnuję", "pl", True),
        ("rezygnuje", "pl", True),
        ("nie chcę się umawiać", "pl", True),
        ("jednak nie chcę", "pl", True),
        ("nie chcę już", "pl", True),
        ("przerwij", "pl", True),
        ("stop", "pl", True),
        ("скасувати", "uk", True),
        ("скасуй", "uk", True),
        ("відміна", "uk", True),
        ("cancel", "en", True),
        ("never mind", "en", True),
        ("forget it", "en", True),
        ("nie anuluj", "pl", False),
        ("chcę odwołać wizytę", "pl", False),
        ("w czwartek o 10", "pl", False),
        ("nie, jednak w piątek", "pl", False),
        ("pod koniec grudnia", "pl", False),
        ("відмінно", "uk", False),
        ("скасувати запис", "uk", False),
        ("where is the bus stop?", "en", False),
        ("don't cancel", "en", False),
        ("cancel my appointment", "en", False),
    ],
)
def test_cancel_intent(text: str, lang: str, expected: bool) -> None:
    assert cancel_intent(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("chcę odwołać wizytę", "pl", True),
        ("chcialbym odwolac wizyte", "pl", True),
        ("odwołać rezerwację", "pl", True),
        ("anulować termin wizyty", "pl", True),
        ("rezygnuję z wizyty", "pl", True),
        ("wizytę z 3 grudnia chcę odwołać", "pl", True),
        ("скасувати запис", "uk", True),
        ("хочу скасувати свій запис на прийом", "uk", True),
        ("cancel my appointment", "en", True),
        ("I want to cancel my visit on Friday", "en", True),
        ("anuluj", "pl", False),
        ("nie chcę odwoływać wizyty", "pl", False),
        ("anuluj, wybiorę inny termin", "pl", False),
        ("chcę się umówić na wizytę", "pl", False),
        ("скасуй", "uk", False),
        ("записатися на прийом", "uk", False),
        ("cancel", "en", False),
        ("book an appointment", "en", False),
    ],
)
def test_cancel_booking_intent(text: str, lang: str, expected: bool) -> None:
    assert cancel_booking_intent(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("chcę przełożyć wizytę", "pl", True),
        ("chce przelozyc wizyte", "pl", True),
        ("zmienić termin", "pl", True),
        ("czy mogę zmienić termin wizyty?", "pl", True),
        ("przesuńmy wizytę na piątek", "pl", True),
        ("перенести запис", "uk", True),
        ("хочу змінити час прийому", "uk", True),
        ("reschedule my appointment", "en", True),
        ("change the date of my visit", "en", True),
        ("can I move my appointment to Friday?", "en", True),
        ("chcę się umówić na wizytę", "pl", False),
        ("chcę odwołać wizytę", "pl", False),
        ("jaki jest termin odbioru dowodu?", "pl", False),
        ("записатися на прийом", "uk", False),
        ("book an appointment", "en", False),
        ("what time do you open?", "en", False),
    ],
)
def test_reschedule_intent(text: str, lang: str, expected: bool) -> None:
    assert reschedule_intent(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("chciałbym umówić się na wymianę dowodu", "pl", True),
        ("chcialbym umowic sie na wizyte", "pl", True),
        ("zarezerwować wizytę", "pl", True),
        ("chcę zapisać się na wizytę w USC", "pl", True),
        ("chcę się zapisać na wyrobienie dowodu osobistego", "pl", True),
        ("chciałabym się umówić", "pl", True),
        ("umówić wizytę", "pl", True),
        ("rezerwacja terminu", "pl", True),
        ("czy są wolne terminy na przyszły tydzień?", "pl", True),
        ("записатися на прийом", "uk", True),
        ("хочу записатися", "uk", True),
        ("запишіть мене, будь ласка, на завтра", "uk", True),
        ("book an appointment", "en", True),
        ("I'd like to make an appointment", "en", True),
        ("I need an appointment", "en", True),
        ("can I book a visit for Monday?", "en", True),
        ("jak wyrobić dowód?", "pl", False),
        ("jak zapisać dziecko do przedszkola?", "pl", False),
        ("ile kosztuje paszport?", "pl", False),
        ("czy trzeba się umówić, żeby odebrać dowód?", "pl", False),
        ("nie chcę się umawiać", "pl", False),
        ("chcę odwołać wizytę", "pl", False),
        ("chcę przełożyć wizytę", "pl", False),
        ("як отримати песель?", "uk", False),
        ("скасувати запис", "uk", False),
        ("how do I get an ID card?", "en", False),
        ("do I need an appointment?", "en", False),
        ("cancel my appointment", "en", False),
    ],
)
def test_booking_intent(text: str, lang: str, expected: bool) -> None:
    assert booking_intent(text, lang) is expected
