"""Contact events of the desk. The KPI report is computed from these alone (issue #8):
offered, answered (with the wait), abandoned (with the wait), transferred, and completed
(with talk and wrap-up time and the wrap-up topic code).

Answered, abandoned and completed repeat the contact's kind and language (and completed its
direction), as Asterisk's queue_log lines repeat the call's facts: the report then counts
each fact from its own row, without joining every answer back to its offer.
Fields added later have defaults, so older rows still decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kontakt.events import Event, event_type


@event_type
@dataclass(frozen=True)
class ContactOffered(Event):
    kind: ClassVar[str] = "contact_offered"
    entry: str
    queue: str
    channel: str
    contact: str  # chat | callback | call
    language: str
    topic: str | None = None
    reason: str = "requested"  # requested | policy | callback | transfer | overflow


@event_type
@dataclass(frozen=True)
class ContactAnswered(Event):
    kind: ClassVar[str] = "contact_answered"
    entry: str
    queue: str
    agent: str
    wait_s: float
    contact: str = "chat"  # chat | callback | call, as offered
    language: str = "pl"


@event_type
@dataclass(frozen=True)
class ContactAbandoned(Event):
    kind: ClassVar[str] = "contact_abandoned"
    entry: str
    queue: str
    wait_s: float
    contact: str = "chat"
    language: str = "pl"


@event_type
@dataclass(frozen=True)
class ContactTransferred(Event):
    kind: ClassVar[str] = "contact_transferred"
    entry: str
    from_queue: str
    to_queue: str
    by: str  # an agent's name, or "overflow"
    note: str = ""
    # The entry that continues the contact in the target queue: its answer is not a second
    # answered contact when an agent had already answered this one.
    to_entry: str = ""


@event_type
@dataclass(frozen=True)
class ContactCompleted(Event):
    kind: ClassVar[str] = "contact_completed"
    entry: str
    queue: str
    agent: str
    talk_s: float
    wrap_s: float
    wrap_code: str  # a topic id, the same taxonomy as the bot's topics ("" = not coded)
    # closed | returned_to_bot | transferred | no_answer (an outbound call nobody picked up)
    outcome: str = "closed"
    contact: str = "chat"
    language: str = "pl"
    direction: str = "inbound"  # outbound: a call a broker placed (campaigns)


@event_type
@dataclass(frozen=True)
class AgentReplied(Event):
    kind: ClassVar[str] = "agent_replied"
    agent: str
    text: str


@event_type
@dataclass(frozen=True)
class AgentStateChanged(Event):
    kind: ClassVar[str] = "agent_state_changed"
    agent: str
    state: str
    previous: str


@event_type
@dataclass(frozen=True)
class CallbackRequested(Event):
    kind: ClassVar[str] = "callback_requested"
    entry: str
    queue: str
    language: str
    ready_at: str
