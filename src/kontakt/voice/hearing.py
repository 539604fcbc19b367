"""What the bot hears on a call: the caller's turns of speech, cut by voice activity.

Every 20 ms frame of the caller's audio goes through an endpointer. When speech starts, the
bot's prompt is stopped (barge-in) by whoever waits on ``speaking``; when it ends (enough
trailing silence, or RTP stopping — SIPp and some gateways just stop sending) the turn's
audio is queued as one utterance. Utterances that arrive while the bot is talking are kept,
so a caller who answers before the question ends is not asked again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.vad import Endpointer, SpeechStarted, TurnEnded, VadEvent

# RTP silent this long during speech ends the turn.
RTP_GAP_S = 0.6


@dataclass(frozen=True)
class Utterance:
    pcm: NDArray[np.int16]
    ended_at: float  # time.monotonic() of the turn's last frame


class Hearing:
    def __init__(self, endpointer: Endpointer) -> None:
        self.endpointer = endpointer
        self.speaking = asyncio.Event()
        self.utterances: asyncio.Queue[Utterance] = asyncio.Queue()
        self._last_frame_at = 0.0

    def feed(self, frame: NDArray[np.int16]) -> None:
        self._last_frame_at = time.monotonic()
        self._handle(self.endpointer.feed(frame))

    def check_gap(self, flush: Callable[[], None]) -> None:
        """Called periodically: RTP that stopped mid-speech ends the turn."""
        if self.endpointer.in_speech and time.monotonic() - self._last_frame_at > RTP_GAP_S:
            flush()  # frames the jitter buffer still holds come through ``feed`` first
            self._handle(self.endpointer.finish())

    def _handle(self, events: list[VadEvent]) -> None:
        for event in events:
            if isinstance(event, SpeechStarted):
                self.speaking.set()
            elif isinstance(event, TurnEnded):
                self.utterances.put_nowait(Utterance(event.audio, self._last_frame_at))
                self.speaking.clear()
