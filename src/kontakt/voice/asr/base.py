"""The speech recognition contract the call loop depends on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, get_args

import numpy as np
from numpy.typing import NDArray

# The dialogue step whose vocabulary applies to an utterance: "topic" (what is the call
# about), "yes_no" (a confirmation), "digits" (numbers read out), "service" (booking:
# services, offices, days, times) and "free" (any of these).
Step = Literal["topic", "yes_no", "digits", "service", "free"]
STEPS: tuple[Step, ...] = get_args(Step)


class AsrError(RuntimeError):
    """An engine cannot run: a missing model folder, a missing program, a broken build."""


@dataclass(frozen=True)
class Recognition:
    """Lowercase text (empty if nothing was understood) and a confidence in [0, 1].

    Confidences of different engines are not on one scale; each engine documents how it
    computes its own, and the dialogue policy sets its thresholds per engine.
    """

    text: str
    confidence: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")


NOTHING = Recognition("", 0.0)


class AsrEngine(Protocol):
    language: str

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        """Recognise one caller turn. Blocking and CPU-bound: run it in a thread.

        ``step`` is one of STEPS; an unknown step is treated as "free".
        """
        ...


def as_step(step: str) -> Step:
    return step if step in STEPS else "free"
