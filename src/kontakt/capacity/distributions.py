"""Durations the simulation draws: handling times and caller patience.

Every sampler draws a whole day's values in one numpy call (the simulation's speed comes
from never drawing per call in Python) and knows its mean, which is what the Erlang
formulas take in its place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]


class Sampler(Protocol):
    """A non-negative duration in seconds."""

    @property
    def mean(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> Floats: ...


@dataclass(frozen=True)
class Fixed:
    value: float

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        return np.full(size, self.value)


@dataclass(frozen=True)
class Exponential:
    mean_s: float

    @property
    def mean(self) -> float:
        return self.mean_s

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        return rng.exponential(self.mean_s, size)


@dataclass(frozen=True)
class Lognormal:
    """Parametrised as planners think of it: the mean and the coefficient of variation."""

    mean_s: float
    cv: float

    def __post_init__(self) -> None:
        if self.mean_s <= 0 or self.cv <= 0:
            raise ValueError("lognormal needs mean_s > 0 and cv > 0")

    @property
    def mean(self) -> float:
        return self.mean_s

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean_s) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)


@dataclass(frozen=True)
class Empirical:
    """Resamples observed values (e.g. one hour's handling times from a real log)."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values or min(self.values) < 0:
            raise ValueError("an empirical sample needs at least one value, none negative")

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        return rng.choice(np.asarray(self.values, dtype=np.float64), size)


@dataclass(frozen=True)
class Survival:
    """A step survival curve S(t) (e.g. Kaplan-Meier), with an exponential tail beyond it.

    ``times`` are the curve's jump points in increasing order and ``survival`` the value of
    S just after each. Mass left after the last jump (callers still patient when the data
    runs out) continues as ``times[-1]`` plus an exponential with mean ``tail_mean_s``.
    """

    times: tuple[float, ...]
    survival: tuple[float, ...]
    tail_mean_s: float
    _cdf: Floats = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.times) != len(self.survival) or not self.times:
            raise ValueError("times and survival must be non-empty and the same length")
        if self.tail_mean_s <= 0:
            raise ValueError("tail_mean_s must be > 0")
        object.__setattr__(self, "_cdf", 1.0 - np.asarray(self.survival, dtype=np.float64))

    @property
    def mean(self) -> float:
        # ∫ S(t) dt for the step curve, plus the tail's S(t_last) × (its mean).
        edges = np.concatenate(([0.0], np.asarray(self.times)))
        levels = np.concatenate(([1.0], np.asarray(self.survival)[:-1]))
        return float((np.diff(edges) * levels).sum()) + self.survival[-1] * self.tail_mean_s

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        u = rng.random(size)
        idx = np.searchsorted(self._cdf, u, side="right")
        times = np.asarray(self.times, dtype=np.float64)
        inside = idx < len(times)
        out = np.empty(size)
        out[inside] = times[idx[inside]]
        tail = ~inside
        out[tail] = times[-1] + rng.exponential(self.tail_mean_s, int(tail.sum()))
        return out
