"""Conversation events: what residents said, what the bot answered, and feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from kontakt.events import Event, event_type


@event_type
@dataclass(frozen=True)
class ConversationStarted(Event):
    kind: ClassVar[str] = "conversation_started"
    channel: str
    language: str
    page: str = ""


@event_type
@dataclass(frozen=True)
class MessageReceived(Event):
    kind: ClassVar[str] = "message_received"
    text: str
    language: str
    detected: str
    choice: str | None = None
    client_id: str | None = None


@event_type
@dataclass(frozen=True)
class BotReplied(Event):
    kind: ClassVar[str] = "bot_replied"
    type: str
    reason: str
    text: str
    language: str
    article_id: str | None = None
    topic: str | None = None
    score: float | None = None
    suggestions: list[str] = field(default_factory=list)
    query: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)


@event_type
@dataclass(frozen=True)
class LanguageChosen(Event):
    kind: ClassVar[str] = "language_chosen"
    language: str


@event_type
@dataclass(frozen=True)
class FeedbackGiven(Event):
    kind: ClassVar[str] = "feedback_given"
    article_id: str
    helpful: bool


@event_type
@dataclass(frozen=True)
class TopicTagged(Event):
    kind: ClassVar[str] = "topic_tagged"
    topic: str
    confidence: float
    source: str


@event_type
@dataclass(frozen=True)
class FlowStateChanged(Event):
    """The state of a multi-turn flow (e.g. booking) after a turn; ``state`` None = finished."""

    kind: ClassVar[str] = "flow_state_changed"
    flow: str
    state: dict[str, Any] | None = None
