"""CallIO.listen and say with the recogniser's streaming: a turn decoded while spoken is
used when the listener's step is the one it was decoded for, and decoded again otherwise.
The call's line is a stand-in that takes the caller's audio and plays nothing."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from kontakt.voice.asr.base import Recognition
from kontakt.voice.call_io import CallIO
from kontakt.voice.hearing import Hearing
from kontakt.voice.tts import EspeakTts
from kontakt.voice.vad import Endpointer

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
RATE = 8000
TTS_CACHE = Path(__file__).parents[2] / "var" / "test-cache" / "tts"


@dataclass
class Line:
    on_audio: Callable[[NDArray[np.int16]], None] | None = None
    played: list[int] = field(default_factory=list)

    def flush_audio(self) -> None:
        pass

    def play(self, pcm: NDArray[np.int16]) -> asyncio.Task[None]:
        self.played.append(len(pcm))
        return asyncio.ensure_future(asyncio.sleep(0))

    def stop_playing(self) -> None:
        pass


@dataclass
class FakeCall:
    rtp: Line = field(default_factory=Line)
    state: str = "confirmed"
    digits: list[str] = field(default_factory=list)
    digit_event: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class Stream:
    def __init__(self, step: str) -> None:
        self.step = step

    def feed(self, pcm: NDArray[np.int16], quiet: bool = False) -> None:
        pass

    def finish(self, speech_until: int | None = None) -> Future[Recognition]:
        return _done(f"streamed for {self.step}")

    def cancel(self) -> None:
        pass

    def complete(self, speech_until: int) -> bool:
        return False


class StreamingAsr:
    language = "pl"

    def __init__(self) -> None:
        self.submitted: list[tuple[int, str]] = []

    def open_stream(self, step: str, rate: int) -> Stream:
        return Stream(step)

    def submit(self, pcm: NDArray[np.int16], rate: int, step: str) -> Future[Recognition]:
        self.submitted.append((len(pcm), step))
        return _done(f"whole for {step}")

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        raise AssertionError("a streaming engine is not run in a thread")


class PlainAsr:
    language = "en"

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        return Recognition(f"plain for {step}", 0.5)


def _done(text: str) -> Future[Recognition]:
    future: Future[Recognition] = Future()
    future.set_result(Recognition(text, 0.8))
    return future


@pytest.fixture(scope="module")
def turn() -> NDArray[np.int16]:
    speech = EspeakTts(cache_dir=TTS_CACHE).synthesize("Chcę zapłacić podatek.", "pl")
    return np.concatenate([np.zeros(4000, np.int16), speech, np.zeros(12000, np.int16)])


async def speak(call: FakeCall, audio: NDArray[np.int16]) -> None:
    for i in range(0, len(audio), 160):
        assert call.rtp.on_audio is not None
        call.rtp.on_audio(audio[i : i + 160])
        await asyncio.sleep(0)


async def test_listening_uses_the_turn_decoded_while_spoken(turn: NDArray[np.int16]) -> None:
    call, asr = FakeCall(), StreamingAsr()
    io = CallIO(call, EspeakTts(), Hearing(Endpointer(RATE)), asr)  # type: ignore[arg-type]
    async with io.attached():
        listening = asyncio.create_task(io.listen("topic", 5.0))
        await asyncio.sleep(0)
        await speak(call, turn)
        heard = await listening
    assert heard.kind == "speech" and heard.text == "streamed for topic"
    assert asr.submitted == []


async def test_a_turn_spoken_for_another_step_is_decoded_again(turn: NDArray[np.int16]) -> None:
    call, asr = FakeCall(), StreamingAsr()
    io = CallIO(call, EspeakTts(), Hearing(Endpointer(RATE)), asr)  # type: ignore[arg-type]
    async with io.attached():
        listening = asyncio.create_task(io.listen("yes_no", 5.0))
        await asyncio.sleep(0)
        await speak(call, turn[:8000])  # the caller starts while yes/no is listened for ...
        assert io.hearing is not None and io.hearing.speaking.is_set()
        listening.cancel()  # ... that listener goes away (the flow moved on) ...
        await asyncio.gather(listening, return_exceptions=True)
        await speak(call, turn[8000:])  # ... and the turn ends; then the topic is asked
        heard = await io.listen("topic", 1.0)
    assert heard.text == "whole for topic"
    assert asr.submitted and asr.submitted[0][1] == "topic"


async def test_nobody_listening_then_the_whole_turn_is_decoded(turn: NDArray[np.int16]) -> None:
    call, asr = FakeCall(), StreamingAsr()
    io = CallIO(call, EspeakTts(), Hearing(Endpointer(RATE)), asr)  # type: ignore[arg-type]
    async with io.attached():
        await speak(call, turn)  # said while the bot was busy elsewhere
        heard = await io.listen("topic", 1.0)
    assert heard.text == "whole for topic"
    assert asr.submitted == [(asr.submitted[0][0], "topic")]


async def test_an_engine_that_cannot_stream_runs_in_a_thread(turn: NDArray[np.int16]) -> None:
    call = FakeCall()
    io = CallIO(call, EspeakTts(), Hearing(Endpointer(RATE)), PlainAsr())  # type: ignore[arg-type]
    async with io.attached():
        listening = asyncio.create_task(io.listen("topic", 5.0))
        await asyncio.sleep(0)
        await speak(call, turn)
        heard = await listening
    assert heard.text == "plain for topic"


async def test_a_prompt_rendered_ahead_is_played_from_memory(tmp_path: Path) -> None:
    class Counting(EspeakTts):
        calls = 0

        def synthesize(self, text: str, lang: str) -> Any:
            Counting.calls += 1
            return super().synthesize(text, lang)

    tts = Counting(cache_dir=tmp_path, lead_in_ms=10)
    tts.prerender([("Dzień dobry.", "pl")])
    rendered = Counting.calls
    call = FakeCall()
    io = CallIO(call, tts, None, None)  # type: ignore[arg-type]
    await io.say(call, "Dzień dobry.", "pl")  # type: ignore[arg-type]
    assert Counting.calls == rendered and len(call.rtp.played) == 1
