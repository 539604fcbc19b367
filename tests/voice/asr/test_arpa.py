"""The bigram LM: well-formed ARPA, a proper distribution, and loadable by pocketsphinx."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from kontakt.voice.asr.arpa import bigram_arpa
from kontakt.voice.asr.build import Artifacts

SENTENCES = [["ala", "ma", "kota"], ["ala", "ma", "psa"], ["kot", "ma", "alę"], ["ala"]]


def parse(text: str) -> tuple[dict[str, int], dict[str, tuple[float, float]], dict[str, float]]:
    counts = {m[0]: int(m[1]) for m in re.findall(r"ngram (\d)=(\d+)", text)}
    uni: dict[str, tuple[float, float]] = {}
    bi: dict[str, float] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("\\"):
            section = line
        elif line.strip() and section == "\\1-grams:":
            parts = line.split()
            uni[parts[1]] = (float(parts[0]), float(parts[2]) if len(parts) > 2 else 0.0)
        elif line.strip() and section == "\\2-grams:":
            prob, v, w = line.split()
            bi[f"{v} {w}"] = float(prob)
    return counts, uni, bi


def test_header_counts_match_the_sections() -> None:
    text = bigram_arpa(SENTENCES)
    counts, uni, bi = parse(text)
    assert text.startswith("\\data\\") and text.rstrip().endswith("\\end\\")
    assert counts == {"1": len(uni), "2": len(bi)}
    assert uni["<s>"][0] == -99.0  # a history only
    assert "ma kota" in bi and "kota ma" not in bi


@pytest.mark.parametrize("history", ["<s>", "ala", "ma", "kot"])
def test_every_history_is_a_probability_distribution(history: str) -> None:
    _, uni, bi = parse(bigram_arpa(SENTENCES))
    backoff = 10 ** uni[history][1]
    total = 0.0
    for word, (logp, _) in uni.items():
        if word == "<s>":
            continue
        seen = bi.get(f"{history} {word}")
        total += 10**seen if seen is not None else backoff * 10**logp
    assert math.isclose(total, 1.0, rel_tol=1e-3)


def test_pocketsphinx_loads_the_built_lms(pl_build: Artifacts, tmp_path: Path) -> None:
    from pocketsphinx import NGramModel

    for step in ("topic", "service", "free"):
        model = NGramModel.readfile(str(pl_build.search(step)))
        assert model.size() == 2
    topic = NGramModel.readfile(str(pl_build.search("topic")))
    # Log probabilities: a word callers say often is likelier than a rare one.
    assert topic.prob(["chciałbym"]) > topic.prob(["pszok"])
    tiny = tmp_path / "tiny.arpa"
    tiny.write_text(bigram_arpa(SENTENCES), encoding="utf-8")
    assert NGramModel.readfile(str(tiny)).size() == 2
