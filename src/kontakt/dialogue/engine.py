"""``handle_turn``: one resident utterance in, one Outcome out, every step recorded as events.

The same function serves the web chat, the phone (after ASR) and the desk. It detects the
language, handles the few non-questions (greetings, thanks, asking for a human, office
hours), searches the knowledge base with the conversation's context, and lets the policy
choose between answering, asking "did you mean", and admitting it does not know.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from kontakt.booking.service import BookingError
from kontakt.conversations.events import (
    BotReplied,
    FlowStateChanged,
    MessageReceived,
    TopicTagged,
)
from kontakt.conversations.models import Conversation
from kontakt.conversations.service import ConversationState, load_state
from kontakt.dialogue import replies, smalltalk
from kontakt.dialogue.context import DialogueContext
from kontakt.dialogue.flows import booking as booking_flow
from kontakt.dialogue.flows import booking_texts, handoff
from kontakt.dialogue.flows.booking_state import FLOW as BOOKING_FLOW
from kontakt.dialogue.flows.booking_state import BookingDraft
from kontakt.dialogue.outcome import Action, Answer, Ask, End, Outcome
from kontakt.dialogue.policy import decide
from kontakt.dialogue.render import to_json
from kontakt.events import record
from kontakt.knowledge.search import ArticleHit, IndexedArticle
from kontakt.nlu.language import SUPPORTED, DetectedLang
from kontakt.topics.classifier import TopicPrediction
from kontakt.topics.policy import decide_topic

log = logging.getLogger("kontakt.dialogue")
MAX_TEXT = 2000
GREETING = (
    "Hello! I am the virtual assistant of the City of Poznań. Ask me about city matters, for "
    "example registering your address, waste collection or the 800+ benefit."
)


async def handle_turn(
    ctx: DialogueContext,
    conversation: Conversation,
    text: str,
    *,
    choice: str | None = None,
    client_id: str | None = None,
) -> Outcome:
    text = " ".join(text.split())[:MAX_TEXT]
    state = await load_state(ctx.session, conversation.id)
    known = state.chosen_language or state.language
    fallback: DetectedLang = next((lang for lang in SUPPORTED if lang == known), "pl")
    detection = ctx.detector.detect(text, fallback=fallback)
    detected = detection.lang if detection.confident else (state.chosen_language or detection.lang)
    lang = replies.reply_language(detected)
    now = ctx.clock.now()
    await record(
        ctx.session,
        MessageReceived(
            text=text, language=lang, detected=detection.lang, choice=choice, client_id=client_id
        ),
        at=now,
        conversation_id=conversation.id,
    )

    if conversation.owner != "bot" and ctx.desk is not None:
        silent = await handoff.while_human_owns(ctx, conversation, text, lang)
        if silent.reason != "with_agent":  # the agent answers; the bot records nothing
            await _record_reply(ctx, conversation, silent, "")
        conversation.last_activity_at = now
        return silent

    query = ""
    outcome: Outcome | None = None
    chosen = ctx.index.by_id(choice) if choice else None
    callback_state = state.flows.get(handoff.CALLBACK_FLOW)
    if callback_state is not None and ctx.desk is not None:
        outcome, after = await handoff.callback_turn(ctx, conversation, text, lang, choice)
        await _flow_state(ctx, conversation, handoff.CALLBACK_FLOW, callback_state, after)
    booking_state = state.flows.get(BOOKING_FLOW)
    resume = ""
    if (
        outcome is None
        and chosen is None
        and ctx.booking is not None
        and not smalltalk.HUMAN.search(text)
        and (booking_state is not None or booking_flow.wants_booking(text, lang, choice))
    ):
        outcome, resume = await _booking_turn(ctx, conversation, booking_state, text, lang, choice)
    if outcome is not None:
        pass
    elif smalltalk.HUMAN.search(text) and ctx.desk is not None:
        outcome, after = await handoff.request_human(ctx, conversation, lang)
        await _flow_state(ctx, conversation, handoff.CALLBACK_FLOW, callback_state, after)
    elif chosen is not None:
        outcome = _answer(ctx, chosen, lang, reason="choice", score=None)
        query = state.last_query or text
    elif smalltalk.HUMAN.search(text):
        outcome = _handoff(ctx, lang)
    elif smalltalk.GREETING.match(text):
        outcome = Answer(
            ctx.texts.gettext(lang, GREETING),
            lang,
            "smalltalk",
        )
    elif smalltalk.THANKS.match(text):
        outcome = Answer(
            ctx.texts.gettext(lang, "You're welcome! Can I help with anything else?"),
            lang,
            "smalltalk",
        )
    elif smalltalk.GOODBYE.match(text):
        outcome = End(ctx.texts.gettext(lang, "Goodbye!"), lang)
    elif smalltalk.HOURS.search(text):
        outcome = Answer(
            " ".join(
                filter(None, [replies.contact_line(ctx, lang), replies.hours_status(ctx, lang)])
            ),
            lang,
            "hours",
            actions=replies.contact_actions(ctx, lang),
        )
    else:
        outcome, query, prediction = await _search(ctx, state, text, detected, lang)
        if (
            prediction is not None
            and outcome.topic is None
            and prediction.topic != conversation.topic
        ):
            conversation.topic = prediction.topic
            await record(
                ctx.session,
                TopicTagged(
                    topic=prediction.topic,
                    confidence=round(prediction.confidence, 4),
                    source="classifier",
                ),
                at=now,
                conversation_id=conversation.id,
            )

    if resume and isinstance(outcome, Answer | Ask):
        # A question in the middle of a booking: answer it, then pick the booking up again.
        outcome = dataclasses.replace(outcome, text=f"{outcome.text}\n\n{resume}")
    if detected == "ru" and isinstance(outcome, Answer | Ask):
        outcome = _with_russian_note(ctx, outcome)
    await _record_reply(ctx, conversation, outcome, query)
    conversation.language = lang
    conversation.last_activity_at = now
    return outcome


async def _booking_turn(
    ctx: DialogueContext,
    conversation: Conversation,
    saved: dict[str, Any] | None,
    text: str,
    lang: str,
    choice: str | None,
) -> tuple[Outcome | None, str]:
    """Run the booking flow; returns its reply, or None and the question to resume with when
    the message was a question of its own for the knowledge base."""
    assert ctx.booking is not None
    draft = BookingDraft.from_json(saved) if saved else booking_flow.start(text, lang, choice)
    turn = booking_flow.Turn(
        ctx, ctx.booking, conversation.id, conversation.channel, text, lang, choice, draft
    )
    outcome: Outcome | None
    try:
        outcome, after = await booking_flow.step(turn)
    except BookingError:
        log.warning("booking backend error in conversation %s", conversation.id, exc_info=True)
        outcome, after = booking_texts.unavailable(turn), None
    await _flow_state(
        ctx, conversation, BOOKING_FLOW, saved, after.to_json() if after is not None else None
    )
    resume = ""
    if outcome is None and after is not None:
        turn.draft = after
        resume = (
            ctx.texts.gettext(lang, "Back to your booking:")
            + " "
            + booking_flow.resume_prompt(turn)
        )
    return outcome, resume


async def _flow_state(
    ctx: DialogueContext,
    conversation: Conversation,
    flow: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    if after != before:
        await record(
            ctx.session,
            FlowStateChanged(flow=flow, state=after),
            at=ctx.clock.now(),
            conversation_id=conversation.id,
        )


async def _search(
    ctx: DialogueContext, state: ConversationState, text: str, detected: str, lang: str
) -> tuple[Answer | Ask, str, TopicPrediction | None]:
    search_lang = "uk" if detected == "ru" else lang
    query = ctx.normalizer.restore_polish(text) if search_lang == "pl" else text
    boost: dict[str, float] = {}
    follow_up = bool(state.last_article_id) and smalltalk.is_follow_up(text)
    if follow_up and state.last_article_id:
        # "a ile to kosztuje?" after an ID-card answer: read it with the previous question
        # and prefer the article and topic the conversation is about.
        query = f"{state.last_query} {query}".strip()
        boost = {state.last_article_id: 2.0, f"topic:{state.last_topic}": 1.0}
    # Embedding is CPU work in C that releases the GIL: off the event loop, other residents'
    # requests (and database commits) keep moving while it runs. One trip to the thread for
    # both steps: each trip is a thread wake-up and an event-loop callback.
    prediction, hits = await asyncio.to_thread(_rank, ctx, query, search_lang, boost)
    decision = decide(hits, ctx.policy)
    if decision.kind == "answer":
        top = decision.hits[0]
        reason = "follow_up" if follow_up else "confident"
        return _answer(ctx, top.article, lang, reason=reason, score=top.score), query, prediction
    if decision.kind == "ambiguous":
        return _ambiguous(ctx, list(decision.hits), lang), query, prediction
    return _no_match(ctx, lang, hits[0].score if hits else None), query, prediction


def _rank(
    ctx: DialogueContext, query: str, search_lang: str, boost: dict[str, float]
) -> tuple[TopicPrediction | None, list[ArticleHit]]:
    """The confident topic, if any, and the search hits boosted towards it (in a thread)."""
    prediction = _topic(ctx, query)
    if prediction is not None:
        key = f"topic:{prediction.topic}"
        boost = {**boost, key: max(boost.get(key, 0.0), prediction.confidence)}
    return prediction, ctx.index.search(query, search_lang, boost=boost, k=8)


def _topic(ctx: DialogueContext, query: str) -> TopicPrediction | None:
    """The classifier's topic when it is confident (it shares the query's cached vector)."""
    if ctx.topics is None:
        return None
    model = ctx.topics
    prediction = model.engine.predict([query])[0]
    if decide_topic(prediction, model.thresholds).kind != "confident":
        return None
    return prediction


def _answer(
    ctx: DialogueContext, article: IndexedArticle, lang: str, *, reason: str, score: float | None
) -> Answer:
    text, text_lang = replies.article_text(article, lang)
    note = ""
    actions: tuple[Action, ...] = ()
    if text_lang != lang:
        note = ctx.texts.gettext(lang, "This answer is available only in Polish.")
    return Answer(
        text=text.answer,
        language=lang,
        reason=reason,
        topic=article.topic,
        article_id=article.id,
        speakable=text.speakable,
        note=note,
        citations=(replies.citation(article, lang),),
        actions=actions,
        ask_feedback=True,
        score=score,
    )


def _ambiguous(ctx: DialogueContext, hits: list[ArticleHit], lang: str) -> Ask:
    topic = hits[0].article.topic if len({h.article.topic for h in hits}) == 1 else None
    return Ask(
        text=ctx.texts.gettext(lang, "I am not sure what you mean. Did you mean one of these?"),
        language=lang,
        reason="ambiguous",
        topic=topic,
        suggestions=tuple(replies.suggestion(h.article, lang) for h in hits),
        actions=(Action("rephrase", ctx.texts.gettext(lang, "None of these")),),
        score=hits[0].score,
    )


def _no_match(ctx: DialogueContext, lang: str, score: float | None) -> Answer:
    text = " ".join(
        filter(
            None,
            [
                ctx.texts.gettext(
                    lang,
                    "I could not find an answer to this in the city's knowledge "
                    "base. Please try asking in other words, or contact a consultant.",
                ),
                replies.contact_line(ctx, lang),
                replies.hours_status(ctx, lang),
            ],
        )
    )
    return Answer(text, lang, "no_match", actions=replies.contact_actions(ctx, lang), score=score)


def _handoff(ctx: DialogueContext, lang: str) -> Answer:
    text = " ".join(
        filter(
            None,
            [
                ctx.texts.gettext(lang, "Our consultants answer by phone."),
                replies.contact_line(ctx, lang),
                replies.hours_status(ctx, lang),
            ],
        )
    )
    return Answer(text, lang, "handoff", actions=replies.contact_actions(ctx, lang)[:1])


def _with_russian_note(ctx: DialogueContext, outcome: Answer | Ask) -> Answer | Ask:
    note = ctx.texts.gettext(
        "uk", "We answer in Ukrainian. You can also switch to Polish or English."
    )
    actions = outcome.actions + replies.language_actions(ctx, "uk")
    if isinstance(outcome, Answer):
        return dataclasses.replace(outcome, note=f"{outcome.note} {note}".strip(), actions=actions)
    return dataclasses.replace(outcome, text=f"{note} {outcome.text}", actions=actions)


async def _record_reply(
    ctx: DialogueContext, conversation: Conversation, outcome: Outcome, query: str
) -> None:
    now = ctx.clock.now()
    article_id = getattr(outcome, "article_id", None)
    topic = getattr(outcome, "topic", None)
    await record(
        ctx.session,
        BotReplied(
            type=outcome.type,
            reason=outcome.reason,
            text=outcome.text,
            language=outcome.language,
            article_id=article_id,
            topic=topic,
            score=getattr(outcome, "score", None),
            suggestions=[s.article_id for s in getattr(outcome, "suggestions", ())],
            query=query,
            outcome=to_json(outcome),
        ),
        at=now,
        conversation_id=conversation.id,
    )
    if topic and article_id and topic != conversation.topic:
        conversation.topic = topic
        await record(
            ctx.session,
            TopicTagged(topic=topic, confidence=1.0, source="article"),
            at=now,
            conversation_id=conversation.id,
        )
