"""What the simulation is asked: calls, skills, staffing per interval, patience, voicebot."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kontakt.capacity.distributions import Fixed, Sampler


@dataclass(frozen=True)
class CallType:
    """One stream of calls: it waits in ``queue`` and needs an agent speaking ``language``.

    ``share`` is its fraction of all arrivals. Handling time is ``talk`` plus
    ``after_call_work``: the report's total handling time counts talk only, its AHT both.

    ``head_start_s`` is a priority that ages: a free agent takes the waiting call with the
    earliest arrival − head start, so a call with a 90 s head start goes before callers
    who have waited less than 90 s longer than it, and after those who have waited more
    (the rule the bank's switch followed; 0 everywhere is first come, first served).
    ``patience``, when set, replaces the scenario's patience for this call type.
    """

    name: str
    talk: Sampler
    share: float = 1.0
    queue: str = "general"
    language: str = "pl"
    after_call_work: Sampler = field(default_factory=lambda: Fixed(0.0))
    head_start_s: float = 0.0
    patience: Sampler | None = None


@dataclass(frozen=True)
class AgentGroup:
    """Agents who are interchangeable: the same queues and the same languages."""

    name: str
    queues: frozenset[str] = frozenset({"general"})
    languages: frozenset[str] = frozenset({"pl"})

    def serves(self, call: CallType) -> bool:
        return call.queue in self.queues and call.language in self.languages


@dataclass(frozen=True)
class Interval:
    """A staffing interval of one day; seconds since that day's midnight.

    ``calls`` is the expected number of arrivals (Poisson); ``agents`` holds one head
    count per agent group, in the scenario's group order. ``talk`` replaces every call
    type's talk time in this interval (an hour's observed handling times, say), and
    ``shares`` the call types' shares for calls arriving in it.
    """

    start_s: float
    end_s: float
    calls: float
    agents: tuple[int, ...]
    talk: Sampler | None = None
    shares: tuple[float, ...] | None = None

    @property
    def hours(self) -> float:
        return (self.end_s - self.start_s) / 3600.0


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare
class Day:
    """One day: its intervals in time order, and optionally the observed arrival times.

    With ``arrivals`` given (seconds since midnight, sorted) the simulation replays them
    instead of drawing Poisson arrivals; ``calls`` of the intervals is then informational.
    ``kinds`` may give each replayed arrival its call type (an index into the scenario's
    call types), with -1 where it is not known; those are drawn from the shares.
    """

    label: str
    intervals: tuple[Interval, ...]
    arrivals: NDArray[np.float64] | None = None
    kinds: NDArray[np.int64] | None = None


@dataclass(frozen=True)
class Voicebot:
    """The voicebot in front of the queue.

    ``self_serve_share``: share of all callers the bot serves itself; they never queue.
    ``identify_share``: share of the *queued* calls whose topic the bot identified and
    transferred straight to the right broker. ``handling_saving_s``: talk seconds an
    identified call saves the broker (no "what is it about?", no internal re-transfer).
    """

    identify_share: float = 0.0
    handling_saving_s: float = 0.0
    self_serve_share: float = 0.0

    def __post_init__(self) -> None:
        for share in (self.identify_share, self.self_serve_share):
            if not 0.0 <= share < 1.0:
                raise ValueError("voicebot shares must be in [0, 1)")
        if self.handling_saving_s < 0:
            raise ValueError("handling_saving_s must be ≥ 0")

    @property
    def active(self) -> bool:
        return self.identify_share > 0 or self.self_serve_share > 0


NO_VOICEBOT = Voicebot()


@dataclass(frozen=True)
class Scenario:
    """A whole run. ``patience`` None means callers never hang up (the Erlang-C caller)."""

    name: str
    call_types: tuple[CallType, ...]
    groups: tuple[AgentGroup, ...]
    days: tuple[Day, ...]
    patience: Sampler | None = None
    voicebot: Voicebot = NO_VOICEBOT
    answer_within_s: float = 20.0
    short_abandon_s: float = 5.0

    def __post_init__(self) -> None:
        if not self.call_types or not self.groups:
            raise ValueError("a scenario needs call types and agent groups")
        if abs(sum(c.share for c in self.call_types) - 1.0) > 1e-6:
            raise ValueError("call type shares must add up to 1")
        for call in self.call_types:
            if not any(g.serves(call) for g in self.groups):
                raise ValueError(f"no agent group serves call type {call.name!r}")
        for day in self.days:
            if day.kinds is not None and (
                day.arrivals is None or len(day.kinds) != len(day.arrivals)
            ):
                raise ValueError(f"{day.label}: kinds need one entry per replayed arrival")
            for interval in day.intervals:
                if len(interval.agents) != len(self.groups):
                    raise ValueError(f"{day.label}: one head count per agent group, please")
                shares = interval.shares
                if shares is not None and (
                    len(shares) != len(self.call_types) or abs(sum(shares) - 1.0) > 1e-6
                ):
                    raise ValueError(f"{day.label}: interval shares must match the call types")

    @property
    def aht_s(self) -> float:
        """Mean handling time before any voicebot saving, weighted by call shares."""
        return sum(c.share * (c.talk.mean + c.after_call_work.mean) for c in self.call_types)
