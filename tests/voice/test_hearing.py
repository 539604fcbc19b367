"""A call's turns of speech, and how they reach a recogniser that decodes as they come.

The recogniser here is a fake that records what it is given; the audio is espeak-ng
speech fed in 20 ms frames, as RTP brings it. Times are audio time (frames fed), never
the wall clock.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from kontakt.voice.asr.base import Recognition
from kontakt.voice.hearing import Hearing
from kontakt.voice.tts import EspeakTts
from kontakt.voice.vad import Endpointer

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
RATE = 8000
FRAME = 160


class FakeStream:
    def __init__(self, step: str, complete: bool) -> None:
        self.step = step
        self.audio: list[NDArray[np.int16]] = []
        self.quiet: list[bool] = []
        self.speech_until: int | None = None
        self.cancelled = False
        self.result: Future[Recognition] = Future()
        self._complete = complete

    def feed(self, pcm: NDArray[np.int16], quiet: bool = False) -> None:
        self.audio.append(pcm)
        self.quiet.append(quiet)

    def finish(self, speech_until: int | None = None) -> Future[Recognition]:
        self.speech_until = speech_until
        self.result.set_result(Recognition("tak", 0.9))
        return self.result

    def cancel(self) -> None:
        self.cancelled = True

    def complete(self, speech_until: int) -> bool:
        return self._complete


class FakeAsr:
    language = "pl"

    def __init__(self, complete: bool = False, fail: bool = False) -> None:
        self.streams: list[FakeStream] = []
        self.complete = complete
        self.fail = fail

    def open_stream(self, step: str, rate: int) -> FakeStream:
        if self.fail:
            raise RuntimeError("no workers")
        self.streams.append(FakeStream(step, self.complete))
        return self.streams[-1]

    def submit(self, pcm: NDArray[np.int16], rate: int, step: str) -> Future[Recognition]:
        raise AssertionError("not used here")


@pytest.fixture(scope="module")
def sentence() -> NDArray[np.int16]:
    tts = EspeakTts(cache_dir=Path(__file__).parents[2] / "var" / "test-cache" / "tts")
    return tts.synthesize("Chciałbym zgłosić dziurę w jezdni.", "pl")


def silence(seconds: float) -> NDArray[np.int16]:
    return np.zeros(int(RATE * seconds), dtype=np.int16)


def feed(hearing: Hearing, audio: NDArray[np.int16]) -> int:
    """Feed 20 ms frames until a turn ends; returns the frames fed (all if none ended)."""
    for n, i in enumerate(range(0, len(audio), FRAME), start=1):
        hearing.feed(audio[i : i + FRAME])
        if not hearing.utterances.empty():
            return n
    return len(audio) // FRAME


async def test_a_turn_is_streamed_while_someone_listens(sentence: NDArray[np.int16]) -> None:
    asr = FakeAsr()
    hearing = Hearing(Endpointer(RATE))
    hearing.expect("yes_no", asr)
    feed(hearing, np.concatenate([silence(0.5), sentence, silence(1.0)]))
    utterance = hearing.utterances.get_nowait()
    [stream] = asr.streams
    streamed = np.concatenate(stream.audio)
    # The whole turn but the frame that ended it, in order; the silence flagged quiet.
    assert np.array_equal(streamed, utterance.pcm[: len(streamed)])
    assert len(utterance.pcm) - len(streamed) == FRAME
    assert stream.quiet[0] is False and stream.quiet[-1] is True
    assert stream.speech_until == len(utterance.pcm) - int(0.7 * RATE)
    assert utterance.step == "yes_no" and utterance.recognition is stream.result


async def test_nobody_listening_means_no_stream(sentence: NDArray[np.int16]) -> None:
    hearing = Hearing(Endpointer(RATE))
    feed(hearing, np.concatenate([sentence, silence(1.0)]))
    utterance = hearing.utterances.get_nowait()
    assert utterance.recognition is None and utterance.step is None


async def test_listening_from_mid_turn_streams_what_was_said_so_far(
    sentence: NDArray[np.int16],
) -> None:
    asr = FakeAsr()
    hearing = Hearing(Endpointer(RATE))
    half = len(sentence) // 2 // FRAME * FRAME
    feed(hearing, sentence[:half])
    assert hearing.speaking.is_set()
    hearing.expect("topic", asr)  # a caller who spoke during the prompt
    feed(hearing, np.concatenate([sentence[half:], silence(1.0)]))
    utterance = hearing.utterances.get_nowait()
    streamed = np.concatenate(asr.streams[0].audio)
    assert np.array_equal(streamed, utterance.pcm[: len(streamed)])


async def test_a_complete_answer_ends_the_turn_sooner(sentence: NDArray[np.int16]) -> None:
    audio = np.concatenate([sentence, silence(1.5)])
    frames = {}
    for complete in (False, True):
        hearing = Hearing(Endpointer(RATE, silence_ms=700, min_silence_ms=400))
        hearing.expect("yes_no", FakeAsr(complete=complete))
        frames[complete] = feed(hearing, audio)
    assert frames[False] - frames[True] == (700 - 400) // 20


async def test_a_hangup_frees_the_stream(sentence: NDArray[np.int16]) -> None:
    asr = FakeAsr()
    hearing = Hearing(Endpointer(RATE))
    hearing.expect("topic", asr)
    feed(hearing, sentence[: len(sentence) // 2])
    hearing.close()
    assert asr.streams[0].cancelled


async def test_a_recogniser_that_cannot_stream_leaves_the_turn_whole(
    sentence: NDArray[np.int16],
) -> None:
    hearing = Hearing(Endpointer(RATE))
    hearing.expect("topic", FakeAsr(fail=True))
    feed(hearing, np.concatenate([sentence, silence(1.0)]))
    utterance = hearing.utterances.get_nowait()
    assert utterance.recognition is None and len(utterance.pcm) > len(sentence) // 2


async def test_a_new_step_mid_turn_restarts_the_stream(sentence: NDArray[np.int16]) -> None:
    asr = FakeAsr()
    hearing = Hearing(Endpointer(RATE))
    hearing.expect("yes_no", asr)
    half = len(sentence) // 2 // FRAME * FRAME
    feed(hearing, sentence[:half])
    hearing.expect("topic", asr)
    feed(hearing, np.concatenate([sentence[half:], silence(1.0)]))
    first, second = asr.streams
    assert first.cancelled and (first.step, second.step) == ("yes_no", "topic")
    assert hearing.utterances.get_nowait().step == "topic"
