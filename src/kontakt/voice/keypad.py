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
PROMPTS = {
    "welcome": {
        "pl": "Dzień dobry, tu wirtualna asystentka Miasta Poznania. Po polsku naciśnij 1.",
        "uk": "Українською натисніть 2.",
        "en": "For English, press 3.",
    },
    "menu": {
        "pl": "Wybierz sprawę. {items}",
        "uk": "Оберіть питання. {items}",
        "en": "Choose your matter. {items}",
    },
    "item": {
        "pl": "{name}: naciśnij {digit}.",
        "uk": "{name}: натисніть {digit}.",
        "en": "{name}: press {digit}.",
    },
    "again": {
        "pl": "Nie rozpoznałam wyboru.",
        "uk": "Я не розпізнала вибір.",
        "en": "I did not get your choice.",
    },
    "connecting": {
        "pl": "Łączę z konsultantem. Proszę czekać.",
        "uk": "З'єдную з консультантом. Зачекайте, будь ласка.",
        "en": "Connecting you to a consultant. Please hold.",
    },
    "phone": {
        "pl": "Nie mogę teraz połączyć. Zadzwoń pod numer 61 646 33 44, od poniedziałku do "
        "piątku w godzinach 7:30–20:00. Do widzenia.",
        "uk": "Зараз не можу з'єднати. Зателефонуйте за номером 61 646 33 44, з понеділка по "
        "п'ятницю з 7:30 до 20:00. До побачення.",
        "en": "I cannot connect you now. Please call 61 646 33 44, Monday to Friday, "
        "7:30 to 20:00. Goodbye.",
    },
}


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
        for lang in ("pl", "uk", "en"):
            if call.digits or call.state != "confirmed":
                break  # a caller who knows the menu presses before it ends
            await self.say(call, PROMPTS["welcome"][lang], lang)
        lang = LANG_BY_DIGIT.get(await self.digit(call) or "1", "pl")
        queue, via = await self._choose(call, lang, queues)
        sip_uri = queue.sip_uri if queue else ""
        transferred = False
        if call.state == "confirmed" and sip_uri:
            await self.say(call, PROMPTS["connecting"][lang], lang)
            transferred = await self.endpoint.transfer(call, sip_uri)
        if not transferred and call.state == "confirmed":
            await self.say(call, PROMPTS["phone"][lang], lang)
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
        items = " ".join(
            PROMPTS["item"][lang].format(name=q.name(lang), digit=d) for d, q in offered
        )
        for attempt in range(MAX_REPROMPTS + 1):
            if call.state != "confirmed":
                return None, "hangup"
            lead = PROMPTS["again"][lang] + " " if attempt else ""
            if attempt:
                call.digits.clear()  # a wrong key is not carried into the repeated menu
            await self.say(call, lead + PROMPTS["menu"][lang].format(items=items), lang)
            pressed = await self.digit(call)
            chosen = next((q for d, q in offered if d == pressed), None)
            if chosen is not None:
                return chosen, "keypad"
        return queues.get("general"), "default"
