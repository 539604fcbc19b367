"""The call's mouth, ears and keypad: say a prompt, wait for a key, listen for a turn.

A prompt stops as soon as the caller presses a key or starts to speak (barge-in); the key or
the speech is kept for the step that listens next. Recognition runs in worker processes
(or a thread, for engines that cannot stream), so one caller's speech never holds up
another call's audio; while ``listen`` waits, the caller's turn is decoded as it is spoken.

What a caller waits for after speaking is logged per turn at DEBUG on
``kontakt.voice.latency`` (bench/voice.py turns it on): end-of-turn silence, recognition,
the dialogue's decision, the prompt's rendering and its first sound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr.base import AsrEngine, Recognition
from kontakt.voice.asr.streaming import StreamingAsr
from kontakt.voice.hearing import Hearing, Utterance
from kontakt.voice.sip.endpoint import Call
from kontakt.voice.tts import TtsEngine

log = logging.getLogger("kontakt.voice")
timing = logging.getLogger("kontakt.voice.latency")
GAP_CHECK_S = 0.1
AUDIBLE = 500  # int16 amplitude: where a prompt's first sound starts (for the timing log)
# A recogniser that has not answered by then is treated as having failed (no match), so a
# stuck worker cannot hold a caller on the line in silence.
RECOGNITION_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Heard:
    kind: str  # speech | digit | silence | hangup
    text: str = ""
    digit: str = ""
    confidence: float = 0.0
    ended_at: float = 0.0  # monotonic end of the caller's speech (latency measurements)


class CallIO:
    """One call's prompts and input. ``asr`` is None where no engine serves the language."""

    def __init__(
        self, call: Call, tts: TtsEngine, hearing: Hearing | None, asr: AsrEngine | None
    ) -> None:
        self.call = call
        self.tts = tts
        self.hearing = hearing
        self.asr = asr
        self._heard: tuple[float, float, float] | None = None  # for the timing log

    @contextlib.asynccontextmanager
    async def attached(self) -> AsyncIterator[CallIO]:
        """Feed the caller's audio to ``hearing`` while the call flow runs."""
        if self.hearing is None:
            yield self
            return
        hearing = self.hearing
        self.call.rtp.on_audio = hearing.feed

        async def watch_gaps() -> None:
            while True:
                await asyncio.sleep(GAP_CHECK_S)
                hearing.check_gap(self.call.rtp.flush_audio)

        watcher = asyncio.create_task(watch_gaps())
        try:
            yield self
        finally:
            watcher.cancel()
            self.call.rtp.on_audio = None
            hearing.close()

    @property
    def live(self) -> bool:
        return self.call.state == "confirmed"

    async def say(self, call: Call, text: str, lang: str) -> None:
        """Play a prompt to its end, unless a key or the caller's voice interrupts it."""
        asked = time.monotonic()
        # Prompts rendered ahead (server.warm_up) are taken without a thread: a thread from
        # the loop's small default pool can be a long wait when many calls are busy.
        cached = getattr(self.tts, "cached", None)
        pcm: NDArray[np.int16] | None = cached(text, lang) if cached is not None else None
        if pcm is None:
            pcm = await asyncio.to_thread(self.tts.synthesize, text, lang)
        rendered = time.monotonic()
        if call.state != "confirmed":
            return  # hung up while the prompt was being rendered
        hearing = self.hearing
        if call.digits or (
            hearing is not None and (hearing.speaking.is_set() or not hearing.utterances.empty())
        ):
            return  # the caller already answers: do not talk over them
        playing = call.rtp.play(pcm)
        self._log_timing(asked, rendered, pcm)
        call.digit_event.clear()
        waits = {
            playing,
            asyncio.ensure_future(call.digit_event.wait()),
            asyncio.ensure_future(call.ended.wait()),
        }
        if self.hearing is not None:
            waits.add(asyncio.ensure_future(self.hearing.speaking.wait()))
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in waits - {playing}:
            task.cancel()
        if not playing.done():
            call.rtp.stop_playing()

    async def digit(self, call: Call, wait_s: float) -> str | None:
        """The next key pressed (including during the prompt), or None after ``wait_s``."""
        try:
            async with asyncio.timeout(wait_s):
                while not call.digits:
                    if call.state == "ended":
                        return None
                    call.digit_event.clear()
                    ended = asyncio.ensure_future(call.ended.wait())
                    pressed = asyncio.ensure_future(call.digit_event.wait())
                    try:
                        await asyncio.wait({ended, pressed}, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        ended.cancel()
                        pressed.cancel()
        except TimeoutError:
            return None
        return call.digits.pop(0)

    async def listen(self, step: str, wait_s: float) -> Heard:
        """The caller's next input: a key, or a spoken turn recognised with the vocabulary of
        ``step``. ``wait_s`` counts until the caller starts; a turn in progress is heard out."""
        call = self.call
        if call.digits:
            return Heard("digit", digit=call.digits.pop(0))
        hearing = self.hearing if self.asr is not None else None
        if hearing is None:
            return await self._wait(step, wait_s, None)
        hearing.expect(step, self.asr if isinstance(self.asr, StreamingAsr) else None)
        try:
            return await self._wait(step, wait_s, hearing)
        finally:
            hearing.expect(None)

    async def _wait(self, step: str, wait_s: float, hearing: Hearing | None) -> Heard:
        call = self.call
        deadline = time.monotonic() + wait_s
        while call.state == "confirmed":
            if call.digits:
                return Heard("digit", digit=call.digits.pop(0))
            if hearing is not None and not hearing.utterances.empty():
                return await self._recognize(hearing.utterances.get_nowait(), step)
            speaking = hearing is not None and hearing.speaking.is_set()
            if not speaking and time.monotonic() >= deadline:
                return Heard("silence")
            call.digit_event.clear()
            waits: set[asyncio.Future[Any]] = {
                asyncio.ensure_future(call.digit_event.wait()),
                asyncio.ensure_future(call.ended.wait()),
            }
            taken = asyncio.ensure_future(hearing.utterances.get()) if hearing else None
            if taken is not None:
                waits.add(taken)
            left = max(0.05, deadline - time.monotonic()) if not speaking else 1.0
            try:
                await asyncio.wait(waits, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # Also when this listener is cancelled: a getter left waiting on the queue
                # would swallow the caller's next turn.
                for task in waits:
                    task.cancel()
                got = taken is not None and taken.done() and not taken.cancelled()
                if hearing is not None and taken is not None and got:
                    hearing.utterances.put_nowait(taken.result())  # for the loop's top, or the next
        return Heard("hangup")

    async def _recognize(self, utterance: Utterance, step: str) -> Heard:
        assert self.asr is not None
        streamed = utterance.recognition
        heard = Heard("speech", ended_at=utterance.ended_at)
        if len(utterance.pcm) < 1600:  # under 0.2 s: a click or a cough, not a word
            if streamed is not None:
                streamed.cancel()
            return heard
        try:
            result = await self._recognition(utterance, step)
        except Exception:  # a recogniser failing must not drop the call: treat as no match
            log.exception("speech recognition failed")
            return heard
        self._heard = (utterance.speech_end_at, utterance.ended_at, time.monotonic())
        return Heard(
            "speech", text=result.text, confidence=result.confidence, ended_at=utterance.ended_at
        )

    async def _recognition(self, utterance: Utterance, step: str) -> Recognition:
        asr = self.asr
        assert asr is not None
        async with asyncio.timeout(RECOGNITION_TIMEOUT_S):
            if utterance.recognition is not None:
                if utterance.step == step:  # decoded while spoken, for this very step
                    return await asyncio.wrap_future(utterance.recognition)
                utterance.recognition.cancel()  # spoken before another step listened
            if isinstance(asr, StreamingAsr):
                return await asyncio.wrap_future(asr.submit(utterance.pcm, 8000, step))
            return await asyncio.to_thread(asr.recognize, utterance.pcm, 8000, step)

    def _log_timing(self, asked: float, rendered: float, pcm: NDArray[np.int16]) -> None:
        """One line for the prompt that answers a recognised turn: where the caller's wait
        went, from the last sound of the turn to the prompt's first sound."""
        if self._heard is None or not timing.isEnabledFor(logging.DEBUG):
            return
        speech_end, turn_end, recognised = self._heard
        self._heard = None
        loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > AUDIBLE)
        lead = float(loud[0]) / 8000 if len(loud) else 0.0
        playing = time.monotonic()
        timing.debug(
            "turn answered %.3f s after the caller's last sound: end of turn %.3f, "
            "recognition %.3f, dialogue %.3f, prompt %.3f, playout %.3f, lead-in %.3f",
            playing + lead - speech_end, turn_end - speech_end, recognised - turn_end,
            asked - recognised, rendered - asked, playing - rendered, lead,
        )  # fmt: skip
