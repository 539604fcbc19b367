"""Booking a visit by phone (issue #7, item 5): the chat's booking flow, spoken and keyed.

The call drives the same booking dialogue as the chat, through ``handle_turn`` on the call's
"phone" conversation; nothing about services, offices, times or holds is decided here. For
each Outcome the call says its text (the flow words it for the phone: times in words, the
code spelled and said twice) and reads its options as keys, "{option}: press 1", at most 9
(8 and "more" when there are more); the key pressed goes back as the option's choice, as a
chat button does, with the key as the message. The time is always read back and booked only
after key 1 (2 is "no": nothing is booked and the times are offered again). The one step
that needs free text in the chat, the phone number, is the caller ID when it is a usable
number, or keyed in with # at the end, and read back before it is used.

At every step 0 is a consultant; no key (or a wrong one) twice in a row is a consultant too;
a hang-up ends the flow. Leaving without a booking stops the flow ("booking:stop"), which
releases the held time at once. ``run`` neither transfers nor hangs up: it says what the
caller flow does next.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from kontakt.booking.customer import InvalidCustomer, normalize_phone
from kontakt.booking.models import Service
from kontakt.calls.events import SelfServiceCompleted
from kontakt.conversations.service import get_conversation
from kontakt.dialogue.engine import handle_turn
from kontakt.dialogue.flows.booking_spoken import spoken_digits
from kontakt.dialogue.outcome import Ask, Booked, Outcome, Suggestion
from kontakt.events import record
from kontakt.runtime import Runtime
from kontakt.voice import prompts
from kontakt.voice.call_io import CallIO
from kontakt.voice.sip.message import SipMessage

SERVICE = "booking"  # SelfServiceCompleted.service
PREFIX = "booking:"
STOP = PREFIX + "stop"
SERVICE_CHOICE = PREFIX + "service:"
PERSON_KEY, MORE_KEY, YES_KEY, NO_KEY = "0", "9", "1", "2"
PAGE = 8  # options per page when there are more than 9: keys 1-8, 9 for the rest
MAX_MISSES = 2  # no key or a wrong one: asked once more, then a consultant
_URI_USER = re.compile(r"(?:sips?|tel):([^@;>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class KeyWaits:
    choice_s: float = 6.0  # for a key at a question with options
    offer_s: float = 4.0  # at the offer: silence means "a consultant", the default
    first_s: float = 10.0  # before the first digit of a phone number
    # Between digits; a pause this long ends the number without "#". Longer than the 5 s
    # `kontakt voice call` waits between keys when the bot stays silent.
    next_s: float = 7.0


@dataclass(frozen=True)
class BookingResult:
    kind: str  # booked | transfer | hangup
    reason: str = ""  # transfer: requested | no_input | no_match | self_service_failed
    code: str = ""  # booked: the visit's code, as read out


@dataclass(frozen=True)
class _Key:
    """What the caller did at one question: chose an option (``value``), asked for a
    consultant ("person"), hung up, or gave no usable key twice ("missed", with why)."""

    kind: str  # value | person | hangup | missed
    value: str = ""
    key: str = ""


def caller_number(invite: SipMessage, lang: str) -> str | None:
    """The caller's number (E.164) from P-Asserted-Identity (asserted by the operator's
    network), else From, when its user part is a valid phone number; None for "anonymous",
    a SIP name or an extension."""
    for header in ("P-Asserted-Identity", "From"):
        match = _URI_USER.search(invite.get(header))
        user = re.sub(r"[\s\-.()]", "", match.group(1)) if match else ""
        if re.fullmatch(r"\+?\d{6,15}", user):
            try:
                return normalize_phone(user, lang)
            except InvalidCustomer:
                continue
    return None


def national_digits(e164: str) -> str:
    """A Polish number as Poles say it (601 234 567); others with their country code."""
    return e164.removeprefix("+48") if e164.startswith("+48") else e164.lstrip("+")


async def bookable_services(runtime: Runtime, topics: list[str] | None) -> frozenset[str]:
    """The ids of the active services of these topics (None: of any topic)."""
    stmt = select(Service.id).where(Service.active)
    if topics is not None:
        stmt = stmt.where(Service.topic.in_(topics))
    async with runtime.transaction() as session:
        return frozenset((await session.scalars(stmt)).all())


class BookingCall:
    """One call's booking. ``io`` should hear keys only: speech is not an answer here, so a
    cough must not cut the read-back short. ``services`` narrows the question "which
    matter?" to what the call is about (its topic), when that leaves any option."""

    def __init__(
        self,
        runtime: Runtime,
        io: CallIO,
        conversation_id: uuid.UUID,
        lang: str,
        *,
        services: frozenset[str] = frozenset(),
        caller_id: str | None = None,
        waits: KeyWaits = KeyWaits(),
    ) -> None:
        self.runtime = runtime
        self.io = io
        self.call = io.call
        self.conversation_id = conversation_id
        self.lang = lang
        self.services = services
        self.caller_id = caller_id
        self.waits = waits

    def _t(self, msgid: str, **values: object) -> str:
        return self.runtime.chat.bot_texts.gettext(self.lang, msgid, **values)

    @property
    def gone(self) -> bool:
        return self.call.state != "confirmed"

    async def offer(self) -> str:
        """What the caller wants: "book" (key 1), "transfer" (any other key, or none: they
        came for a consultant, and waiting on the line is how most ask for one) or "hangup"."""
        await self.io.say(self.call, self._t(prompts.BOOKING_OFFER), self.lang)
        key = None if self.gone else await self.io.digit(self.call, self.waits.offer_s)
        if self.gone:
            return "hangup"
        return "book" if key == YES_KEY else "transfer"

    async def run(self, request: str = "") -> BookingResult:
        """Book a visit. ``request`` is what the caller said when they asked to book (its
        words may name the matter); without it, key 1 stands for "I would like to book"."""
        outcome = await self._turn(request or self._t(prompts.BOOKING_REQUEST))
        while True:
            if self.gone:
                return await self._leave(outcome, "hangup")
            if isinstance(outcome, Booked):
                return await self._booked(outcome)
            if not isinstance(outcome, Ask):
                # The flow ended without a visit (no free times, booking unavailable, given
                # up): say why; a consultant takes it from there.
                await self._say(outcome.text, outcome.language)
                return BookingResult("transfer", "self_service_failed")
            options = [s for s in outcome.suggestions if s.kind == "option"]
            if outcome.reason == "booking_service":
                options = self._narrowed(options)
            if options:
                got = await self._choose(outcome, options)
            elif outcome.reason == "booking_phone":
                got = await self._phone_number(outcome)
            else:  # a step only free text answers (a name, a code): a person can help
                return await self._leave(outcome, "transfer", "self_service_failed")
            if got.kind == "hangup":
                return await self._leave(outcome, "hangup")
            if got.kind == "person":
                return await self._leave(outcome, "transfer", "requested", got.key)
            if got.kind == "missed":  # ``value`` says why: no_input or no_match
                return await self._leave(outcome, "transfer", got.value)
            choice = got.value if got.value.startswith(PREFIX) else None
            outcome = await self._turn(got.key if choice else got.value, choice)

    def _narrowed(self, options: list[Suggestion]) -> list[Suggestion]:
        mine = [s for s in options if s.article_id.removeprefix(SERVICE_CHOICE) in self.services]
        return mine or options

    async def _choose(self, outcome: Ask, options: list[Suggestion]) -> _Key:
        """The option the caller keys in; a single one left by the call's topic is taken
        without asking (the read-back still names it), with no key as its message."""
        if len(options) == 1 and outcome.reason == "booking_service":
            return _Key("value", options[0].article_id)
        pages = [options] if len(options) <= 9 else _pages(options)
        page, misses, lead = 0, 0, ""
        while True:
            offered = dict(zip((str(i) for i in range(1, 10)), pages[page], strict=False))
            more = page + 1 < len(pages)
            items = [self._t(prompts.MENU_ITEM, name=s.label, digit=k) for k, s in offered.items()]
            if more:
                items.append(self._t(prompts.CHOICE_MORE, digit=MORE_KEY))
            text = outcome.text if page == 0 else ""
            await self._say(
                " ".join(filter(None, [lead, text, *items, self._t(prompts.CHOICE_PERSON)])),
                outcome.language,
            )
            key = None if self.gone else await self.io.digit(self.call, self.waits.choice_s)
            if self.gone:
                return _Key("hangup")
            if key == PERSON_KEY:
                return _Key("person", key=key)
            if key in offered:
                return _Key("value", offered[key].article_id, key)
            if key == MORE_KEY and more:
                page, lead = page + 1, ""
                continue
            misses += 1
            why = "no_input" if key is None else "no_match"
            if misses >= MAX_MISSES:
                return _Key("missed", why)
            self.call.digits.clear()  # keys after a wrong one are not the next answer
            lead = self._t(prompts.NO_KEYS if key is None else prompts.AGAIN)
            page = 0

    async def _phone_number(self, outcome: Ask) -> _Key:
        """The number to book under (E.164): the caller ID once, if usable, else keyed in;
        either is read back and used only after key 1."""
        number, misses, lead = self.caller_id, 0, ""
        self.caller_id = None  # offered once: after "another number" the caller keys one
        while True:
            if number is None:
                await self._say(f"{lead} {self._number_prompt()}".strip(), outcome.language)
                typed = None if self.gone else await self._keyed()
                if self.gone:
                    return _Key("hangup")
                if typed == PERSON_KEY:
                    return _Key("person", key=typed)
                number = self._valid(typed)
                if number is None:
                    misses += 1
                    if misses >= MAX_MISSES:
                        return _Key("missed", "no_input" if typed is None else "no_match")
                    lead = self._t(prompts.NO_KEYS if typed is None else prompts.NUMBER_NOT_VALID)
                    continue
            if not lead:
                misses = 0
            spoken = spoken_digits(national_digits(number))
            text = self._t(prompts.NUMBER_CONFIRM, number=spoken)
            person = self._t(prompts.CHOICE_PERSON)
            await self._say(f"{lead} {text} {person}".strip(), outcome.language)
            key = None if self.gone else await self.io.digit(self.call, self.waits.choice_s)
            lead = ""
            if self.gone:
                return _Key("hangup")
            if key == YES_KEY:
                return _Key("value", number)
            if key == PERSON_KEY:
                return _Key("person", key=key)
            if key == NO_KEY:
                number, misses = None, 0
                continue
            misses += 1
            if misses >= MAX_MISSES:
                return _Key("missed", "no_input" if key is None else "no_match")
            self.call.digits.clear()
            lead = self._t(prompts.NO_KEYS if key is None else prompts.AGAIN)

    def _number_prompt(self) -> str:
        return f"{self._t(prompts.NUMBER_PROMPT)} {self._t(prompts.CHOICE_PERSON)}"

    def _valid(self, typed: str | None) -> str | None:
        if not typed:
            return None
        try:
            return normalize_phone(typed, self.lang)
        except InvalidCustomer:
            return None

    async def _keyed(self) -> str | None:
        """Digits up to "#" or a pause; None when no key was pressed. "*" starts over."""
        typed, pressed, wait = "", False, self.waits.first_s
        while not self.gone:
            key = await self.io.digit(self.call, wait)
            if key is None or key == "#":
                pressed = pressed or key == "#"
                break
            pressed, wait = True, self.waits.next_s
            typed = "" if key == "*" else typed + (key if key.isdigit() else "")
        return typed if pressed else None

    async def _turn(self, text: str, choice: str | None = None) -> Outcome:
        """One turn of the chat's dialogue on this call's conversation, in one transaction."""
        index = await self.runtime.chat.index.get()
        async with self.runtime.transaction() as session:
            conversation = await get_conversation(session, self.conversation_id)
            ctx = await self.runtime.dialogue(session, index)
            return await handle_turn(ctx, conversation, text, choice=choice)

    async def _booked(self, outcome: Booked) -> BookingResult:
        async with self.runtime.transaction() as session:
            await record(
                session,
                SelfServiceCompleted(self.call.call_id, SERVICE),
                at=self.runtime.clock.now(),
                conversation_id=self.conversation_id,
            )
        from kontakt.booking.delivery import send_notice

        # After the commit, as the chat does: an SMS with the code, where one is configured.
        await send_notice(self.runtime, outcome.public_id, "confirmed")
        self.call.digits.clear()  # a key pressed ahead must not cut the code short
        await self._say(outcome.text, outcome.language)
        return BookingResult("booked", code=outcome.code)

    async def _leave(
        self, outcome: Outcome, kind: str, reason: str = "", key: str = ""
    ) -> BookingResult:
        """Stop a booking still under way (its held time is released at once, not when the
        hold runs out); the caller who asked for a consultant hears that nothing was booked."""
        if isinstance(outcome, Ask):
            stopped = await self._turn(key, STOP)
            if reason == "requested":
                await self._say(stopped.text, stopped.language)
        return BookingResult(kind, reason)

    async def _say(self, text: str, lang: str) -> None:
        if not self.gone:
            await self.io.say(self.call, text, lang)


def _pages(options: list[Suggestion]) -> list[list[Suggestion]]:
    return [options[i : i + PAGE] for i in range(0, len(options), PAGE)]
