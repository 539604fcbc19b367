"""A call-detail record (CDR) and the events it implies.

A city's call distributor (ACD/PBX) reports one record per call. ``events_for`` turns it into
the same events the voicebot and the desk record live (``kontakt.calls.events`` and the
desk's contact events with ``contact="call"``), so imported calls, demo calls and live calls
count alike in the KPI report. It is the only place that knows how a record maps to events.

Times inside a call follow from the record: the voicebot part starts the call, the queue
offer follows it, the answer (or the hang-up) comes after the wait, the call ends after the
talk, and the broker's wrap-up ends the contact.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from kontakt.calls.events import (
    DIRECTIONS,
    TOPIC_METHODS,
    CallEnded,
    CallStarted,
    CallTransferred,
    SelfServiceCompleted,
    TopicIdentified,
)
from kontakt.events import Event
from kontakt.routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
)

LANGUAGES = ("pl", "uk", "en", "ru")


class RecordError(ValueError):
    """A record that cannot describe a real call; the message names the field."""


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    direction: str  # inbound | outbound
    started_at: datetime  # timezone-aware
    language: str = "pl"
    # Inbound: the brokers' queue the call was offered to; "" = it never reached one (it
    # ended with the voicebot). Outbound: the team that placed it (may be "").
    queue: str = ""
    topic: str = ""  # the broker's wrap-up code (a topic id) or the voicebot's topic
    bot_s: float = 0.0  # seconds with the voicebot before the queue
    bot_method: str = ""  # speech | keypad: the voicebot identified the topic itself
    self_service: str = ""  # the voicebot served the call itself (e.g. benefit_payment_date)
    waited_s: float = 0.0  # inbound: in the queue until answer or hang-up; outbound: ringing
    answered: bool = False  # inbound: a broker answered; outbound: the callee picked up
    talk_s: float = 0.0
    wrap_s: float = 0.0  # after-call work
    agent: str = ""
    campaign: str = ""  # outbound calls belong to a campaign

    @property
    def via_voicebot(self) -> bool:
        return self.bot_s > 0 or bool(self.bot_method or self.self_service)

    def validate(self) -> CallRecord:
        """Return the record, or raise RecordError naming the first impossible field."""
        if not self.call_id or len(self.call_id) > 200:
            raise RecordError("call_id: 1 to 200 characters")
        if self.direction not in DIRECTIONS:
            raise RecordError(f"direction: {self.direction!r} is not inbound or outbound")
        if self.started_at.tzinfo is None:
            raise RecordError("started_at: give a timezone")
        if self.language not in LANGUAGES:
            raise RecordError(f"language: {self.language!r} is not one of {', '.join(LANGUAGES)}")
        for name in ("bot_s", "waited_s", "talk_s", "wrap_s"):
            value = getattr(self, name)
            if not 0 <= value < 86_400:
                raise RecordError(f"{name}: {value} is not between 0 and 86400 seconds")
        if self.bot_method and self.bot_method not in TOPIC_METHODS:
            raise RecordError(f"bot_method: {self.bot_method!r} is not speech or keypad")
        if self.bot_method and not self.topic:
            raise RecordError("topic: the voicebot identified a topic, so name it")
        if not self.answered and self.talk_s:
            raise RecordError("talk_s: an unanswered call has no talk time")
        if self.direction == "outbound":
            if not self.campaign:
                raise RecordError("campaign: an outbound call belongs to a campaign")
            if self.via_voicebot:
                raise RecordError("bot_s: the voicebot takes inbound calls only")
            return self
        if self.campaign:
            raise RecordError("campaign: only outbound calls belong to a campaign")
        if self.self_service and self.queue:
            raise RecordError("queue: a call the voicebot served itself was not queued")
        if not self.queue and (self.answered or self.waited_s or self.wrap_s):
            raise RecordError("queue: a call that waited or was answered was in a queue")
        return self


class Timed(NamedTuple):
    at: datetime
    event: Event


def conversation_id(record: CallRecord) -> uuid.UUID:
    """The call's conversation id, the same for the same call every time (re-imports find
    it). Time-ordered like a UUIDv7, so bulk inserts append to the events index."""
    ms = int(record.started_at.timestamp() * 1000) & ((1 << 48) - 1)
    digest = int.from_bytes(hashlib.sha256(record.call_id.encode()).digest()[:10], "big")
    value = (ms << 80) | (0x7 << 76) | ((digest >> 68) & 0xFFF) << 64
    value |= (0b10 << 62) | (digest & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def entry_id(record: CallRecord) -> str:
    """The id of the call's contact with the brokers (a queue entry id on the desk)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kontakt:call:{record.call_id}"))


