"""What the bot hears on a call: the caller's turns of speech, cut by voice activity.

Every 20 ms frame of the caller's audio goes through an endpointer. When speech starts, the
bot's prompt is stopped (barge-in) by whoever waits on ``speaking``; when it ends (enough
trailing silence, or RTP stopping — SIPp and some gateways just stop sending) the turn's
audio is queued as one utterance. Utterances that arrive while the bot is talking are kept,
so a caller who answers before the question ends is not asked again.

While someone listens for a dialogue step (``expect``) and the recogniser can decode as
the caller speaks, the turn is streamed to it from its first frame (or, if the listening
began mid-turn, from what was heard so far): when the turn ends, its recognition is
nearly done, and the utterance carries it. A turn spoken while nobody listens is
recognised as a whole later, by whoever takes it, with that listener's step. A streamed
turn ends after the endpointer's shorter ``min_silence_ms`` when the recogniser has
settled on words that make a complete answer ("tak"; a sentence that does not stop on
"o" or "w"), and after the full silence otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr.base import Recognition
from kontakt.voice.asr.streaming import SpeechStream, StreamingAsr
from kontakt.voice.vad import Endpointer, SpeechAudio, SpeechStarted, TurnEnded, VadEvent

log = logging.getLogger("kontakt.voice")
# RTP silent this long during speech ends the turn.
RTP_GAP_S = 0.6
# Silence after speech that tells the recogniser the turn may be ending (a pause between
# words is shorter), so it serves this call before those still speaking.
QUIET_MS = 200


@dataclass(frozen=True)
class Utterance:
    pcm: NDArray[np.int16]
    ended_at: float  # time.monotonic() of the turn's last frame
    speech_end_at: float = 0.0  # ... and of its last sound (ended_at minus the silence)
    step: str | None = None  # the step ``recognition`` used, if the turn was streamed
    recognition: Future[Recognition] | None = None


class Hearing:
    def __init__(self, endpointer: Endpointer) -> None:
        self.endpointer = endpointer
        self.speaking = asyncio.Event()
        self.utterances: asyncio.Queue[Utterance] = asyncio.Queue()
        self._last_frame_at = 0.0
        self._turn: list[NDArray[np.int16]] = []  # the turn in progress, so far
        self._expected: tuple[str, StreamingAsr] | None = None
        self._stream: tuple[str, SpeechStream] | None = None

    def feed(self, frame: NDArray[np.int16]) -> None:
        self._last_frame_at = time.monotonic()
        self._handle(self.endpointer.feed(frame))
        endpointer = self.endpointer
        # The recogniser settled on a complete answer: no need to wait out the rest of the
        # end-of-turn silence.
        stream = self._stream[1] if self._stream is not None else None
        if stream is not None and endpointer.may_end and stream.complete(endpointer.speech_until):
            self._handle(endpointer.finish())

    def check_gap(self, flush: Callable[[], None]) -> None:
        """Called periodically: RTP that stopped mid-speech ends the turn."""
        if self.endpointer.in_speech and time.monotonic() - self._last_frame_at > RTP_GAP_S:
            flush()  # frames the jitter buffer still holds come through ``feed`` first
            self._handle(self.endpointer.finish())

    def expect(self, step: str | None, asr: StreamingAsr | None = None) -> None:
        """Someone listens for ``step`` now (None: nobody does any more). With a streaming
        recogniser, turns are decoded while they are spoken, starting with one already in
        progress."""
        self._expected = (step, asr) if step is not None and asr is not None else None
        if self._expected is None or not self.endpointer.in_speech:
            return
        if self._stream is not None and self._stream[0] != step:
            self._stream[1].cancel()  # decoded for another step so far: start again
            self._stream = None
        if self._stream is None:
            self._open(np.concatenate(self._turn) if self._turn else None)

    def close(self) -> None:
        """The call is over: free the recogniser's work on a turn in progress."""
        self._expected = None
        if self._stream is not None:
            self._stream[1].cancel()
            self._stream = None

    def _handle(self, events: list[VadEvent]) -> None:
        for event in events:
            if isinstance(event, SpeechStarted):
                self._turn = [event.audio]
                self.speaking.set()
                if self._expected is not None:
                    self._open(event.audio)
            elif isinstance(event, SpeechAudio):
                self._turn.append(event.audio)
                if self._stream is not None:
                    quiet = self.endpointer.silent_ms >= QUIET_MS
                    self._stream[1].feed(event.audio, quiet)
            elif isinstance(event, TurnEnded):
                self._turn = []
                step, recognition = None, None
                if self._stream is not None:
                    (step, stream), self._stream = self._stream, None
                    trailing = event.trailing_ms * self.endpointer.rate // 1000
                    recognition = stream.finish(speech_until=len(event.audio) - trailing)
                speech_end = self._last_frame_at - event.trailing_ms / 1000
                self.utterances.put_nowait(
                    Utterance(event.audio, self._last_frame_at, speech_end, step, recognition)
                )
                self.speaking.clear()

    def _open(self, audio: NDArray[np.int16] | None) -> None:
        assert self._expected is not None
        step, asr = self._expected
        try:
            stream = asr.open_stream(step, self.endpointer.rate)
            if audio is not None and len(audio):
                stream.feed(audio)
        except Exception:  # this runs in the RTP callback: never let it break the call
            log.exception("cannot stream a turn to the recogniser; it is decoded at its end")
            return
        self._stream = (step, stream)
