"""Recognition while the caller speaks: what an engine offers beyond AsrEngine.recognize.

An engine that decodes incrementally (pocketsphinx, in its worker processes) is given a
turn's audio as it arrives, so that when the turn ends only the last step is left. Both
methods return at once; the result comes as a ``concurrent.futures.Future`` (await it with
``asyncio.wrap_future``), so no thread is held while the workers are busy. Engines without
this (Whisper, Vosk) are run by the caller with ``recognize`` in a thread.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr.base import Recognition


class SpeechStream(Protocol):
    def feed(self, pcm: NDArray[np.int16], quiet: bool = False) -> None:
        """More of the turn, as it arrives (any length). Never blocks. ``quiet``: the
        caller has gone silent (the turn may be about to end), a hint for scheduling."""
        ...

    def finish(self, speech_until: int | None = None) -> Future[Recognition]:
        """The turn is over; its recognition follows. ``speech_until``: the samples of the
        turn up to the end of its last speech, as the endpointer judged (the rest was the
        silence that ended it): a result the engine settled on after that stands."""
        ...

    def cancel(self) -> None:
        """The turn is not wanted (the call ended): free what it holds."""
        ...

    def complete(self, speech_until: int) -> bool:
        """Whether the engine has settled on the turn up to sample ``speech_until`` (see
        ``finish``) and its words make a complete answer for the step, so the turn can end
        without waiting out the full end-of-turn silence. Never blocks."""
        ...


@runtime_checkable
class StreamingAsr(Protocol):
    language: str

    def open_stream(self, step: str, rate: int) -> SpeechStream:
        """A turn to be recognised with the vocabulary of ``step`` (see AsrEngine)."""
        ...

    def submit(self, pcm: NDArray[np.int16], rate: int, step: str) -> Future[Recognition]:
        """A whole turn at once, as ``recognize`` but without waiting."""
        ...
