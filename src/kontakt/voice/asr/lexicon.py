"""Pronunciations for the recogniser: Polish words through espeak-ng, English from CMUdict.

No Polish acoustic model exists offline, so Polish words are spelled in the phones of the
en-us model that ships with pocketsphinx: espeak-ng gives each word's IPA, and the table
below (from the speech reference, extended with the symbols espeak-ng also emits) maps it
to ARPAbet. The match is approximate (no nasal vowels, no ɨ, no palatal series in
English), which is why this only works with a small in-domain LM behind it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from kontakt.voice.asr.base import AsrError

log = logging.getLogger(__name__)

# Two-symbol phones first: the tokens come from `--sep=_`, so "tɕ" is one token anyway.
IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    "a": ("AA",), "ɛ": ("EH",), "e": ("EH",), "i": ("IY",), "ɨ": ("IH",), "ɔ": ("AO",),
    "o": ("AO",), "u": ("UW",), "ɑ": ("AA",), "ɪ": ("IH",), "ʌ": ("AH",), "ɐ": ("AH",),
    "ɔ̃": ("AO", "N"), "ɛ̃": ("EH", "N"),
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "ɡ": ("G",),
    "g": ("G",), "c": ("K",), "ɟ": ("G",), "f": ("F",), "v": ("V",), "s": ("S",),
    "z": ("Z",), "m": ("M",), "n": ("N",), "l": ("L",), "r": ("R",), "ɹ": ("R",),
    "ɭ": ("L",), "ɫ": ("L",), "ʃ": ("SH",), "ʒ": ("ZH",), "ɕ": ("SH",), "ʑ": ("ZH",),
    "x": ("HH",), "h": ("HH",), "ɣ": ("HH",), "ç": ("HH",), "ɦ": ("HH",), "ʋ": ("V",),
    "ɲ": ("N", "Y"), "ŋ": ("NG",), "w": ("W",), "j": ("Y",),
    "ts": ("T", "S"), "dz": ("D", "Z"), "tʃ": ("CH",), "dʒ": ("JH",), "tɕ": ("CH",),
    "dʑ": ("JH",),
}  # fmt: skip
# Marks that carry no phone of their own: stress and length.
_MARKS = str.maketrans("", "", "ˈˌː")
# The en-us model has no palatalised consonants; a palatalised one ("pʲ" in "pięć") is
# spelled as the consonant and a Y glide, which matched espeak-ng's Polish better than
# dropping the ʲ (WER 0.42 against 0.46 on the development sentences).
_PALATAL = "ʲ"

# Single letters are spelled out by espeak-ng ("w" -> "wu"), but in a sentence they are
# the prepositions and conjunctions w, z, i, a, o, u.
PL_SINGLE_LETTERS: dict[str, tuple[str, ...]] = {
    "w": ("V",), "z": ("Z",), "i": ("IY",), "a": ("AA",), "o": ("AO",), "u": ("UW",),
}  # fmt: skip


def ipa_to_arpabet(ipa: str) -> tuple[str, ...]:
    """One word's espeak-ng IPA (phones joined by "_", words by spaces) -> ARPAbet.

    Symbols outside the table are dropped and logged: better a slightly wrong
    pronunciation than a word the recogniser cannot say at all.
    """
    phones: list[str] = []
    for token in ipa.replace(" ", "_").split("_"):
        token = token.translate(_MARKS).strip()
        palatal = token.endswith(_PALATAL)
        token = token.rstrip(_PALATAL)
        if not token:
            continue
        mapped = IPA_TO_ARPABET.get(token)
        if mapped is None:
            log.debug("no ARPAbet for IPA %r", token)
            continue
        phones.extend(mapped)
        if palatal and mapped[-1] != "Y":
            phones.append("Y")
    return tuple(phones)


def espeak_ipa(word_list: list[str], voice: str) -> list[str]:
    """The IPA of many words from one espeak-ng process (one word a line on stdin).

    Read from stdin, espeak-ng ends a clause at each newline, so it answers one line per
    word; if that ever fails (a count mismatch), each word is asked separately.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise AsrError("espeak-ng is not installed (apt-get install espeak-ng)")
    if not word_list:
        return []
    lines = _run_espeak(exe, voice, "\n".join(word_list) + "\n")
    if len(lines) == len(word_list):
        return lines
    log.warning("espeak-ng returned %d lines for %d words", len(lines), len(word_list))
    return [" ".join(_run_espeak(exe, voice, w + "\n")) for w in word_list]


def _run_espeak(exe: str, voice: str, text: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 - fixed program; words go through stdin
        [exe, "-q", "--ipa", "--sep=_", "-v", voice],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AsrError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[:200]}")
    return [line.strip() for line in result.stdout.decode("utf-8").splitlines()]


def polish_lexicon(vocabulary: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """word -> ARPAbet for every word espeak-ng can say; the rest are left out."""
    words = {w for w in vocabulary if w}
    todo = sorted(words - PL_SINGLE_LETTERS.keys())
    lexicon = {w: p for w, p in PL_SINGLE_LETTERS.items() if w in words}
    for word, ipa in zip(todo, espeak_ipa(todo, "pl"), strict=True):
        phones = ipa_to_arpabet(ipa)
        if phones:
            lexicon[word] = phones
        else:
            log.info("no pronunciation for %r (espeak-ng: %r)", word, ipa)
    return lexicon


def cmudict_lexicon(vocabulary: Iterable[str], cmudict: Path) -> dict[str, tuple[str, ...]]:
    """word -> ARPAbet (first variant) from the CMU dictionary shipped with pocketsphinx."""
    wanted = set(vocabulary)
    lexicon: dict[str, tuple[str, ...]] = {}
    with cmudict.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            if word in wanted and word not in lexicon:
                lexicon[word] = tuple(phones.split())
    return lexicon


def polish_variants(phones: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Alternative pronunciations, for sounds the en-us model has no phone for.

    - ɲ is spelled "N Y", but the model often hears a plain N (a short "nie" came out as
      "tak" until "nie" could also be "N EH"); WER on the development sentences did not
      move, and the yes/no answers all came right.
    - Polish ch/h is the velar fricative [x]; English HH is a weak glottal breath, and a
      strong [x] is often closer to the model's K (same place of articulation). With a K
      variant, "chcę"/"chodzi" stopped turning into other words at the start of a sentence:
      on bench/data/speech_dev.yaml the right topic was among the first two guesses in 44
      of 66 sentences instead of 41.
    """
    text = " ".join(phones)
    rules = [("N Y", "N"), ("HH", "K")]
    variants: list[tuple[str, ...]] = []
    for mask in range(1, 1 << len(rules)):
        variant = f" {text} "
        for i, (old, new) in enumerate(rules):
            if mask >> i & 1:
                variant = variant.replace(f" {old} ", f" {new} ").replace(f" {old} ", f" {new} ")
        spelled = tuple(variant.split())
        if spelled != phones and spelled not in variants:
            variants.append(spelled)
    return variants


def write_dict(
    lexicon: dict[str, tuple[str, ...]],
    path: Path,
    variants: Callable[[tuple[str, ...]], list[tuple[str, ...]]] | None = None,
) -> None:
    """Pocketsphinx dictionary format: "word PH PH ..." one per line, then "word(2) ..."
    for each variant."""
    lines = []
    for word, phones in sorted(lexicon.items()):
        lines.append(f"{word} {' '.join(phones)}")
        for i, variant in enumerate(variants(phones) if variants else [], start=2):
            lines.append(f"{word}({i}) {' '.join(variant)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
