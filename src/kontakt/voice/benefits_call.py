"""The phone self-service for benefit payment dates (issue #7, item 5), on the keypad.

The caller keys the digits of the case number (then #) and the 11-digit PESEL; when both
belong together the next payment date is read out in words, with the kind of benefit.
The privacy rules, which this flow keeps:

- nothing is read out unless both match, and a failure never says which of the two was wrong;
- three wrong entries in all (no key pressed, a malformed number, a PESEL with a bad check
  digit, a pair that matches nothing) end the self-service with "transfer";
- the events carry no PESEL, no case number and no date.

The flow neither transfers nor hangs up: ``run`` returns what the caller flow should do next.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from kontakt.benefits.events import SelfServiceFailed
from kontakt.benefits.identity import CASE_MAX_DIGITS, PESEL_LEN, InvalidPesel, check_pesel
from kontakt.benefits.service import PaymentInfo, next_payment
from kontakt.benefits.spoken import spoken_date
from kontakt.calls.events import SelfServiceCompleted
from kontakt.events import Event, record
from kontakt.runtime import Runtime
from kontakt.voice.sip.endpoint import Call

SERVICE = "benefit_payment_date"
LANGS = ("pl", "uk", "en")
MAX_WRONG = 3
MAX_REPEATS = 3
# English msgids of the kontakt catalog.
INTRO = "Benefit payment dates."
CASE_PROMPT = "Enter the digits of your case number, then press the hash key."
PESEL_PROMPT = "Now enter your PESEL number, eleven digits."
NO_INPUT = "I did not hear any keys."
NOT_VALID = "This number is not valid."
NOT_FOUND = "I cannot find a payment for this case number and PESEL."
NEXT_PAYMENT = "The next payment is on {date}."
LAST_PAYMENT = "No payment is planned at the moment. The last payment was on {date}."
BENEFIT = "Benefit:"
OPTIONS = "To hear it again, press 1. To talk to a consultant, press 2. Or simply hang up."
PROMPTS = (INTRO, CASE_PROMPT, PESEL_PROMPT, NO_INPUT, NOT_VALID, NOT_FOUND, NEXT_PAYMENT,
           LAST_PAYMENT, BENEFIT, OPTIONS)  # fmt: skip


class Prompter(Protocol):
    """Plays a prompt (a key press may cut it short and is kept), and reads the next key."""

    async def say(self, call: Call, text: str, lang: str) -> None: ...

    async def digit(self, call: Call, wait_s: float) -> str | None: ...


@dataclass(frozen=True)
class KeyWaits:
    first_s: float = 10.0  # before the first key: time to find the letter with the number
    next_s: float = 5.0  # between keys; a pause this long ends an entry without "#"
    grace_s: float = 0.6  # after the 11th PESEL digit, for a "#" the caller adds anyway
    menu_s: float = 6.0  # to choose "repeat" or "consultant" after the answer


def gone(call: Call) -> bool:
    return call.state != "confirmed"


class BenefitDateFlow:
    def __init__(self, runtime: Runtime, prompter: Prompter, waits: KeyWaits = KeyWaits()) -> None:
        self.runtime = runtime
        self.prompter = prompter
        self.waits = waits
        # Why ``run`` returned "transfer", in the terms of CallTransferred.reason.
        self.transfer_reason = ""

    def _t(self, lang: str, msgid: str, **values: object) -> str:
        return self.runtime.chat.bot_texts.gettext(lang, msgid, **values)

    async def run(self, call: Call, lang: str, conversation_id: uuid.UUID | None) -> str:
        """What the caller flow does next. "served": the date was read out and the caller is
        done (say goodbye, hang up);
        "transfer": to the benefits queue, after three wrong entries (``transfer_reason`` is
        "self_service_failed") or because the caller asked for a consultant ("requested");
        "hangup": the caller left (SelfServiceCompleted may already be recorded)."""
        lang = lang if lang in LANGS else "pl"
        wrong = 0
        case: str | None = None
        lead = self._t(lang, INTRO)
        while True:
            prompt = self._t(lang, CASE_PROMPT if case is None else PESEL_PROMPT)
            await self.prompter.say(call, f"{lead} {prompt}".strip(), lang)
            typed = None if gone(call) else await self._entry(call, case is None)
            if gone(call):
                return await self._failed(call, conversation_id, "hangup", wrong)
            problem = self._problem(typed, case is None)
            if problem is None and typed is not None:
                if case is None:
                    case, lead = typed, ""
                    continue
                found = await self._lookup(case, typed)
                if found is not None:
                    await self._record(SelfServiceCompleted(call.call_id, SERVICE), conversation_id)
                    return await self._serve(call, lang, found)
                problem, case = NOT_FOUND, None  # ask for both again: never say which was wrong
            wrong += 1
            call.digits.clear()  # keys pressed after a wrong entry are not the next answer
            lead = self._t(lang, problem or NOT_VALID)
            if wrong >= MAX_WRONG:
                await self.prompter.say(call, lead, lang)
                return await self._failed(call, conversation_id, "wrong_entries", wrong)

    async def _entry(self, call: Call, is_case: bool) -> str | None:
        """Digits up to "#"; the PESEL also ends at its 11th digit, and any entry at a pause.
        None when no key was pressed at all. "*" and A–D are ignored."""
        typed, pressed, wait = "", False, self.waits.first_s
        while not gone(call):
            key = await self.prompter.digit(call, wait)
            if key is None or key == "#":
                pressed = pressed or key == "#"
                break
            pressed, wait = True, self.waits.next_s
            typed += key if key.isdigit() else ""
            if not is_case and len(typed) == PESEL_LEN:
                wait = self.waits.grace_s  # one more key: a "#" ends it, a digit is one too many
        return typed if pressed else None

    @staticmethod
    def _problem(typed: str | None, is_case: bool) -> str | None:
        if typed is None:
            return NO_INPUT
        if is_case:
            return None if 0 < len(typed) <= CASE_MAX_DIGITS else NOT_VALID
        try:
            check_pesel(typed)
        except InvalidPesel:
            return NOT_VALID
        return None

    async def _lookup(self, case: str, pesel: str) -> PaymentInfo | None:
        today = self.runtime.clock.now().astimezone(ZoneInfo(self.runtime.settings.timezone))
        secret = self.runtime.settings.resolved_secret_key()
        async with self.runtime.transaction() as session:
            return await next_payment(session, case, pesel, today.date(), secret=secret)

    async def _serve(self, call: Call, lang: str, found: PaymentInfo) -> str:
        sentence = self._t(
            lang,
            NEXT_PAYMENT if found.upcoming else LAST_PAYMENT,
            date=spoken_date(found.day, lang),
        )
        label, benefits = self._t(lang, BENEFIT), ", ".join(found.benefits) + "."
        # Benefit names come from the Polish export, so the Polish voice reads them.
        answer = [(f"{sentence} {label}", lang), (benefits, "pl")]
        if lang == "pl":
            answer = [(f"{sentence} {label} {benefits}", "pl")]
        for _ in range(MAX_REPEATS):
            call.digits.clear()  # a stray "#" after the PESEL must not cut the answer short
            for text, voice in answer:
                await self.prompter.say(call, text, voice)
            await self.prompter.say(call, self._t(lang, OPTIONS), lang)
            choice = None if gone(call) else await self._choice(call)
            if gone(call):
                return "hangup"
            if choice == "2":
                self.transfer_reason = "requested"
                return "transfer"
            if choice != "1":
                break
        return "served"

    async def _choice(self, call: Call) -> str | None:
        """The key "1" or "2" within ``menu_s``; other keys are ignored; silence is None."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.waits.menu_s
        while (left := deadline - loop.time()) > 0 and not gone(call):
            key = await self.prompter.digit(call, left)
            if key is None or key in ("1", "2"):
                return key
        return None

    async def _failed(
        self, call: Call, conversation_id: uuid.UUID | None, reason: str, wrong: int
    ) -> str:
        await self._record(SelfServiceFailed(call.call_id, SERVICE, reason, wrong), conversation_id)
        if reason != "wrong_entries":
            return "hangup"
        self.transfer_reason = "self_service_failed"
        return "transfer"

    async def _record(self, event: Event, conversation_id: uuid.UUID | None) -> None:
        async with self.runtime.transaction() as session:
            await record(
                session, event, at=self.runtime.clock.now(), conversation_id=conversation_id
            )
