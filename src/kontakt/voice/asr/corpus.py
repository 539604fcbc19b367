"""What callers may say at each dialogue step, as phrases taken from ``content/``.

A closed-domain recogniser is only as good as its idea of what it will hear, so every step
gets its own phrase list:

- ``topic``: the topic classifier's training lines, topic names and knowledge-base
  questions, plus what people say to reach a human;
- ``yes_no``: confirmations and denials;
- ``digits``: number words, spoken one by one or in groups;
- ``service``: bookable service and unit names with their keywords, days and times;
- ``free``: all of the above.

Pocketsphinx turns these into LMs and grammars; Whisper gets a short prompt from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kontakt.voice.asr.base import STEPS, Step
from kontakt.voice.asr.text import (
    EN_TEENS,
    EN_TENS,
    EN_UNITS,
    PL_HUNDREDS,
    PL_TEENS,
    PL_TENS,
    PL_UNITS,
)

# Kept to phrases that are hard to confuse: with "no tak" in the grammar, a short "nie"
# came out as the filler "no".
YES_NO = {
    "pl": [
        "tak", "nie", "tak tak", "nie nie", "tak jest", "tak proszę", "nie dziękuję",
        "dokładnie", "zgadza się", "nie zgadza się", "oczywiście", "oczywiście że tak",
        "chyba tak", "chyba nie", "raczej nie", "absolutnie nie", "nie to nie to",
        "to nie to", "to nie o to chodzi", "tak o to chodzi", "właśnie tak", "potwierdzam",
        "dobrze", "zgoda", "poproszę", "nie chcę",
    ],
    "en": [
        "yes", "no", "yes please", "no thanks", "no thank you", "yeah", "yep", "nope",
        "exactly", "that's right", "correct", "that's not right", "not really", "sure",
        "of course", "i confirm", "that's it", "no that's wrong",
    ],
}  # fmt: skip

# Said at any step: the caller wants a person, is checking the line, or is lost.
GENERAL = {
    "pl": [
        "chciałbym rozmawiać z konsultantem", "chciałabym rozmawiać z konsultantem",
        "proszę o połączenie z konsultantem", "z konsultantem", "konsultant",
        "chcę rozmawiać z człowiekiem", "proszę z kimś z urzędu", "halo", "halo halo",
        "dzień dobry", "nie wiem", "nie rozumiem", "proszę powtórzyć", "jeszcze raz",
        "mam pytanie", "inna sprawa", "do widzenia", "dziękuję",
    ],
    "en": [
        "i would like to speak to an agent", "can i talk to a person", "agent",
        "operator", "hello", "good morning", "i don't know", "sorry can you repeat",
        "something else", "thank you", "goodbye",
    ],
}  # fmt: skip

DAYS = {
    "pl": [
        "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota",
        "w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę",
        "dzisiaj", "jutro", "pojutrze", "w przyszłym tygodniu", "jak najszybciej",
    ],
    "en": [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "today", "tomorrow", "next week", "as soon as possible",
    ],
}  # fmt: skip
# Spoken hours in the genitive ("o dziewiątej", "o wpół do dziesiątej").
PL_HOURS = ["ósmej", "dziewiątej", "dziesiątej", "jedenastej", "dwunastej", "trzynastej"]
PL_HOURS += ["czternastej", "piętnastej", "szesnastej", "siedemnastej", "osiemnastej"]
PL_MINUTES = ["piętnaście", "trzydzieści", "czterdzieści pięć"]
PL_DAYPARTS = ["rano", "przed południem", "w południe", "po południu", "wieczorem"]


@dataclass(frozen=True)
class StepText:
    """Phrases per step. Repeating a phrase weighs it up in the LMs."""

    lang: str
    phrases: dict[Step, list[str]]


def digit_phrases(lang: str) -> list[str]:
    if lang == "pl":
        singles = PL_UNITS + PL_TEENS + PL_TENS + PL_HUNDREDS
        compounds = [f"{t} {u}" for t in PL_TENS for u in PL_UNITS[1:]]
        compounds += [f"{h} {t}" for h in PL_HUNDREDS for t in PL_TENS]
    else:
        singles = EN_UNITS + EN_TEENS + EN_TENS + ["oh"]
        compounds = [f"{t} {u}" for t in EN_TENS for u in EN_UNITS[1:]]
    units = PL_UNITS if lang == "pl" else EN_UNITS
    # Digit strings as they are read out: every pair of digits, and runs of several.
    runs = [f"{a} {b}" for a in units for b in units]
    runs += [" ".join(units[(i * 7 + k) % 10] for k in range(6)) for i in range(10)]
    return singles + compounds + runs


def service_phrases(lang: str, names: list[str], keywords: list[str]) -> list[str]:
    phrases = [*names, *keywords, *DAYS[lang]]
    if lang == "pl":
        phrases += [f"o {h}" for h in PL_HOURS] + [f"o wpół do {h}" for h in PL_HOURS]
        phrases += [f"o {h} {m}" for h in PL_HOURS for m in PL_MINUTES]
        phrases += [f"{d} o {h}" for d in DAYS["pl"][6:12] for h in PL_HOURS]
        phrases += [f"{d} {p}" for d in DAYS["pl"][6:14] for p in PL_DAYPARTS]
        phrases += [*PL_DAYPARTS, "chcę umówić wizytę", "chciałbym zarezerwować termin"]
        phrases += ["najbliższy wolny termin", "inny termin", "inny dzień", "później"]
    else:
        hours = [*EN_UNITS[8:], *EN_TEENS[:3], "one", "two", "three", "four", "five"]
        phrases += [f"at {h}" for h in hours] + [f"{d} at {h}" for d in DAYS["en"] for h in hours]
        phrases += ["in the morning", "in the afternoon", "book an appointment"]
        phrases += ["the earliest free slot", "another time", "another day", "later"]
    return phrases


def step_text(content_dir: Path, lang: str) -> StepText:
    """Read the content folder into the phrases of every step for ``lang`` (pl or en)."""
    from kontakt.booking.catalog import load_catalog
    from kontakt.knowledge.content import load_content

    content = load_content(content_dir)
    catalog = load_catalog(content_dir)
    topic: list[str] = []
    for path in sorted((content_dir / "training" / lang).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        topic += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    topic += [getattr(t.name, lang) for t in content.topics]
    for article in content.articles:
        localized = getattr(article, lang, None)
        if localized is not None:
            topic += localized.questions
    general = GENERAL[lang]
    names = [getattr(s.name, lang) for s in catalog.services]
    names += [getattr(u.name, lang) for u in catalog.units]
    keywords = [k for s in catalog.services for k in getattr(s.keywords, lang)]
    phrases: dict[Step, list[str]] = {
        "topic": topic + general * 3,
        "yes_no": YES_NO[lang],
        "digits": digit_phrases(lang),
        "service": service_phrases(lang, names, keywords) + general + YES_NO[lang],
    }
    phrases["free"] = [p for step in STEPS if step != "free" for p in phrases[step]]
    return StepText(lang=lang, phrases=phrases)


def whisper_prompts(content_dir: Path, lang: str) -> dict[str, str]:
    """A short initial prompt per step for Whisper, which takes text context rather than a
    grammar: the words it should expect (topic and service names), or the answer style
    (digits as numerals, yes/no)."""
    from kontakt.booking.catalog import load_catalog
    from kontakt.knowledge.content import load_taxonomy

    topics = [getattr(t.name, lang, t.name.en) for t in load_taxonomy(content_dir).topics]
    services = [getattr(s.name, lang, s.name.en) for s in load_catalog(content_dir).services]
    if lang == "pl":
        heads = ("Infolinia urzędu miasta Poznania. Sprawy: ", "Tak. Nie.", "Rezerwacja: ")
    else:
        heads = ("Poznań City Hall helpline. Matters: ", "Yes. No.", "Booking: ")
    return {
        "topic": heads[0] + ", ".join(topics) + ".",
        "yes_no": heads[1],
        "digits": "0 1 2 3 4 5 6 7 8 9",
        "service": heads[2] + ", ".join(services) + ".",
        "free": heads[0] + ", ".join(topics) + ".",
    }
