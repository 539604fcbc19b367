"""Events of a phone call.

The voicebot records what it did with a call (issue #7): it started, the topic it identified
and how, the queue it transferred to, a self-service it completed, and how the call ended.
What happens after a transfer (offered to a queue of brokers, answered after a wait,
abandoned, completed with talk and wrap-up time) is recorded with the desk's contact events
(`kontakt.routing.events`, ``contact="call"``), whether the desk or the city's call
distributor handled the call. The KPI report (issue #8) reads both, and nothing else.

A call's events share the conversation id of its "phone" conversation; ``call_id`` is the
SIP Call-ID (or the call distributor's id for imported call records), for tracing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kontakt.events import Event, event_type

DIRECTIONS = ("inbound", "outbound")
TOPIC_METHODS = ("speech", "keypad")


@event_type
@dataclass(frozen=True)
class CallStarted(Event):
    kind: ClassVar[str] = "call_started"
    call_id: str
    direction: str = "inbound"  # inbound | outbound
    language: str = "pl"
    campaign: str | None = None  # outbound calls: the campaign they belong to


@event_type
@dataclass(frozen=True)
class TopicIdentified(Event):
    kind: ClassVar[str] = "topic_identified"
    call_id: str
    topic: str
    method: str  # speech | keypad
    confidence: float | None = None  # speech only: the classifier's probability


@event_type
@dataclass(frozen=True)
class CallTransferred(Event):
    kind: ClassVar[str] = "call_transferred"
    call_id: str
    queue: str
    sip_uri: str = ""
    ok: bool = True  # False: the transfer target refused or did not answer
    reason: str = "topic"  # topic | no_input | no_match | requested | self_service_failed


@event_type
@dataclass(frozen=True)
class SelfServiceCompleted(Event):
    kind: ClassVar[str] = "self_service_completed"
    call_id: str
    service: str  # benefit_payment_date | booking | answer


@event_type
@dataclass(frozen=True)
class CallEnded(Event):
    kind: ClassVar[str] = "call_ended"
    call_id: str
    duration_s: float
    ended_by: str = "caller"  # caller | bot | transfer
