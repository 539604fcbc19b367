"""Text normalisation for search: diacritics restoration and lemmas per language."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"[^\W_]+(?:[+-][^\W_]*)?", re.UNICODE)
_PL_DIACRITICS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")

# Words that carry no meaning for matching a city-service question.
STOPWORDS = {
    "pl": set(
        [
            "a",
            "aby",
            "ale",
            "bo",
            "by",
            "być",
            "był",
            "była",
            "było",
            "czy",
            "co",
            "do",
            "dla",
            "go",
            "i",
            "ich",
            "ile",
            "im",
            "inne",
            "jak",
            "jaki",
            "jaka",
            "jakie",
            "je",
            "jego",
            "jej",
            "jest",
            "jestem",
            "jeśli",
            "już",
            "ja",
            "jak",
            "które",
            "który",
            "która",
            "ma",
            "mam",
            "mi",
            "mnie",
            "mogę",
            "może",
            "można",
            "mój",
            "moja",
            "na",
            "nad",
            "nie",
            "niż",
            "o",
            "od",
            "on",
            "ona",
            "oni",
            "oraz",
            "po",
            "pod",
            "przez",
            "przy",
            "się",
            "sobie",
            "są",
            "ta",
            "tak",
            "tam",
            "te",
            "tego",
            "tej",
            "ten",
            "to",
            "tu",
            "tylko",
            "w",
            "we",
            "więc",
            "z",
            "za",
            "ze",
            "że",
            "żeby",
            "dzień",
            "dobry",
            "proszę",
            "pan",
            "pani",
            "państwo",
            "chciałbym",
            "chciałabym",
            "chcę",
            "zapytać",
            "pytanie",
            "witam",
        ]
    ),
    "uk": set(
        [
            "а",
            "але",
            "би",
            "бо",
            "в",
            "від",
            "до",
            "для",
            "з",
            "за",
            "і",
            "й",
            "як",
            "яка",
            "які",
            "який",
            "чи",
            "що",
            "це",
            "та",
            "те",
            "ти",
            "ви",
            "я",
            "ми",
            "мені",
            "мене",
            "на",
            "не",
            "ні",
            "по",
            "при",
            "про",
            "так",
            "у",
            "уже",
            "вже",
            "є",
            "його",
            "її",
            "їх",
            "добрий",
            "день",
            "будь",
            "ласка",
            "хочу",
            "запитати",
            "можна",
        ]
    ),
    "en": set(
        [
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "can",
            "do",
            "does",
            "for",
            "from",
            "have",
            "how",
            "i",
            "if",
            "in",
            "is",
            "it",
            "me",
            "my",
            "of",
            "on",
            "or",
            "please",
            "the",
            "to",
            "what",
            "when",
            "where",
            "which",
            "who",
            "with",
            "you",
            "your",
            "hello",
            "hi",
            "would",
            "like",
            "want",
            "know",
        ]
    ),
    "ru": set(
        [
            "а",
            "и",
            "в",
            "на",
            "не",
            "что",
            "как",
            "я",
            "вы",
            "мы",
            "мне",
            "меня",
            "по",
            "с",
            "у",
            "для",
            "это",
            "где",
            "когда",
        ]
    ),
}


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def has_polish_diacritics(text: str) -> bool:
    return bool(_PL_DIACRITICS.search(text))


class Normalizer:
    """Lemmatisers are loaded lazily and shared; each is thread-safe for reading."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._morfeusz: Any = None
        self._morph: dict[str, Any] = {}

    def restore_polish(self, text: str) -> str:
        """Restore missing Polish diacritics ("dowod" -> "dowód") unless the text has some."""
        if has_polish_diacritics(text):
            return text
        if len(text) <= _RESTORE_CACHED_CHARS:
            return _cached_restore(text)
        return _restore(text)

    def _pl(self) -> Any:
        if self._morfeusz is None:
            with self._lock:
                if self._morfeusz is None:
                    import morfeusz2

                    self._morfeusz = morfeusz2.Morfeusz(expand_tags=False)
        return self._morfeusz

    def _pymorphy(self, lang: str) -> Any:
        if lang not in self._morph:
            with self._lock:
                if lang not in self._morph:
                    import pymorphy3

                    self._morph[lang] = pymorphy3.MorphAnalyzer(lang=lang)
        return self._morph[lang]

    def lemmas(self, text: str, lang: str) -> list[str]:
        """Content-word lemmas. Polish keeps every candidate lemma (good for recall)."""
        stop = STOPWORDS.get(lang, set())
        out: list[str] = []
        for tok in tokens(text):
            if tok in stop:
                continue
            if tok.isdigit() or len(tok) == 1:
                out.append(tok)
                continue
            out.extend(lem for lem in self._lemma(tok, lang) if lem not in stop)
        return out

    def _lemma(self, token: str, lang: str) -> tuple[str, ...]:
        return _cached_lemma(self, token, lang)

    def _compute(self, token: str, lang: str) -> tuple[str, ...]:
        if lang == "pl":
            found: list[str] = []
            for _s, _e, (_form, lemma, *_rest) in self._pl().analyse(token):
                base = lemma.split(":", 1)[0].lower()
                if base not in found:
                    found.append(base)
            return tuple(found[:3]) or (token,)
        if lang in ("uk", "ru"):
            return (self._pymorphy(lang).parse(token)[0].normal_form,)
        if lang == "en":
            return (_english_stem(token),)
        return (token,)


def _restore(text: str) -> str:
    import ogonki

    restored: str = ogonki.restore(text)
    return restored


# ogonki's model takes about a millisecond per question; residents ask the same short
# questions again and again (like the query vectors, which the embedder caches too).
_RESTORE_CACHED_CHARS = 300
_cached_restore = lru_cache(maxsize=20_000)(_restore)


@lru_cache(maxsize=200_000)
def _cached_lemma(normalizer: Normalizer, token: str, lang: str) -> tuple[str, ...]:
    return normalizer._compute(token, lang)


def _english_stem(word: str) -> str:
    """A light suffix stripper; enough to match "registering"/"registration"/"register"."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            return stem + "y" if suffix == "ies" else stem
    return word
