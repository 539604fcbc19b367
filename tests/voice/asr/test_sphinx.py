"""The default Polish recogniser on espeak-ng speech at 8 kHz.

Synthetic speech through an English acoustic model: the recogniser is a topic guesser,
not a transcriber (docs/benchmarks.md: about half of held-out sentences keep a topic key
word). These tests pin what it does reliably and set honest floors for the rest.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kontakt.voice.asr.base import NOTHING, Recognition
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.asr.text import words
from kontakt.voice.tts import EspeakTts

from .conftest import CONTENT, VOICE_DIR, needs_espeak

pytestmark = needs_espeak

TOPICS = [
    ("chciałbym zgłosić dziurę w jezdni", ["dziur", "jezdn"]),
    ("muszę wymienić dowód osobisty", ["dowód", "osobist"]),
    ("ile kosztuje wywóz śmieci", ["śmieci", "wywóz"]),
    ("chcę zapłacić podatek od nieruchomości", ["podat", "nieruchom"]),
    ("zgubiłem prawo jazdy co mam zrobić", ["jazd"]),
    ("kiedy będzie wypłata świadczenia wychowawczego", ["świadcz", "wychowaw"]),
]


def heard(result: Recognition, keys: list[str]) -> bool:
    return any(w.startswith(k) for w in words(result.text) for k in keys)


def test_topic_key_words_in_most_sentences(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    results = [pl_engine.recognize(tts.synthesize(s, "pl"), 8000, "topic") for s, _ in TOPICS]
    hits = [heard(r, keys) for r, (_, keys) in zip(results, TOPICS, strict=True)]
    assert sum(hits) >= 4, [r.text for r in results]
    for result in results:
        assert result.text == result.text.lower() and 0.0 < result.confidence <= 1.0
    # Polish letters come back from the lexicon's spelling.
    assert any(ch in "ąćęłńóśźż" for r in results for ch in r.text)


@pytest.mark.parametrize("rate_wpm", [140, 160, 180])
def test_yes_and_no(pl_engine: PocketsphinxEngine, rate_wpm: int) -> None:
    voice = EspeakTts(cache_dir=VOICE_DIR.parent / "tts", rate_wpm=rate_wpm)
    yes = pl_engine.recognize(voice.synthesize("tak", "pl"), 8000, "yes_no")
    no = pl_engine.recognize(voice.synthesize("nie", "pl"), 8000, "yes_no")
    assert words(yes.text) == ["tak"]
    assert words(no.text) == ["nie"]


def test_digits_come_back_as_a_digit_string(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    said = [("jeden dwa trzy", "123"), ("zero zero siedem", "007"), ("dwa zero dwa pięć", "2025")]
    got = [pl_engine.recognize(tts.synthesize(s, "pl"), 8000, "digits").text for s, _ in said]
    assert all(g.isdigit() for g in got), got
    assert sum(g == want for g, (_, want) in zip(got, said, strict=True)) >= 2, got


def test_service_step_hears_a_service(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    result = pl_engine.recognize(tts.synthesize("wniosek o dowód osobisty", "pl"), 8000, "service")
    assert "osobisty" in result.text


def test_same_audio_same_text_whatever_came_before(
    pl_engine: PocketsphinxEngine, tts: EspeakTts
) -> None:
    # Decoders are shared by calls: one caller's audio must not change another's result.
    first = tts.synthesize("muszę wymienić dowód osobisty", "pl")
    other = tts.synthesize("ile kosztuje wywóz śmieci", "pl")
    before = pl_engine.recognize(first, 8000, "topic")
    pl_engine.recognize(other, 8000, "free")
    pl_engine.recognize(other, 8000, "yes_no")
    assert pl_engine.recognize(first, 8000, "topic") == before


def test_parallel_calls_get_their_own_results(
    pl_engine: PocketsphinxEngine, tts: EspeakTts
) -> None:
    audio = [tts.synthesize(s, "pl") for s, _ in TOPICS[:4]]
    expected = [pl_engine.recognize(a, 8000, "topic") for a in audio]
    got: dict[int, Recognition] = {}

    def work(i: int) -> None:
        got[i] = pl_engine.recognize(audio[i], 8000, "topic")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(audio))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Same words; the posterior may differ in the 5th decimal between decoder instances.
    assert [got[i].text for i in range(len(audio))] == [r.text for r in expected]
    for i, result in enumerate(expected):
        assert got[i].confidence == pytest.approx(result.confidence, abs=1e-3)


def test_silence_and_clicks_are_nothing(pl_engine: PocketsphinxEngine) -> None:
    assert pl_engine.recognize(np.zeros(16000, dtype=np.int16), 8000, "topic") == NOTHING
    assert pl_engine.recognize(np.zeros(0, dtype=np.int16), 8000, "topic") == NOTHING


def test_unknown_step_uses_everything(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    result = pl_engine.recognize(tts.synthesize("ile kosztuje wywóz śmieci", "pl"), 8000, "??")
    assert "kosztuje" in result.text


def test_builds_on_first_use_and_english_fallback(tmp_path: Path, tts: EspeakTts) -> None:
    # English builds in well under a second from CMUdict; the first recognition builds it.
    engine = PocketsphinxEngine("en", tmp_path / "voice", CONTENT, workers=1)
    result = engine.recognize(tts.synthesize("my rubbish was not collected", "en"), 8000, "topic")
    assert "rubbish" in result.text
    assert list((tmp_path / "voice" / "asr").glob("en-*/meta.json"))


def test_half_an_answer_is_no_answer(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    # Speech that is no yes/no phrase ends outside the grammar; pocketsphinx then offers
    # a partial path, which the engine refuses rather than guessing a polarity.
    phrases = pl_engine._phrases()
    assert {"tak", "nie", "nie zgadza się"} <= phrases
    for said in ("nie zgadza się", "chcę zapłacić podatek od nieruchomości"):
        result = pl_engine.recognize(tts.synthesize(said, "pl"), 8000, "yes_no")
        assert result.text == "" or result.text in phrases


async def test_decoding_leaves_the_event_loop_running(
    pl_engine: PocketsphinxEngine, tts: EspeakTts
) -> None:
    # pocketsphinx holds the GIL while it decodes; in a thread it stalled the loop (and
    # every call's 20 ms RTP pacing) for 0.28 s per sentence. Worker processes do not.
    audio = tts.synthesize("chciałbym przedłużyć opłatę za grób na cmentarzu", "pl")
    task = asyncio.gather(
        *(asyncio.to_thread(pl_engine.recognize, audio, 8000, "topic") for _ in range(3))
    )
    gaps = []
    last = time.perf_counter()
    while not task.done():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    assert {r.text for r in await task} == {"chciałbym przedłużyć opłatę za grób na cmentarzu"}
    assert max(gaps) < 0.15
