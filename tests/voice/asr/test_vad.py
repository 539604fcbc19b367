"""Trimming an utterance, and endpointing a live call, on espeak-ng speech."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from kontakt.voice.tts import EspeakTts
from kontakt.voice.vad import Endpointer, SpeechAudio, SpeechStarted, TurnEnded, VadEvent, trim

from .conftest import needs_espeak

pytestmark = needs_espeak
RATE = 8000


def silence(seconds: float) -> NDArray[np.int16]:
    return np.zeros(int(RATE * seconds), dtype=np.int16)


def noise(seconds: float, level: float, seed: int = 0) -> NDArray[np.int16]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, level, int(RATE * seconds)).astype(np.int16)


def speech_span(pcm: NDArray[np.int16]) -> tuple[int, int]:
    """First and last sample louder than espeak's own near-silence."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 500)
    return int(loud[0]), int(loud[-1])


def feed(
    endpointer: Endpointer, pcm: NDArray[np.int16], audio: bool = False
) -> list[tuple[float, VadEvent]]:
    """Feed 20 ms frames, as the call loop does; events with the time they came at (the
    turn's audio as it comes, SpeechAudio, only with ``audio``)."""
    events = []
    for i in range(0, len(pcm), 160):
        events += [((i + 160) / RATE, e) for e in endpointer.feed(pcm[i : i + 160])]
    return [(t, e) for t, e in events if audio or not isinstance(e, SpeechAudio)]


@pytest.fixture(scope="module")
def sentence(tts: EspeakTts) -> NDArray[np.int16]:
    return tts.synthesize("Chciałbym zgłosić dziurę w jezdni.", "pl")


@pytest.mark.parametrize(
    "pad",
    [silence(1.0), noise(1.0, 30.0)],
    ids=["digital silence", "line noise at -60 dBFS"],
)
def test_trim_keeps_the_speech_and_drops_the_padding(
    sentence: NDArray[np.int16], pad: NDArray[np.int16]
) -> None:
    padded = np.concatenate([pad, sentence, pad])
    first, last = speech_span(sentence)
    trimmed = trim(padded, RATE, margin_ms=100)
    # All the speech is kept, with the margins and at most a few 30 ms frames more.
    assert last - first <= len(trimmed) <= last - first + int(0.4 * RATE)
    assert np.abs(trimmed).max() == np.abs(sentence).max()


def test_trim_of_silence_is_empty() -> None:
    assert len(trim(np.concatenate([silence(0.5), noise(0.5, 20.0)]), RATE)) == 0


def test_endpointer_reports_start_then_end_after_the_silence(
    sentence: NDArray[np.int16],
) -> None:
    audio = np.concatenate([silence(1.0), sentence, silence(1.5)])
    first, last = speech_span(sentence)
    events = feed(Endpointer(RATE, silence_ms=700), audio)
    assert [type(e) for _, e in events] == [SpeechStarted, TurnEnded]
    (started_at, _), (ended_at, ended) = events
    assert 1.0 + first / RATE < started_at < 1.0 + first / RATE + 0.4  # barge-in within 0.4 s
    # The 700 ms of silence from the last sound: not webrtcvad's hangover on top of it.
    assert 0.7 <= ended_at - (1.0 + last / RATE) <= 0.76
    assert isinstance(ended, TurnEnded)
    # The turn's audio holds the whole sentence, from before its first syllable.
    assert len(ended.audio) >= last - first
    assert np.abs(ended.audio[: int(0.05 * RATE)].astype(np.int32)).max() < 500


def test_shorter_silence_setting_ends_the_turn_sooner(sentence: NDArray[np.int16]) -> None:
    audio = np.concatenate([sentence, silence(1.5)])
    _, last = speech_span(sentence)
    events = feed(Endpointer(RATE, silence_ms=300), audio)
    ended_at = next(t for t, e in events if isinstance(e, TurnEnded))
    assert 0.3 <= ended_at - last / RATE <= 0.5


