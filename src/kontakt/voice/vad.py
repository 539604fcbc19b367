"""Voice activity detection with webrtcvad: trimming an utterance, and live endpointing.

webrtcvad judges 10, 20 or 30 ms frames of 16-bit mono PCM at 8, 16, 32 or 48 kHz, at
negligible cost (RTF 0.0001), so it runs on every RTP frame of every call. Single frames
are noisy (a click or a breath passes as speech), so both helpers look at runs of frames.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import webrtcvad
from numpy.typing import NDArray

RATES = (8000, 16000, 32000, 48000)
# 3 is webrtcvad's most aggressive setting: the fewest false alarms on line noise, at the
# price of clipping soft word edges, which the margins below give back.
MODE = 3


def _check(rate: int, frame_ms: int) -> int:
    if rate not in RATES:
        raise ValueError(f"webrtcvad needs a rate of {RATES}, not {rate}")
    if frame_ms not in (10, 20, 30):
        raise ValueError(f"webrtcvad needs 10, 20 or 30 ms frames, not {frame_ms}")
    return rate * frame_ms // 1000


def speech_frames(pcm: NDArray[np.int16], rate: int, frame_ms: int = 30) -> list[bool]:
    """One speech/non-speech flag per whole frame (a trailing partial frame is ignored)."""
    size = _check(rate, frame_ms)
    vad = webrtcvad.Vad(MODE)
    data = np.ascontiguousarray(pcm, dtype=np.int16)
    return [
        vad.is_speech(data[i : i + size].tobytes(), rate)
        for i in range(0, len(data) - size + 1, size)
    ]


# webrtcvad adapts to the noise floor over its first frames, and until then it may call
# faint line noise speech; within one utterance, speech is never this far below its peak.
TRIM_FLOOR_DB = 35.0


def trim(
    pcm: NDArray[np.int16], rate: int, margin_ms: int = 100, min_run: int = 3
) -> NDArray[np.int16]:
    """The span from the first to the last run of speech, plus ``margin_ms`` each side.

    A run is ``min_run`` consecutive speech frames of 30 ms, each also within
    TRIM_FLOOR_DB of the loudest frame: shorter or fainter bursts at the edges are clicks
    or line noise. Returns an empty array when there is no speech at all. Pocketsphinx
    needs this: with half a second of silence around it, a well-recognised sentence
    collapses to a single word (speech reference, section 2.2).
    """
    frame_ms = 30
    size = _check(rate, frame_ms)
    flags = speech_frames(pcm, rate, frame_ms)
    if flags:
        frames = np.asarray(pcm[: len(flags) * size], dtype=np.float64).reshape(-1, size)
        rms = np.sqrt(np.mean(frames**2, axis=1))
        loud = rms >= rms.max() * 10 ** (-TRIM_FLOOR_DB / 20)
        flags = [f and bool(ok) for f, ok in zip(flags, loud, strict=True)]
    starts = [i for i in range(len(flags) - min_run + 1) if all(flags[i : i + min_run])]
    if not starts:
        return np.zeros(0, dtype=np.int16)
    first, last = starts[0], starts[-1] + min_run  # frame indices, end exclusive
    margin = rate * margin_ms // 1000
    begin = max(0, first * size - margin)
    end = min(len(pcm), last * size + margin)
    return pcm[begin:end]


def _empty() -> NDArray[np.int16]:
    return np.zeros(0, dtype=np.int16)


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started speaking: stop playing the prompt (barge-in). ``audio`` is the
    turn so far, from just before it started."""

    audio: NDArray[np.int16] = field(default_factory=_empty)


@dataclass(frozen=True)
class SpeechAudio:
    """More of the turn in progress (for a recogniser that decodes as the caller speaks)."""

    audio: NDArray[np.int16]


@dataclass(frozen=True)
class TurnEnded:
    """The caller stopped speaking; ``audio`` is the turn from just before it started, and
    its last ``trailing_ms`` are the silence that ended it."""

    audio: NDArray[np.int16]
    trailing_ms: int = 0


VadEvent = SpeechStarted | SpeechAudio | TurnEnded


