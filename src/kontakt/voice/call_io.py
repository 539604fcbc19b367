"""The call's mouth, ears and keypad: say a prompt, wait for a key, listen for a turn.

A prompt stops as soon as the caller presses a key or starts to speak (barge-in); the key or
the speech is kept for the step that listens next. Recognition runs in a thread, so one
caller's speech never holds up another call's audio.
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

from kontakt.voice.asr.base import AsrEngine
from kontakt.voice.hearing import Hearing, Utterance
from kontakt.voice.sip.endpoint import Call
from kontakt.voice.tts import TtsEngine

log = logging.getLogger("kontakt.voice")
GAP_CHECK_S = 0.1


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

    @property
    def live(self) -> bool:
        return self.call.state == "confirmed"

    async def say(self, call: Call, text: str, lang: str) -> None:
        """Play a prompt to its end, unless a key or the caller's voice interrupts it."""
        pcm: NDArray[np.int16] = await asyncio.to_thread(self.tts.synthesize, text, lang)
        if call.state != "confirmed":
            return  # hung up while the prompt was being rendered
        hearing = self.hearing
        if call.digits or (
            hearing is not None and (hearing.speaking.is_set() or not hearing.utterances.empty())
        ):
            return  # the caller already answers: do not talk over them
        playing = call.rtp.play(pcm)
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
            if hearing is not None:
                waits.add(asyncio.ensure_future(hearing.utterances.get()))
            left = max(0.05, deadline - time.monotonic()) if not speaking else 1.0
            done, pending = await asyncio.wait(
                waits, timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            for task in done:
                result = task.result()
                if hearing is not None and not isinstance(result, bool):
                    hearing.utterances.put_nowait(result)  # handled at the top of the loop
        return Heard("hangup")

    async def _recognize(self, utterance: Utterance, step: str) -> Heard:
        assert self.asr is not None
        if len(utterance.pcm) < 1600:  # under 0.2 s: a click or a cough, not a word
            return Heard("speech", ended_at=utterance.ended_at)
        try:
            result = await asyncio.to_thread(self.asr.recognize, utterance.pcm, 8000, step)
        except Exception:  # a recogniser failing must not drop the call: treat as no match
            log.exception("speech recognition failed")
            return Heard("speech", ended_at=utterance.ended_at)
        return Heard(
            "speech", text=result.text, confidence=result.confidence, ended_at=utterance.ended_at
        )
