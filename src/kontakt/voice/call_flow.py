"""One phone call with the voicebot, from the greeting to the transfer.

greet (language keys) → "what is your call about?" (speech, confirmed; the keypad menu at
any time) → benefit-payment self-service where it applies → transfer to the topic's queue.
Ukrainian callers, and any language without a speech engine, use the keypad only.

Each call is a "phone" conversation. Its events (CallStarted, TopicIdentified,
CallTransferred, SelfServiceCompleted, CallEnded, and the recognised words as messages) are
what the KPI report and the transcript read.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.calls.events import CallEnded, CallStarted, CallTransferred, TopicIdentified
from kontakt.conversations.events import LanguageChosen, MessageReceived
from kontakt.conversations.service import open_conversation
from kontakt.events import Event, record
from kontakt.nlu.choices import booking_intent
from kontakt.routing.models import Queue
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.topics.models import Topic
from kontakt.voice import prompts
from kontakt.voice.asr.base import AsrEngine
from kontakt.voice.call_io import CallIO
from kontakt.voice.hearing import Hearing
from kontakt.voice.keypad import LANG_BY_DIGIT, WAIT_S, keypad_menu
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.speech_topic import SpokenTopic
from kontakt.voice.tts import TtsEngine
from kontakt.voice.vad import Endpointer

log = logging.getLogger("kontakt.voice")
LANG_WAIT_S = 3.0
UKRAINIAN_QUEUE = "foreigners"
BENEFITS_QUEUE = "benefits"


class CallFlow:
    def __init__(
        self,
        runtime: Runtime,
        endpoint: SipEndpoint,
        tts: TtsEngine,
        asr: Mapping[str, AsrEngine],
        endpointer: Callable[[], Endpointer] | None,
    ) -> None:
        self.runtime = runtime
        self.endpoint = endpoint
        self.tts = tts
        self.asr = asr
        self.endpointer = endpointer

    def t(self, lang: str) -> Callable[..., str]:
        texts = self.runtime.chat.bot_texts
        return lambda msgid, **values: texts.gettext(lang, msgid, **values)

    async def handle(self, call: Call) -> None:
        started = time.monotonic()
        async with self.runtime.transaction() as session:
            conversation = await open_conversation(
                session, channel="phone", language="pl", clock=self.runtime.clock
            )
            await self._record(session, conversation.id, CallStarted(call.call_id))
            conversation_id = conversation.id
            queues = {q.id: q for q in await Desk(session, self.runtime.clock).queues()}
            topics = {t.id: t for t in (await session.scalars(select(Topic))).all()}
        hearing = Hearing(self.endpointer()) if self.endpointer is not None else None
        io = CallIO(call, self.tts, hearing, None)
        events: list[Event] = []
        ended_by = "caller"
        try:
            async with io.attached():
                ended_by = await self._converse(io, queues, topics, events, conversation_id)
        except Exception:  # one broken call must not take the voice process down
            log.exception("call %s failed", call.call_id)
        finally:
            if call.state == "confirmed":  # the flow is over, whatever happened: say goodbye
                await self.endpoint.hangup(call)
                ended_by = "bot"
            events.append(CallEnded(call.call_id, round(time.monotonic() - started, 3), ended_by))
            async with self.runtime.transaction() as session:
                for event in events:
                    await self._record(session, conversation_id, event)

    async def _record(
        self, session: AsyncSession, conversation_id: uuid.UUID, event: Event
    ) -> None:
        await record(session, event, at=self.runtime.clock.now(), conversation_id=conversation_id)

    async def _converse(
        self,
        io: CallIO,
        queues: dict[str, Queue],
        topics: dict[str, Topic],
        events: list[Event],
        conversation_id: uuid.UUID,
    ) -> str:
        """How the call ended: "transfer", "bot" (we hung up) or "caller"."""
        call = io.call
        lang = await self._language(io)
        if lang is None:
            return "caller"
        events.append(LanguageChosen(lang))
        t = self.t(lang)
        io.asr = self.asr.get(lang)
        model = self.runtime.chat.topic_model()
        topic: str | None = None
        method = "keypad"
        reason = "topic"
        queue: Queue | None
        heard: tuple[str, ...] = ()  # the caller's words, where speech was recognised
        if lang == "uk" and UKRAINIAN_QUEUE in queues:
            queue, reason = queues[UKRAINIAN_QUEUE], "language"
        elif io.asr is not None and model is not None:
            spoken = SpokenTopic(io, lang, model, lambda tid: _topic_name(topics, tid, lang), t)
            result = await spoken.run()
            heard = result.heard
            events.extend(MessageReceived(text, lang, lang) for text in result.heard if text)
            if result.kind == "hangup":
                return "caller"
            if result.kind == "topic" and result.topic is not None:
                topic, method = result.topic, "speech"
                events.append(TopicIdentified(call.call_id, topic, "speech", result.confidence))
                async with self.runtime.transaction() as session:
                    queue = await Desk(session, self.runtime.clock).queue_for(topic, lang)
            elif result.kind == "menu":
                # 0 asked for the menu; another key is a menu choice typed ahead.
                first = "" if result.reason == "0" else result.reason
                queue, via = await keypad_menu(io, lang, queues, t, first=first)
                if via == "hangup":
                    return "caller"
                reason, method = ("topic", via) if via == "keypad" else ("no_input", "default")
            else:  # no input or no match, twice over: a person sorts it out
                queue, reason, method = queues.get("general"), result.reason, "default"
        else:
            queue, via = await keypad_menu(io, lang, queues, t)
            if via == "hangup":
                return "caller"
            reason, method = ("topic", via) if via == "keypad" else ("no_input", "default")
        if method == "keypad" and reason == "topic" and queue is not None and queue.topics:
            # A menu key names a queue; its first topic is the one the menu item reads out.
            topic = queue.topics[0]
            events.append(TopicIdentified(call.call_id, topic, "keypad"))
        if call.state != "confirmed":
            return "caller"
        asked = next((text for text in heard if booking_intent(text, lang)), "")
        booking = await self._booking(
            io, lang, conversation_id, events, queue, topic, method, reason, asked
        )
        if booking is not None:
            ended, why = booking
            if ended != "transfer":
                return ended
            reason = why
        elif queue is not None and queue.id == BENEFITS_QUEUE and reason == "topic":
            served, why = await self._benefit_self_service(io, lang, conversation_id)
            if served != "transfer":
                return served
            reason = why
        return await self._transfer(io, lang, queue, topic, method, reason, events, topics)

    async def _booking(
        self,
        io: CallIO,
        lang: str,
        conversation_id: uuid.UUID,
        events: list[Event],
        queue: Queue | None,
        topic: str | None,
        method: str,
        reason: str,
        asked: str,
    ) -> tuple[str, str] | None:
        """Booking a visit where the call leads to it (docs/voice.md): a caller who said they
        want to book goes straight into the booking dialogue with their words; a caller whose
        matter has bookable visits (its spoken topic, or the topics of the queue chosen on
        the keypad), and a Ukrainian caller (who has no topic step), is offered it first.
        None when it does not apply; else "bot" (booked: we said goodbye and hung up),
        "caller" (hung up), or "transfer" with the reason (declined, asked for a person)."""
        from kontakt.voice.booking_call import BookingCall, bookable_services, caller_number

        wanted: list[str] | None  # the topics whose services the caller can book; None: all
        if asked and reason in ("topic", "no_match", "no_input"):
            wanted = [topic] if topic else None
        elif reason == "language":
            wanted = None
        elif reason == "topic" and queue is not None and queue.id != BENEFITS_QUEUE:
            wanted = [topic] if method == "speech" and topic else list(queue.topics)
        else:
            return None
        services = await bookable_services(self.runtime, wanted)
        if not services and not asked:
            return None
        call = io.call
        # Keys only: speech is no answer in this dialogue, so it must not cut prompts short.
        keys = CallIO(call, self.tts, None, None)
        booking = BookingCall(
            self.runtime, keys, conversation_id, lang, services=services,
            caller_id=caller_number(call.invite, lang),
        )  # fmt: skip
        if not asked:
            offered = await booking.offer()
            if offered != "book":
                return ("caller", "") if offered == "hangup" else ("transfer", reason)
        # The booking dialogue reads the conversation (its language) from the log: what the
        # call has learnt so far goes in first, in order.
        async with self.runtime.transaction() as session:
            for event in events:
                await self._record(session, conversation_id, event)
        events.clear()
        result = await booking.run(asked)
        if io.hearing is not None:  # words said during the booking answer nothing now
            while not io.hearing.utterances.empty():
                io.hearing.utterances.get_nowait()
        if result.kind == "booked":
            if call.state == "confirmed":
                await io.say(call, self.t(lang)(prompts.GOODBYE), lang)
                await self.endpoint.hangup(call, outcome_headers("booked", result.code))
            return "bot", ""
        if result.kind == "hangup" or call.state != "confirmed":
            return "caller", ""
        return "transfer", result.reason

    async def _benefit_self_service(
        self, io: CallIO, lang: str, conversation_id: uuid.UUID
    ) -> tuple[str, str]:
        """Offer the payment date on the keypad: "bot" when served (we say goodbye and hang
        up), "caller" if they hung up, "transfer" for a consultant (with the reason)."""
        from kontakt.voice.benefits_call import BenefitDateFlow

        call = io.call
        await io.say(call, self.t(lang)(prompts.BENEFIT_OFFER), lang)
        if await io.digit(call, WAIT_S) != "1":
            return ("transfer" if call.state == "confirmed" else "caller"), "requested"
        flow = BenefitDateFlow(self.runtime, io)
        outcome = await flow.run(call, lang, conversation_id)
        if outcome == "served":
            if call.state == "confirmed":
                await io.say(call, self.t(lang)(prompts.GOODBYE), lang)
                await self.endpoint.hangup(call, outcome_headers("benefit_date"))
            return "bot", ""
        if outcome == "transfer":
            return "transfer", flow.transfer_reason or "requested"
        return "caller", ""

    async def _language(self, io: CallIO) -> str | None:
        """The caller's language: a key during or after the welcome; speaking instead means
        Polish (the welcome is in Polish first); no answer at all means Polish too."""
        call = io.call
        for lang, msgid in prompts.WELCOME:
            if call.digits or self._caller_spoke(io) or call.state != "confirmed":
                break
            await io.say(call, self.t(lang)(msgid), lang)
        if call.state != "confirmed":
            return None
        if self._caller_spoke(io):
            return "pl"
        digit = call.digits.pop(0) if call.digits else await self._key_or_speech(io)
        return LANG_BY_DIGIT.get(digit or "1", "pl")

    @staticmethod
    def _caller_spoke(io: CallIO) -> bool:
        hearing = io.hearing
        return hearing is not None and (hearing.speaking.is_set() or not hearing.utterances.empty())

    async def _key_or_speech(self, io: CallIO) -> str | None:
        deadline = time.monotonic() + LANG_WAIT_S
        while time.monotonic() < deadline and io.live:
            if io.call.digits:
                return io.call.digits.pop(0)
            if self._caller_spoke(io):
                return None
            await asyncio.sleep(0.05)
        return None

    async def _transfer(
        self,
        io: CallIO,
        lang: str,
        queue: Queue | None,
        topic: str | None,
        method: str,
        reason: str,
        events: list[Event],
        topics: dict[str, Topic],
    ) -> str:
        call = io.call
        t = self.t(lang)
        sip_uri = queue.sip_uri if queue is not None else ""
        transferred = False
        if sip_uri:
            if topic is not None:
                text = t(prompts.CONNECTING_TOPIC, topic=_topic_name(topics, topic, lang))
            else:
                text = t(prompts.CONNECTING)
            await io.say(call, text, lang)
            headers = {"X-Kontakt-Queue": queue.id if queue else "", "X-Kontakt-Method": method}
            if topic is not None:
                headers["X-Kontakt-Topic"] = topic
            if call.state == "confirmed":
                transferred = await self.endpoint.transfer(call, sip_uri, extra_headers=headers)
            queue_id = queue.id if queue is not None else ""
            events.append(CallTransferred(call.call_id, queue_id, sip_uri, transferred, reason))
        if not transferred and call.state == "confirmed":
            await io.say(call, cannot_connect(t, self.runtime.settings.contact_phone), lang)
            await self.endpoint.hangup(call)
            return "bot"
        return "transfer" if transferred else "caller"


def cannot_connect(t: Callable[..., str], phone: str) -> str:
    """The goodbye when no consultant can take the call: the helpline instead."""
    parts = [t(prompts.CANNOT_CONNECT), t(prompts.HELPLINE, phone=phone), t(prompts.GOODBYE)]
    return " ".join(parts)


def outcome_headers(outcome: str, code: str = "") -> dict[str, str]:
    """What a call served by the bot achieved, on its BYE: a test caller or a gateway's
    log can tell a booked visit from a hang-up without reading the event log."""
    headers = {"X-Kontakt-Outcome": outcome}
    if code:
        headers["X-Kontakt-Code"] = code
    return headers


def _topic_name(topics: dict[str, Topic], topic_id: str, lang: str) -> str:
    topic = topics.get(topic_id)
    return topic.name(lang) if topic is not None else topic_id
