"""Handing a resident to a human: a place in line when the office is open, a callback
request when it is closed, and silence from the bot while a human owns the conversation."""

from __future__ import annotations

from typing import Any

from kontakt.booking.customer import InvalidCustomer, find_phone, normalize_phone
from kontakt.conversations.models import Conversation
from kontakt.dialogue import replies
from kontakt.dialogue.context import DialogueContext
from kontakt.dialogue.outcome import Action, Answer, Ask, Outcome, Transfer
from kontakt.live import announce
from kontakt.nlu import choices
from kontakt.routing.service import DeskError

CALLBACK_FLOW = "callback"


def _t(ctx: DialogueContext, lang: str, msgid: str, **values: object) -> str:
    return ctx.texts.gettext(lang, msgid, **values)


async def _queued(
    ctx: DialogueContext, conversation: Conversation, lang: str, lead: str
) -> Transfer:
    assert ctx.desk is not None
    entry = await ctx.desk.handoff(conversation)
    position = await ctx.desk.position(entry)
    minutes = max(1, round(await ctx.desk.estimated_wait(entry) / 60))
    text = " ".join(
        filter(
            None,
            [
                lead,
                _t(ctx, lang, "You are number {position} in line; the estimated wait is about "
                   "{minutes} min. You can keep writing here.", position=position, minutes=minutes),
            ],
        )
    )  # fmt: skip
    return Transfer(
        text, lang, entry.queue_id, "queued", topic=entry.topic, position=position,
        wait_s=float(minutes * 60),
    )  # fmt: skip


async def request_human(
    ctx: DialogueContext, conversation: Conversation, lang: str
) -> tuple[Outcome, dict[str, Any] | None]:
    """The resident asked for a person. Returns the reply and the callback flow state."""
    if ctx.desk is None:
        return _phone_only(ctx, lang), None
    try:
        queue = await ctx.desk.queue_for(conversation.topic, lang)
        open_now, _next = ctx.desk.opening(queue)
        if open_now:
            lead = _t(ctx, lang, "I am passing you to a consultant.")
            return await _queued(ctx, conversation, lang, lead), None
    except DeskError:
        return _phone_only(ctx, lang), None
    text = " ".join(
        filter(
            None,
            [
                replies.hours_status(ctx, lang),
                _t(ctx, lang, "Leave a phone number and, if you like, a convenient time, and a "
                   "consultant will call you back."),
                replies.contact_line(ctx, lang),
            ],
        )
    )  # fmt: skip
    actions = (Action("choice", _t(ctx, lang, "No, thank you"), "callback:stop"),)
    return Ask(text, lang, "callback_phone", actions=actions), {"step": "phone"}


async def callback_turn(
    ctx: DialogueContext, conversation: Conversation, text: str, lang: str, choice: str | None
) -> tuple[Outcome | None, dict[str, Any] | None]:
    """The answer to "leave a phone number"; None when the message is about something else."""
    assert ctx.desk is not None
    if choice == "callback:stop" or choices.cancel_intent(text, lang):
        return Answer(_t(ctx, lang, "All right. Can I help with anything else?"), lang,
                      "callback_stopped"), None  # fmt: skip
    phone = find_phone(text, lang)
    if phone is None:
        try:
            phone = normalize_phone(text, lang)
        except InvalidCustomer:
            if "?" in text or len(text.split()) > 6:
                return None, None  # a question of its own: the bot answers it instead
            return Ask(
                _t(ctx, lang, "That does not look like a phone number. Please give it like "
                   "601 234 567."), lang, "callback_phone",
            ), {"step": "phone"}  # fmt: skip
    try:
        _entry, created = await ctx.desk.callback(
            phone,
            language=lang,
            topic=conversation.topic,
            when=text,
            conversation_id=conversation.id,
            channel=conversation.channel,
        )
    except DeskError:
        return _phone_only(ctx, lang), None
    if not created:
        reply = _t(ctx, lang, "Your callback request is already registered and keeps its place "
                   "in line.")  # fmt: skip
    else:
        reply = _t(ctx, lang, "Thank you. A consultant will call you back at {phone} when the "
                   "office is open.", phone=phone)  # fmt: skip
    return Answer(reply, lang, "callback_registered"), None


async def while_human_owns(
    ctx: DialogueContext, conversation: Conversation, text: str, lang: str
) -> Outcome:
    """The bot stays silent for an agent; in the queue it only says where the resident is."""
    assert ctx.desk is not None
    if conversation.owner.startswith("queue:"):
        entry = await ctx.desk.open_entry(conversation.id)
        if entry is not None and choices.cancel_intent(text, lang):
            await ctx.desk.abandon(conversation)
            return Answer(_t(ctx, lang, "You left the line. Can I help with anything else?"),
                          lang, "left_queue")  # fmt: skip
        if entry is not None:
            position = await ctx.desk.position(entry)
            minutes = max(1, round(await ctx.desk.estimated_wait(entry) / 60))
            return Transfer(
                _t(ctx, lang, "You are number {position} in line; the estimated wait is about "
                   "{minutes} min. You can keep writing here.", position=position,
                   minutes=minutes),
                lang, entry.queue_id, "queued", topic=entry.topic, position=position,
                wait_s=float(minutes * 60),
            )  # fmt: skip
        conversation.owner = "bot"
        return Answer(_t(ctx, lang, "All right. Can I help with anything else?"), lang, "smalltalk")
    announce(ctx.session, "desk")  # the agent's transcript shows the new message at once
    return Transfer("", lang, "", "with_agent")


def _phone_only(ctx: DialogueContext, lang: str) -> Answer:
    text = " ".join(
        filter(
            None,
            [
                _t(ctx, lang, "Our consultants answer by phone."),
                replies.contact_line(ctx, lang),
                replies.hours_status(ctx, lang),
            ],
        )
    )
    return Answer(text, lang, "handoff", actions=replies.contact_actions(ctx, lang)[:1])
