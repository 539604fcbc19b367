"""A bigram language model in ARPA format, small enough to build at start-up.

Absolute discounting with back-off (Ney, Essen and Kneser 1994): every seen bigram gives
up D = 0.5 of a count, and the freed mass goes to the unigram distribution of the words
not seen after that history. With a few thousand in-domain sentences this is as good as
fancier smoothing, and it needs no toolkit (the reference measured it).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

BOS, EOS = "<s>", "</s>"
DISCOUNT = 0.5


def _log10(p: float) -> float:
    return math.log10(p) if p > 0 else -99.0


def bigram_arpa(sentences: list[list[str]], discount: float = DISCOUNT) -> str:
    """ARPA text for the sentences (lists of words); <s> and </s> are added."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        if not sentence:
            continue
        padded = [BOS, *sentence, EOS]
        unigrams.update(padded[1:])  # <s> is a history only, never predicted
        bigrams.update(itertools.pairwise(padded))
    if not unigrams:
        raise ValueError("no sentences to build a language model from")
    total = sum(unigrams.values())
    p_uni = {w: c / total for w, c in unigrams.items()}
    history_count: Counter[str] = Counter()
    followers: Counter[str] = Counter()
    for (v, _w), c in bigrams.items():
        history_count[v] += c
        followers[v] += 1
    p_bi = {(v, w): (c - discount) / history_count[v] for (v, w), c in bigrams.items()}
    seen_mass: dict[str, float] = dict.fromkeys(history_count, 0.0)
    for v, w in bigrams:
        seen_mass[v] += p_uni[w]
    backoff: dict[str, float] = {}
    for v, n in history_count.items():
        freed = discount * followers[v] / n
        rest = 1.0 - seen_mass[v]
        backoff[v] = freed / rest if rest > 1e-12 else 1e-12

    words = [BOS, *sorted(unigrams)]
    lines = ["\\data\\", f"ngram 1={len(words)}", f"ngram 2={len(bigrams)}", "", "\\1-grams:"]
    for w in words:
        prob = -99.0 if w == BOS else _log10(p_uni[w])
        if w in backoff:
            lines.append(f"{prob:.4f} {w} {_log10(backoff[w]):.4f}")
        else:
            lines.append(f"{prob:.4f} {w}")
    lines += ["", "\\2-grams:"]
    for v, w in sorted(bigrams):
        lines.append(f"{_log10(p_bi[(v, w)]):.4f} {v} {w}")
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def write_arpa(sentences: list[list[str]], path: Path) -> None:
    path.write_text(bigram_arpa(sentences), encoding="utf-8")