def test_a_click_is_not_speech() -> None:
    rng = np.random.default_rng(1)
    click = (rng.normal(0, 8000, int(0.06 * RATE))).astype(np.int16)  # 60 ms burst
    audio = np.concatenate([silence(0.5), click, silence(1.0)])
    assert feed(Endpointer(RATE), audio) == []


def test_two_turns_and_rtp_stopping_mid_turn(sentence: NDArray[np.int16]) -> None:
    endpointer = Endpointer(RATE)
    events = feed(endpointer, np.concatenate([sentence, silence(1.0), sentence]))
    assert [type(e) for _, e in events] == [SpeechStarted, TurnEnded, SpeechStarted]
    assert endpointer.in_speech
    (closed,) = endpointer.finish()  # RTP stopped: the second turn ends without silence
    assert isinstance(closed, TurnEnded) and len(closed.audio) > len(sentence) * 0.8
    assert endpointer.finish() == []


def test_max_turn_length_ends_endless_speech(sentence: NDArray[np.int16]) -> None:
    endless = np.concatenate([sentence] * 4)
    events = feed(Endpointer(RATE, max_turn_ms=3000), endless)
    turns = [e for _, e in events if isinstance(e, TurnEnded)]
    assert turns and len(turns[0].audio) <= 3.4 * RATE


def test_odd_chunk_sizes_are_buffered(sentence: NDArray[np.int16]) -> None:
    audio = np.concatenate([silence(0.5), sentence, silence(1.0)])
    endpointer = Endpointer(RATE)
    events: list[VadEvent] = []
    for i in range(0, len(audio), 77):  # not a multiple of the 160-sample frame
        events += endpointer.feed(audio[i : i + 77])
    kinds = [type(e) for e in events if not isinstance(e, SpeechAudio)]
    assert kinds == [SpeechStarted, TurnEnded]


def test_the_turn_comes_as_it_is_spoken(sentence: NDArray[np.int16]) -> None:
    # For a recogniser that decodes while the caller speaks: the start (with the preroll),
    # then every frame; the end repeats the whole turn, and its last frames are silence.
    events = feed(Endpointer(RATE), np.concatenate([silence(1.0), sentence, silence(1.0)]), True)
    started, *middle, ended = [e for _, e in events]
    assert isinstance(started, SpeechStarted) and isinstance(ended, TurnEnded)
    assert all(isinstance(e, SpeechAudio) for e in middle)
    streamed = np.concatenate([started.audio, *(e.audio for e in middle)])  # type: ignore[union-attr]
    assert np.array_equal(streamed, ended.audio[: len(streamed)])
    assert len(ended.audio) == len(streamed) + 160
    assert ended.trailing_ms == 700
    assert np.abs(ended.audio[-int(0.7 * RATE) :].astype(np.int32)).max() < 500


def test_unsupported_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        Endpointer(11025)


def test_a_turn_may_end_early_after_the_shorter_silence(sentence: NDArray[np.int16]) -> None:
    endpointer = Endpointer(RATE, silence_ms=700, min_silence_ms=400)
    _, last = speech_span(sentence)
    fed = 0
    while not endpointer.may_end:
        endpointer.feed(np.concatenate([sentence, silence(1.0)])[fed : fed + 160])
        fed += 160
    assert 0.4 <= (fed - last) / RATE <= 0.46
    assert endpointer.in_speech  # it is the listener's call: the endpointer still waits
    assert last <= endpointer.speech_until <= last + 400
    (ended,) = endpointer.finish()
    assert isinstance(ended, TurnEnded) and ended.trailing_ms == 400


def test_without_a_shorter_silence_nothing_ends_early(sentence: NDArray[np.int16]) -> None:
    endpointer = Endpointer(RATE, silence_ms=700)
    _, last = speech_span(sentence)
    events = feed(endpointer, np.concatenate([sentence[:last], silence(0.66)]))
    assert not endpointer.may_end and [type(e) for _, e in events] == [SpeechStarted]
