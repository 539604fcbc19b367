"""Language of a message, and the text normalisation search relies on."""

from __future__ import annotations

import pytest

from kontakt.nlu.language import LanguageDetector
from kontakt.nlu.normalize import Normalizer


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("jak zameldować się w Poznaniu", "pl"),
        ("jak zameldowac sie w poznaniu", "pl"),
        ("gdzie oddac stary telewizor", "pl"),
        ("коли вивозять сміття", "uk"),
        ("де отримати песель для дитини", "uk"),
        ("когда вывозят мусор", "ru"),
        ("как получить песель", "ru"),
        ("how do I register my car", "en"),
        ("where can I pay the waste fee", "en"),
    ],
)
def test_detects_the_language(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


@pytest.mark.parametrize("text", ["800+", "ok", "tak", "PESEL", "?"])
def test_signal_free_messages_keep_the_conversation_language(
    detector: LanguageDetector, text: str
) -> None:
    detection = detector.detect(text, fallback="uk")
    assert (detection.lang, detection.confident) == ("uk", False)


def test_polish_diacritics_are_restored() -> None:
    assert Normalizer().restore_polish("gdzie wyrobic dowod osobisty") == (
        "gdzie wyrobić dowód osobisty"
    )


def test_text_with_diacritics_is_left_alone() -> None:
    assert Normalizer().restore_polish("Łódź i smieci") == "Łódź i smieci"


def test_lemmas_conflate_inflected_forms() -> None:
    n = Normalizer()
    assert "dowód" in n.lemmas("zgubiłem dowodu", "pl")
    assert "дитина" in n.lemmas("для дітей", "uk")
    assert n.lemmas("registering cars", "en") == ["register", "car"]
