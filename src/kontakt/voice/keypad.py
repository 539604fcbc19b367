"""The voicebot's keypad path: language menu, then a topic menu, then a transfer to the
queue's SIP address. It is the fallback that always works (no speech recognition needed),
and for now the whole call flow; speech arrives with the ASR engines.

Every step is recorded as an event of a "phone" conversation, so calls count in the same
reports as chats.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from kontakt.conversations.service import open_conversation
from kontakt.events import Event, event_type, record
from kontakt.routing.models import Queue
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.tts import TtsEngine

log = logging.getLogger("kontakt.voice")
LANG_BY_DIGIT = {"1": "pl", "2": "uk", "3": "en"}
# The keypad menu: digit -> queue id, in the order it is read out.
MENU = (("1", "citizen"), ("2", "taxes"), ("3", "waste"), ("4", "benefits"),
        ("5", "health"), ("6", "transport"), ("0", "general"))  # fmt: skip
WAIT_S = 6.0
MAX_REPROMPTS = 2
# English msgids of the kontakt catalog; each welcome line is said in its own language.
WELCOME = (
    ("pl", "Hello, this is the virtual assistant of the City of Poznań. For Polish, press 1."),
    ("uk", "For Ukrainian, press 2."),
    ("en", "For English, press 3."),
)
MENU_PROMPT = "Choose your matter. {items}"
MENU_ITEM = "{name}: press {digit}."
AGAIN = "I did not get your choice."
CONNECTING = "Connecting you to a consultant. Please hold."
CANNOT_CONNECT = "I cannot connect you now."
HELPLINE = "The city helpline {phone} works Monday to Friday 7:30–20:00, except public holidays."


@event_type
@dataclass(frozen=True)
class CallRouted(Event):
    kind: ClassVar[str] = "call_routed"
    queue: str
    language: str
    via: str  # keypad | speech | default
    transferred: bool
    sip_uri: str = ""


class KeypadFlow:
    def __init__(self, runtime: Runtime, endpoint: SipEndpoint, tts: TtsEngine) -> None:
        self.runtime = runtime
        self.endpoint = endpoint
        self.tts = tts

    def t(self, lang: str, msgid: str, **values: object) -> str:
        return self.runtime.chat.bot_texts.gettext(lang, msgid, **values)

    async def say(self, call: Call, text: str, lang: str) -> None:
        """Play a prompt; a key press stops it (barge-in) and is kept for the next step."""
        pcm: NDArray[np.int16] = await asyncio.to_thread(self.tts.synthesize, text, lang)
        playing = call.rtp.play(pcm)
        if call.digits:
            call.rtp.stop_playing()
            return
        call.digit_event.clear()
        pressed = asyncio.ensure_future(call.digit_event.wait())
        ended = asyncio.ensure_future(call.ended.wait())
        await asyncio.wait({playing, pressed, ended}, return_when=asyncio.FIRST_COMPLETED)
        for task in (pressed, ended):
            task.cancel()
        if not playing.done():
            call.rtp.stop_playing()

    async def digit(self, call: Call, wait_s: float = WAIT_S) -> str | None:
        """The next key pressed (including during the prompt), or None after ``wait_s``."""
        try:
            async with asyncio.timeout(wait_s):
                while not call.digits:
                    call.digit_event.clear()
                    await call.digit_event.wait()
        except TimeoutError:
            return None
        return call.digits.pop(0)

    async def handle(self, call: Call) -> None:
        async with self.runtime.transaction() as session:
            conversation = await open_conversation(
                session, channel="phone", language="pl", clock=self.runtime.clock
            )
            conversation_id = conversation.id
            queues = {q.id: q for q in await Desk(session, self.runtime.clock).queues()}
        for lang, msgid in WELCOME:
            if call.digits or call.state != "confirmed":
                break  # a caller who knows the menu presses before it ends
            await self.say(call, self.t(lang, msgid), lang)
        lang = LANG_BY_DIGIT.get(await self.digit(call) or "1", "pl")
        queue, via = await self._choose(call, lang, queues)
        sip_uri = queue.sip_uri if queue else ""
        transferred = False
        if call.state == "confirmed" and sip_uri:
            await self.say(call, self.t(lang, CONNECTING), lang)
            transferred = await self.endpoint.transfer(call, sip_uri)
        if not transferred and call.state == "confirmed":
            phone = self.runtime.settings.contact_phone
            goodbye = " ".join(
                [self.t(lang, CANNOT_CONNECT), self.t(lang, HELPLINE, phone=phone),
                 self.t(lang, "Goodbye!")]
            )  # fmt: skip
            await self.say(call, goodbye, lang)
            await self.endpoint.hangup(call)
        async with self.runtime.transaction() as session:
            await record(
                session,
                CallRouted(queue.id if queue else "general", lang, via, transferred, sip_uri),
                at=self.runtime.clock.now(),
                conversation_id=conversation_id,
            )

    async def _choose(
        self, call: Call, lang: str, queues: dict[str, Queue]
    ) -> tuple[Queue | None, str]:
        if lang == "uk" and "foreigners" in queues:
            return queues["foreigners"], "keypad"  # the Ukrainian-speaking consultants
        offered = [(d, queues[q]) for d, q in MENU if q in queues]
        items = " ".join(self.t(lang, MENU_ITEM, name=q.name(lang), digit=d) for d, q in offered)
        for attempt in range(MAX_REPROMPTS + 1):
            if call.state != "confirmed":
                return None, "hangup"
            lead = self.t(lang, AGAIN) + " " if attempt else ""
            if attempt:
                call.digits.clear()  # a wrong key is not carried into the repeated menu
            await self.say(call, lead + self.t(lang, MENU_PROMPT, items=items), lang)
            pressed = await self.digit(call)
            chosen = next((q for d, q in offered if d == pressed), None)
            if chosen is not None:
                return chosen, "keypad"
        return queues.get("general"), "default"
