"""The default Polish recogniser on espeak-ng speech at 8 kHz.

Synthetic speech through an English acoustic model: the recogniser is a topic guesser,
not a transcriber (docs/benchmarks.md: about half of held-out sentences keep a topic key
word). These tests pin what it does reliably and set honest floors for the rest.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kontakt.voice.asr.base import NOTHING, AsrError, Recognition
from kontakt.voice.asr.build import Artifacts
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine, SphinxStream
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


def _stream(engine: PocketsphinxEngine, audio: np.ndarray, step: str) -> SphinxStream:
    """A turn fed in 20 ms frames, as a call's audio comes."""
    stream = engine.open_stream(step, 8000)
    for i in range(0, len(audio), 160):
        stream.feed(audio[i : i + 160])
    return stream


def test_a_turn_streamed_while_spoken(pl_engine: PocketsphinxEngine, tts: EspeakTts) -> None:
    speech = tts.synthesize("muszę wymienić dowód osobisty", "pl")
    stream = _stream(pl_engine, np.concatenate([speech, np.zeros(5600, np.int16)]), "topic")
    result = stream.finish(speech_until=len(speech)).result(timeout=60)
    assert {"dowód", "osobisty"} <= set(words(result.text))
    assert 0.0 < result.confidence <= 1.0


def test_a_complete_answer_is_known_before_the_turn_ends(
    pl_engine: PocketsphinxEngine, tts: EspeakTts
) -> None:
    # The worker settles on "tak" during the silence after it; the stream then says the
    # turn is complete (so the endpointer need not wait out its full silence).
    yes = tts.synthesize("tak", "pl")
    stream = _stream(pl_engine, np.concatenate([yes, np.zeros(4000, np.int16)]), "yes_no")
    deadline = time.monotonic() + 60
    while not stream.complete(len(yes)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stream.complete(len(yes))
    assert not stream.complete(len(yes) + 4000)  # speech after what it settled on: not yet
    assert stream.finish(speech_until=len(yes)).result(timeout=60).text == "tak"


def test_which_answers_are_complete(pl_engine: PocketsphinxEngine) -> None:
    assert pl_engine.complete("yes_no", "nie zgadza się")
    assert not pl_engine.complete("yes_no", "chyba")  # half of "chyba nie"
    assert not pl_engine.complete("digits", "jeden dwa trzy")  # callers pause between groups
    assert pl_engine.complete("topic", "muszę wymienić dowód osobisty")
    assert not pl_engine.complete("topic", "chciałbym zapytać o")
    assert not pl_engine.complete("topic", "")


def test_a_dead_worker_fails_its_turns_and_is_replaced(
    tmp_path: Path, tts: EspeakTts, pl_build: Artifacts
) -> None:
    engine = PocketsphinxEngine("pl", VOICE_DIR, CONTENT, workers=1, spare_decoders=1)
    try:
        engine.prepare()
        stream = engine.open_stream("topic", 8000)
        [slot] = engine._workers()._slots
        os.kill(slot.process.pid, signal.SIGKILL)
        with pytest.raises(AsrError, match="died"):
            stream.finish().result(timeout=60)
        speech = tts.synthesize("ile kosztuje wywóz śmieci", "pl")
        assert "kosztuje" in engine.recognize(speech, 8000, "topic").text
    finally:
        engine.close()