class Endpointer:
    """Feed it the call's audio as it arrives; it says when a turn starts and ends.

    Speech starts when ``min_speech_ms`` of nearly continuous speech frames have been
    heard (a click is shorter, even with the hangover webrtcvad adds: a 60 ms burst reads
    as 140 ms of speech), and the turn ends after ``silence_ms`` of trailing silence, or
    after ``max_turn_ms`` in any case. The silence is counted from the last frame that is
    speech to webrtcvad *and* within TRIM_FLOOR_DB of the turn's loudest frame: webrtcvad
    keeps saying "speech" for 60-100 ms of its own hangover after the voice has stopped,
    which would otherwise be waited out on top of ``silence_ms`` (measured on the routing
    phrases: the turn ended 0.80 s after the last sound with 700 ms, now 0.70 s). The
    turn's audio keeps ``preroll_ms`` from before the start: webrtcvad often misses a soft
    first consonant, so the start is only noticed a few hundred ms into the word.
    ``min_silence_ms`` is the shortest end-of-turn silence, for whoever knows better than
    the silence that the turn is over (Hearing, from the recogniser): see ``may_end``. Not
    thread-safe: one per call, fed from the call's audio task.
    """

    def __init__(
        self,
        rate: int = 8000,
        silence_ms: int = 700,
        min_speech_ms: int = 200,
        max_turn_ms: int = 20_000,
        preroll_ms: int = 500,
        frame_ms: int = 20,
        min_silence_ms: int | None = None,
    ) -> None:
        self.rate = rate
        self.frame_ms = frame_ms
        self.min_silence_ms = silence_ms if min_silence_ms is None else min_silence_ms
        self._size = _check(rate, frame_ms)
        self._vad = webrtcvad.Vad(MODE)
        self._start_frames = max(1, min_speech_ms // frame_ms)
        self._end_frames = max(1, silence_ms // frame_ms)
        self._max_frames = max(1, max_turn_ms // frame_ms)
        preroll = max(self._start_frames, preroll_ms // frame_ms)
        self._recent: deque[tuple[NDArray[np.int16], bool]] = deque(maxlen=preroll)
        self._pending = np.zeros(0, dtype=np.int16)
        self._turn: list[NDArray[np.int16]] = []
        self._silent = 0
        self._peak = 0.0  # the turn's loudest frame (RMS)
        self.in_speech = False

    def feed(self, pcm: NDArray[np.int16]) -> list[VadEvent]:
        """Audio of any length; it is judged in whole frames, the rest kept for later."""
        data = np.concatenate([self._pending, np.asarray(pcm, dtype=np.int16)])
        events: list[VadEvent] = []
        n = len(data) // self._size * self._size
        for i in range(0, n, self._size):
            frame = data[i : i + self._size]
            event = self._frame(frame, self._vad.is_speech(frame.tobytes(), self.rate))
            if event is not None:
                events.append(event)
        self._pending = data[n:].copy()
        return events

    @property
    def silent_ms(self) -> int:
        """How long the turn in progress has been silent (0 while the caller speaks)."""
        return self._silent * self.frame_ms

    @property
    def speech_until(self) -> int:
        """Samples of the turn in progress up to the end of its last speech."""
        return (len(self._turn) - self._silent) * self._size

    @property
    def may_end(self) -> bool:
        """The turn in progress has had ``min_silence_ms`` of silence: it may be ended
        (``finish``) if it is known to be complete."""
        return self.in_speech and self._silent * self.frame_ms >= self.min_silence_ms

    def finish(self) -> list[VadEvent]:
        """The audio stopped (RTP ended): close a turn in progress, if any."""
        return [self._end()] if self.in_speech else []

    def reset(self) -> None:
        """Forget everything heard so far, e.g. when a new prompt starts."""
        self._recent.clear()
        self._pending = np.zeros(0, dtype=np.int16)
        self._turn = []
        self._silent = 0
        self._peak = 0.0
        self.in_speech = False

    def _frame(self, frame: NDArray[np.int16], speech: bool) -> VadEvent | None:
        if self.in_speech:
            self._turn.append(frame)
            level = _rms(frame)
            self._peak = max(self._peak, level)
            loud = level >= self._peak * 10 ** (-TRIM_FLOOR_DB / 20)
            self._silent = 0 if speech and loud else self._silent + 1
            if self._silent >= self._end_frames or len(self._turn) >= self._max_frames:
                return self._end()
            return SpeechAudio(frame)
        self._recent.append((frame, speech))
        window = list(self._recent)[-self._start_frames :]
        voiced = sum(flag for _, flag in window)
        # "Nearly continuous": one dropped frame in the window is still speech.
        if len(window) == self._start_frames and voiced >= max(1, self._start_frames - 1):
            self.in_speech = True
            self._turn = [f for f, _ in self._recent]
            self._peak = max(_rms(f) for f in self._turn)
            self._recent.clear()
            self._silent = 0
            return SpeechStarted(np.concatenate(self._turn))
        return None

    def _end(self) -> TurnEnded:
        audio = np.concatenate(self._turn) if self._turn else np.zeros(0, dtype=np.int16)
        trailing = self._silent * self.frame_ms
        self._turn = []
        self._silent = 0
        self._peak = 0.0
        self.in_speech = False
        return TurnEnded(audio, trailing)


def _rms(frame: NDArray[np.int16]) -> float:
    return float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
