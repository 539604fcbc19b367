"""Tokens for the lexicon and LMs, spoken numbers, and the word error rate."""

from __future__ import annotations

import pytest

from kontakt.voice.asr.text import restore_lines, spoken_digits, word_error_rate, words


def test_words_are_lowercase_tokens_without_punctuation() -> None:
    assert words("Dzień dobry, 800+ i e-dowód?") == ["dzień", "dobry", "800", "i", "e", "dowód"]


def test_lines_without_diacritics_get_their_polish_letters_back() -> None:
    lines = ["chcialem zmienic deklaracje", "ile płacę za śmieci", "smieci nie odebrane"]
    restored = restore_lines(lines)
    assert restored[0] == ["chciałem", "zmienić", "deklarację"]
    assert restored[2][0] == "śmieci"  # the spelling seen elsewhere in the corpus


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("dwa zero dwa pięć", "2025"),
        ("dwadzieścia trzy", "23"),
        ("sto dwadzieścia trzy", "123"),
        ("sto dwa", "102"),
        ("dziesięć dwa", "102"),
        ("zero zero siedem", "007"),
        ("dwa dwadzieścia", "220"),
        ("four two one", "421"),
        ("twenty-one 5", "215"),
        ("mój numer to trzy trzy", "33"),
        ("nie wiem", ""),
    ],
)
def test_spoken_digits(spoken: str, digits: str) -> None:
    assert spoken_digits(spoken) == digits


def test_word_error_rate() -> None:
    assert word_error_rate("ala ma kota", "ala ma kota") == 0.0
    assert word_error_rate("ala ma kota", "ala ma psa") == pytest.approx(1 / 3)
    assert word_error_rate("ala ma kota", "ala kota") == pytest.approx(1 / 3)
    assert word_error_rate("ala ma kota", "ala ma kota i psa") == pytest.approx(2 / 3)
    assert word_error_rate("Ala, ma kota.", "ala ma kota") == 0.0
