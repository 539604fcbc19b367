"""Chat operations shared by the REST and WebSocket front doors (no HTTP here)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from kontakt.conversations.events import (
    BotReplied,
    FeedbackGiven,
    LanguageChosen,
    MessageReceived,
)
from kontakt.conversations.models import Conversation
from kontakt.conversations.service import (
    ConversationNotFound,
    fold,
    get_conversation,
    open_conversation,
)
from kontakt.dialogue.engine import handle_turn
from kontakt.dialogue.render import to_json
from kontakt.events import EventRow, read, record
from kontakt.runtime import Runtime


class ChatError(Exception):
    """A request the chat cannot carry out; ``status`` is the matching HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def start(
    runtime: Runtime, *, language: str, page: str, channel: str = "web"
) -> tuple[Conversation, str]:
    async with runtime.transaction() as session:
        conv = await open_conversation(
            session, channel=channel, language=language, clock=runtime.clock, page=page
        )
    greeting = runtime.chat.bot_texts.gettext(
        language,
        "Hello! I am the virtual assistant of the City of Poznań. Ask me about city "
        "matters, for example registering your address, waste collection or the 800+ benefit.",
    )
    return conv, greeting


async def _conversation(session: Any, conversation_id: uuid.UUID) -> Conversation:
    try:
        conv = await get_conversation(session, conversation_id)
    except ConversationNotFound as exc:
        raise ChatError(404, "no such conversation") from exc
    if conv.status != "open":
        raise ChatError(409, "this conversation is closed; start a new one")
    return conv


async def send(
    runtime: Runtime,
    conversation_id: uuid.UUID,
    text: str,
    *,
    choice: str | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Handle one message in one transaction; a retried ``client_id`` returns the stored reply."""
    # Before the transaction: refreshing the index may need a connection of its own.
    index = await runtime.chat.index.get()
    async with runtime.transaction() as session:
        conv = await _conversation(session, conversation_id)
        if client_id:
            previous = await _reply_to(session, conversation_id, client_id)
            if previous is not None:
                return previous
        ctx = await runtime.dialogue(session, index)
        outcome = await handle_turn(ctx, conv, text, choice=choice, client_id=client_id)
        data = to_json(outcome)
    if data["type"] == "booked":
        # After the commit: a visit is announced only once it is really stored.
        from kontakt.booking.delivery import send_notice
        from kontakt.booking.notices import NoticeKind

        kinds: dict[str, NoticeKind] = {"rescheduled": "rescheduled", "cancelled": "cancelled"}
        await send_notice(runtime, data["public_id"], kinds.get(data["reason"], "confirmed"))
    return data


async def _reply_to(
    session: Any, conversation_id: uuid.UUID, client_id: str
) -> dict[str, Any] | None:
    """The reply already given to a message with this client id (a retried request)."""
    asked = await session.scalar(
        select(EventRow.id)
        .where(
            EventRow.conversation_id == conversation_id,
            EventRow.kind == MessageReceived.kind,
            EventRow.payload["client_id"].as_string() == client_id,
        )
        .limit(1)
    )
    if asked is None:
        return None
    reply = await session.scalar(
        select(EventRow.payload)
        .where(
            EventRow.conversation_id == conversation_id,
            EventRow.kind == BotReplied.kind,
            EventRow.id > asked,
        )
        .order_by(EventRow.id)
        .limit(1)
    )
    if reply is None:
        return None
    outcome: dict[str, Any] = reply["outcome"]
    return outcome


async def transcript(runtime: Runtime, conversation_id: uuid.UUID) -> dict[str, Any]:
    async with runtime.transaction() as session:
        try:
            conv = await get_conversation(session, conversation_id)
        except ConversationNotFound as exc:
            raise ChatError(404, "no such conversation") from exc
        state = fold(await read(session, conversation_id=conversation_id))
    return {
        "id": conv.id,
        "channel": conv.channel,
        "language": conv.language,
        "status": conv.status,
        "owner": conv.owner,
        "topic": conv.topic,
        "started_at": conv.started_at,
        "turns": [
            {
                "at": t.at,
                "text": t.text,
                "language": t.language,
                "reply": t.reply.outcome if t.reply else None,
            }
            for t in state.turns
        ],
    }


async def choose_language(runtime: Runtime, conversation_id: uuid.UUID, language: str) -> None:
    async with runtime.transaction() as session:
        conv = await _conversation(session, conversation_id)
        conv.language = language
        await record(
            session,
            LanguageChosen(language=language),
            at=runtime.clock.now(),
            conversation_id=conv.id,
        )


async def feedback(
    runtime: Runtime, conversation_id: uuid.UUID, article_id: str, helpful: bool
) -> None:
    """Record a vote, only for an article this conversation was actually given, once."""
    async with runtime.transaction() as session:
        conv = await _conversation(session, conversation_id)
        rows = (
            await session.scalars(
                select(EventRow)
                .where(
                    EventRow.conversation_id == conv.id,
                    EventRow.kind.in_([BotReplied.kind, FeedbackGiven.kind]),
                )
                .order_by(EventRow.id)
            )
        ).all()
        answered = {r.payload.get("article_id") for r in rows if r.kind == BotReplied.kind}
        voted = {r.payload.get("article_id") for r in rows if r.kind == FeedbackGiven.kind}
        if article_id not in answered:
            raise ChatError(422, "this conversation was not given that article")
        if article_id in voted:
            raise ChatError(409, "feedback for this answer was already given")
        await record(
            session,
            FeedbackGiven(article_id=article_id, helpful=helpful),
            at=runtime.clock.now(),
            conversation_id=conv.id,
        )


async def updates(
    runtime: Runtime, conversation_id: uuid.UUID, after: int, wait: float = 0.0
) -> dict[str, Any]:
    """What consultants wrote since event ``after``, and who owns the conversation now.

    With ``wait``, an empty answer is held back until a consultant writes (long polling), so
    a reply reaches the resident at once. Replies are read from the event log, not from the
    signal, so none is lost whichever worker the request reaches.
    """
    async with runtime.bus.subscribe(f"conv:{conversation_id}") as signal:
        found = await _updates(runtime, conversation_id, after)
        idle = wait > 0 and not found["messages"] and found["owner"] != "bot"
        if idle and await signal.next(wait) is not None:
            found = await _updates(runtime, conversation_id, after)
    return found


async def _updates(runtime: Runtime, conversation_id: uuid.UUID, after: int) -> dict[str, Any]:
    from kontakt.routing.events import AgentReplied

    async with runtime.transaction() as session:
        try:
            conv = await get_conversation(session, conversation_id)
        except ConversationNotFound as exc:
            raise ChatError(404, "no such conversation") from exc
        rows = (
            await session.scalars(
                select(EventRow)
                .where(
                    EventRow.conversation_id == conversation_id,
                    EventRow.kind == AgentReplied.kind,
                    EventRow.id > after,
                )
                .order_by(EventRow.id)
                .limit(100)
            )
        ).all()
    return {
        "owner": conv.owner.split(":", 1)[0],
        "messages": [
            {"id": r.id, "at": r.at, "name": r.payload["agent"], "text": r.payload["text"]}
            for r in rows
        ],
        "last": rows[-1].id if rows else after,
    }
