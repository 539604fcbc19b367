"""Who answers next: the longest-idle available agent qualified for the queue and language.

Pure functions over plain values, so the rule is easy to test and to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AgentView:
    user_id: int
    queues: Sequence[str]
    languages: Sequence[str]
    state: str
    idle_since: datetime | None


@dataclass(frozen=True)
class EntryView:
    queue: str
    language: str


def qualified(agent: AgentView, entry: EntryView) -> bool:
    return entry.queue in agent.queues and entry.language in agent.languages


def next_agent(entry: EntryView, agents: Iterable[AgentView]) -> AgentView | None:
    """The available qualified agent who has been idle longest (ties: lowest id)."""
    free = [a for a in agents if a.state == "available" and qualified(a, entry)]
    if not free:
        return None
    return min(free, key=_idle_key)


def _idle_key(agent: AgentView) -> tuple[bool, float, int]:
    # Never idle (no timestamp) sorts last; then the earliest idle_since; ties by id.
    since = agent.idle_since.timestamp() if agent.idle_since else 0.0
    return (agent.idle_since is None, since, agent.user_id)


def estimated_wait_s(position: int, agents_serving: int, handle_s: float) -> float:
    """Erlang-free estimate residents understand: contacts ahead × handling time ÷ agents."""
    return position * handle_s / max(1, agents_serving)