def events_for(record: CallRecord, *, bot_recorded: bool = False) -> list[Timed]:
    """The events a call implies, in time order.

    ``bot_recorded``: the voicebot already recorded its part of this call live (same call
    id), so only what the call distributor knows is added.
    """
    record.validate()
    if record.direction == "outbound":
        return _outbound(record)
    r = record
    t0 = r.started_at
    out: list[Timed] = []
    if not bot_recorded:
        out.append(Timed(t0, CallStarted(r.call_id, "inbound", r.language)))
    queued = t0 + timedelta(seconds=r.bot_s)
    if not bot_recorded and r.bot_method:
        out.append(Timed(queued, TopicIdentified(r.call_id, r.topic, r.bot_method)))
    if not bot_recorded and r.self_service:
        out.append(Timed(queued, SelfServiceCompleted(r.call_id, r.self_service)))
    if not r.queue:
        if not bot_recorded:
            out.append(Timed(queued, CallEnded(r.call_id, r.bot_s, "caller")))
        return out
    if not bot_recorded and r.via_voicebot:
        reason = "topic" if r.bot_method else "no_match"
        out.append(Timed(queued, CallTransferred(r.call_id, r.queue, "", True, reason)))
    entry = entry_id(r)
    out.append(
        Timed(
            queued,
            ContactOffered(entry, r.queue, "phone", "call", r.language, r.topic or None),
        )
    )
    settled = queued + timedelta(seconds=r.waited_s)
    if not r.answered:
        out.append(Timed(settled, ContactAbandoned(entry, r.queue, r.waited_s, "call", r.language)))
        if not bot_recorded:
            out.append(Timed(settled, CallEnded(r.call_id, r.bot_s + r.waited_s, "caller")))
        return out
    out.append(
        Timed(settled, ContactAnswered(entry, r.queue, r.agent, r.waited_s, "call", r.language))
    )
    hung_up = settled + timedelta(seconds=r.talk_s)
    if not bot_recorded:
        out.append(Timed(hung_up, CallEnded(r.call_id, r.bot_s + r.waited_s + r.talk_s, "caller")))
    out.append(
        Timed(
            hung_up + timedelta(seconds=r.wrap_s),
            ContactCompleted(
                entry,
                r.queue,
                r.agent,
                r.talk_s,
                r.wrap_s,
                r.topic,
                "closed",
                "call",
                r.language,
                "inbound",
            ),
        )
    )
    return out


def _outbound(r: CallRecord) -> list[Timed]:
    """A broker's call: placed, rung, talked (or not picked up), wrapped up."""
    t0 = r.started_at
    hung_up = t0 + timedelta(seconds=r.waited_s + r.talk_s)
    outcome = "closed" if r.answered else "no_answer"
    return [
        Timed(t0, CallStarted(r.call_id, "outbound", r.language, r.campaign)),
        Timed(hung_up, CallEnded(r.call_id, r.waited_s + r.talk_s, "caller")),
        Timed(
            hung_up + timedelta(seconds=r.wrap_s),
            ContactCompleted(
                entry_id(r),
                r.queue,
                r.agent,
                r.talk_s,
                r.wrap_s,
                r.topic,
                outcome,
                "call",
                r.language,
                "outbound",
            ),
        ),
    ]
