"""Which language a message is in: pl, uk, en or ru (a restricted set, so short texts work).

Cheap letter rules decide first (і ї є ґ are Ukrainian only; ы э ё ъ Russian only; ą ę ł ń ś ź ż
Polish only); lingua, restricted to the four languages, decides the rest. Short texts that
carry no signal ("800+", "ok", "tak") keep the conversation's language.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

DetectedLang = Literal["pl", "uk", "en", "ru"]
SUPPORTED: tuple[DetectedLang, ...] = ("pl", "uk", "en", "ru")

_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэёъЫЭЁЪ]")
_PL_ONLY = re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]")
_CYRILLIC = re.compile(r"[а-яА-ЯіїєґІЇЄҐёЁ]")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# Words too short or too shared between languages to decide anything on their own.
_NEUTRAL = {"ok", "okay", "tak", "nie", "no", "pesel", "ztm", "mpk", "zus", "ceidg", "peka"}


@dataclass(frozen=True)
class Detection:
    lang: DetectedLang
    confident: bool


class LanguageDetector:
    def __init__(self) -> None:
        self._detector: Any = None
        self._lock = threading.Lock()

    def _lingua(self) -> Any:
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from lingua import Language, LanguageDetectorBuilder

                    # Preloaded: lazy loading made the first ambiguous message of each
                    # language wait half a second.
                    self._detector = (
                        LanguageDetectorBuilder.from_languages(
                            Language.POLISH, Language.UKRAINIAN, Language.ENGLISH, Language.RUSSIAN
                        )
                        .with_preloaded_language_models()
                        .build()
                    )
        return self._detector

    def warm_up(self) -> None:
        self._lingua()

    def detect(self, text: str, fallback: DetectedLang = "pl") -> Detection:
        letters = _LETTERS.findall(text)
        words = re.findall(r"[^\W\d_]+", text.lower())
        if len(letters) < 2 or (words and all(w in _NEUTRAL for w in words)):
            return Detection(fallback, confident=False)
        if _UK_ONLY.search(text) and not _RU_ONLY.search(text):
            return Detection("uk", confident=True)
        if _RU_ONLY.search(text) and not _UK_ONLY.search(text):
            return Detection("ru", confident=True)
        if _PL_ONLY.search(text) and not _CYRILLIC.search(text):
            return Detection("pl", confident=True)
        if _CYRILLIC.search(text):
            candidates: tuple[DetectedLang, ...] = ("uk", "ru")
        else:
            candidates = ("pl", "en")
            # Function words settle most Latin-script messages without the (slower) model.
            pl_hits = sum(w in _PL_WORDS for w in words)
            en_hits = sum(w in _EN_WORDS for w in words)
            if pl_hits >= 2 and pl_hits >= 3 * en_hits:
                return Detection("pl", confident=True)
            if en_hits >= 2 and en_hits >= 3 * pl_hits:
                return Detection("en", confident=True)
            text = text[:300]
        values = {
            _CODES[c.language.name]: c.value
            for c in self._lingua().compute_language_confidence_values(text)
            if c.language.name in _CODES
        }
        best = max(candidates, key=lambda lang: values.get(lang, 0.0))
        other = min(candidates, key=lambda lang: values.get(lang, 0.0))
        margin = values.get(best, 0.0) - values.get(other, 0.0)
        # A short phrase with a weak margin keeps the language the resident has been using.
        if len(words) <= 2 and margin < 0.5 and fallback in candidates:
            return Detection(fallback, confident=False)
        return Detection(best, confident=margin >= 0.3)


_PL_WORDS = set(
    "i w z na do nie sie się jak czy co jest to za od po ze dla mam moj moja mój gdzie kiedy ile "
    "jaki jaka jakie trzeba mozna można chce chcę chcialam chciałam chcialbym chciałbym prosze "
    "proszę dzien dzień dobry jestem mnie mi jesli jeśli bo ale oraz tez też juz już zeby żeby "
    "czy dziecko urzad urząd".split()
)
_EN_WORDS = set(
    "the a an to of and in is are do does how what where when can i my me you your for with "
    "have has need want is it this that please which who there get".split()
)

_CODES: dict[str, DetectedLang] = {
    "POLISH": "pl",
    "UKRAINIAN": "uk",
    "ENGLISH": "en",
    "RUSSIAN": "ru",
}
