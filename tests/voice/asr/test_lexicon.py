"""Polish words spelled in the phones of the en-us acoustic model."""

from __future__ import annotations

import pytest

from kontakt.voice.asr.build import Artifacts
from kontakt.voice.asr.lexicon import ipa_to_arpabet, polish_lexicon, polish_variants

from .conftest import needs_espeak


@pytest.mark.parametrize(
    ("ipa", "arpabet"),
    [
        ("x_tɕ_ˈa_w_b_ɨ_m", "HH CH AA W B IH M"),  # chciałbym, the reference's example
        ("pʲ_ˈɛ_ɲ_tɕ", "P Y EH N Y CH"),  # pięć: palatalised p, ɲ
        ("ɲʲ_ˈɛ", "N Y EH"),  # nie: ɲʲ is one N Y, not two glides
        ("dʑ_ˈu_r_ɛ", "JH UW R EH"),
        ("ɡ_ˈɔ_a_p", "G AO AA P"),
        ("s_ˈɔ̃", "S AO N"),  # są: nasal vowel
        ("ˈɛ p_ˈu_a_p", "EH P UW AA P"),  # ePUAP: espeak splits it in two words
        ("ˈu_l_", "UW L"),  # trailing separator
        ("t_ˈa_ʔ_k", "T AA K"),  # an unknown symbol is dropped
    ],
)
def test_ipa_to_arpabet(ipa: str, arpabet: str) -> None:
    assert " ".join(ipa_to_arpabet(ipa)) == arpabet


@needs_espeak
def test_words_through_espeak_in_one_batch() -> None:
    lexicon = polish_lexicon(["chciałbym", "tak", "nie", "w", "zgłosić", "dowód", "800"])
    assert lexicon["chciałbym"] == ("HH", "CH", "AA", "W", "B", "IH", "M")
    assert lexicon["tak"] == ("T", "AA", "K")
    assert lexicon["nie"] == ("N", "Y", "EH")
    assert lexicon["w"] == ("V",)  # the preposition, not the letter's name
    assert lexicon["zgłosić"] == ("Z", "G", "W", "AO", "SH", "IY", "CH")
    assert lexicon["dowód"] == ("D", "AO", "V", "UW", "T")
    assert len(lexicon["800"]) > 5  # "osiemset"


def test_n_y_has_a_plain_n_variant() -> None:
    assert polish_variants(("N", "Y", "EH")) == [("N", "EH")]
    assert polish_variants(("T", "AA", "K")) == []


def test_ch_has_a_k_variant_and_variants_combine() -> None:
    assert polish_variants(("HH", "T", "S", "EH")) == [("K", "T", "S", "EH")]  # "chcę"
    assert polish_variants(("HH", "AO", "N", "Y", "AA")) == [
        ("HH", "AO", "N", "AA"),
        ("K", "AO", "N", "Y", "AA"),
        ("K", "AO", "N", "AA"),
    ]
    assert polish_variants(("AA", "HH", "HH", "AA")) == [("AA", "K", "K", "AA")]


def test_built_dictionary_lists_variants_after_the_word(pl_build: Artifacts) -> None:
    lines = pl_build.dictionary.read_text(encoding="utf-8").splitlines()
    assert "nie N Y EH" in lines and "nie(2) N EH" in lines
    assert "tak T AA K" in lines
    assert len(lines) > 3000
