"""Words as the recognisers see them: tokens for the lexicon and LMs, and spoken numbers.

The lexicon, the language models and the recognised text share one spelling: lowercase
words with their Polish letters. Residents' training lines often lack diacritics
("chcialem zmienic"), and espeak-ng would then pronounce "zmienic" with a hard "c", so
those lines are restored before they become LM text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kontakt.nlu.fold import fold

_TOKEN = re.compile(r"[a-ząćęłńóśźżа-яіїєґ']+|\d+")
_PL_DIACRITICS = re.compile(r"[ąćęłńóśźż]")


def words(text: str) -> list[str]:
    """Lowercase word tokens; punctuation and symbols ("800+", "e-dowód") split or drop."""
    return [t.strip("'") for t in _TOKEN.findall(text.lower()) if t.strip("'")]


def restore_lines(lines: list[str]) -> list[list[str]]:
    """Tokenise Polish lines, giving diacritic-free words their Polish letters back.

    A line with no Polish letter at all goes through ogonki first (a statistical
    restorer). Any word still without diacritics is then replaced by the most frequent
    spelling of the same folded word seen elsewhere in the corpus, so "smieci" becomes
    "śmieci" when the corpus has it, and the lexicon never holds two spellings of a word.
    """
    import ogonki  # imported lazily: it loads its model on first use

    restored = [
        line if _PL_DIACRITICS.search(line.lower()) else str(ogonki.restore(line)) for line in lines
    ]
    tokenised = [words(line) for line in restored]
    best = preferred_spellings(w for line in tokenised for w in line)
    return [[best.get(fold(w), w) for w in line] for line in tokenised]


def preferred_spellings(tokens: Iterable[str]) -> dict[str, str]:
    """folded word -> its most frequent spelling that has diacritics (ties: alphabetical)."""
    counts = Counter(t for t in tokens if _PL_DIACRITICS.search(t))
    best: dict[str, str] = {}
    for word, _count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        best.setdefault(fold(word), word)
    return best


# Spoken numbers, for the "digits" step. Values of number words are added within a group
# ("dwadzieścia trzy" = 23) and groups are written one after another ("dwa dwa" = "22"),
# which is how people read out case numbers and PESELs.
PL_UNITS = ["zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem"]
PL_UNITS += ["dziewięć"]
PL_TEENS = ["dziesięć", "jedenaście", "dwanaście", "trzynaście", "czternaście", "piętnaście"]
PL_TEENS += ["szesnaście", "siedemnaście", "osiemnaście", "dziewiętnaście"]
PL_TENS = ["dwadzieścia", "trzydzieści", "czterdzieści", "pięćdziesiąt", "sześćdziesiąt"]
PL_TENS += ["siedemdziesiąt", "osiemdziesiąt", "dziewięćdziesiąt"]
PL_HUNDREDS = ["sto", "dwieście", "trzysta", "czterysta", "pięćset", "sześćset", "siedemset"]
PL_HUNDREDS += ["osiemset", "dziewięćset"]
EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
EN_TEENS += ["seventeen", "eighteen", "nineteen"]
EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _values() -> dict[str, int]:
    values: dict[str, int] = {}
    for units, teens, tens in ((PL_UNITS, PL_TEENS, PL_TENS), (EN_UNITS, EN_TEENS, EN_TENS)):
        values.update({w: i for i, w in enumerate(units)})
        values.update({w: 10 + i for i, w in enumerate(teens)})
        values.update({w: 20 + 10 * i for i, w in enumerate(tens)})
    values.update({w: 100 * (i + 1) for i, w in enumerate(PL_HUNDREDS)})
    values["oh"] = 0
    values["jedynka"] = 1
    return values


_VALUES = _values()


def spoken_digits(text: str) -> str:
    """ "dwa zero dwadzieścia trzy" -> "2023"; digits already written are kept; other
    words are ignored. A group closes when the next word cannot continue it (a unit after
    a unit, or a bigger place after a smaller one)."""
    out: list[str] = []
    group: int | None = None
    last = 1000
    for token in words(text.replace("-", " ")):
        if token.isdigit():
            if group is not None:
                out.append(str(group))
                group = None
            out.append(token)
            continue
        value = _VALUES.get(token)
        if value is None:
            continue
        place = 100 if value >= 100 else 10 if value >= 20 else 1
        # "sto dwadzieścia trzy" continues (100s, 10s, 1s); "trzy cztery" or "zero dwa" do not.
        if group is not None and place >= last:
            out.append(str(group))
            group = None
        group = value if group is None else group + value
        last = 1 if value < 20 else place  # nothing continues a unit, a teen or zero
    if group is not None:
        out.append(str(group))
    return "".join(out)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, over ``words()``."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)] / max(1, len(ref))
