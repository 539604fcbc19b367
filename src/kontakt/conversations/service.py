"""Open conversations, and rebuild a conversation's dialogue state from its events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.clock import Clock
from kontakt.conversations.events import (
    BotReplied,
    ConversationStarted,
    FeedbackGiven,
    FlowStateChanged,
    LanguageChosen,
    MessageReceived,
)
from kontakt.conversations.models import CHANNELS, Conversation
from kontakt.events import EventRow, record


class ConversationNotFound(Exception):
    pass


@dataclass
class Turn:
    at: datetime
    text: str
    language: str
    reply: BotReplied | None = None


@dataclass
class ConversationState:
    """What the dialogue remembers, derived from events only."""

    language: str = "pl"
    chosen_language: str | None = None
    last_article_id: str | None = None
    last_topic: str | None = None
    last_query: str = ""
    last_suggestions: list[str] = field(default_factory=list)
    no_match_streak: int = 0
    turns: list[Turn] = field(default_factory=list)
    feedback: dict[str, bool] = field(default_factory=dict)
    # Active multi-turn flows by name (e.g. "booking"): their last recorded state.
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)


async def open_conversation(
    session: AsyncSession, *, channel: str, language: str, clock: Clock, page: str = ""
) -> Conversation:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    now = clock.now()
    conv = Conversation(
        id=uuid.uuid4(),
        channel=channel,
        language=language,
        status="open",
        owner="bot",
        started_at=now,
        last_activity_at=now,
    )
    session.add(conv)
    await record(
        session,
        ConversationStarted(channel=channel, language=language, page=page[:300]),
        at=now,
        conversation_id=conv.id,
    )
    await session.flush()
    return conv


async def get_conversation(session: AsyncSession, conversation_id: uuid.UUID) -> Conversation:
    conv = await session.get(Conversation, conversation_id)
    if conv is None:
        raise ConversationNotFound(str(conversation_id))
    return conv


class EventLike(Protocol):
    kind: str
    at: datetime
    payload: dict[str, Any]


def fold(rows: Sequence[EventLike]) -> ConversationState:
    state = ConversationState()
    for row in rows:
        p = row.payload
        if row.kind == ConversationStarted.kind:
            state.language = p["language"]
        elif row.kind == LanguageChosen.kind:
            state.chosen_language = state.language = p["language"]
        elif row.kind == MessageReceived.kind:
            state.turns.append(Turn(at=row.at, text=p["text"], language=p["language"]))
            state.language = p["language"]
        elif row.kind == BotReplied.kind:
            reply = BotReplied(**p)
            if state.turns and state.turns[-1].reply is None:
                state.turns[-1].reply = reply
            state.last_suggestions = list(reply.suggestions)
            if reply.article_id is not None:
                state.last_article_id = reply.article_id
                state.last_topic = reply.topic
                state.last_query = reply.query
            state.no_match_streak = state.no_match_streak + 1 if reply.reason == "no_match" else 0
        elif row.kind == FeedbackGiven.kind:
            state.feedback[p["article_id"]] = p["helpful"]
        elif row.kind == FlowStateChanged.kind:
            if p.get("state") is None:
                state.flows.pop(p["flow"], None)
            else:
                state.flows[p["flow"]] = p["state"]
    return state


# Plain rows, not ORM objects, from a statement built once: this runs on every message of
# every conversation.
_STATE_ROWS = (
    select(EventRow.kind, EventRow.at, EventRow.payload)
    .where(EventRow.conversation_id == bindparam("conversation_id"))
    .order_by(EventRow.id)
)


async def load_state(session: AsyncSession, conversation_id: uuid.UUID) -> ConversationState:
    rows = await session.execute(_STATE_ROWS, {"conversation_id": conversation_id})
    return fold(rows.all())
