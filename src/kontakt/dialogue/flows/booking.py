"""The booking dialogue: service → office → time → read-back → name → phone → code.

It also cancels and moves existing visits by code plus the last digits of the phone number.
Every turn reads the BookingDraft back from the conversation's events and records the new
one, so the flow survives restarts and works the same on every worker and channel. It never
books without reading the time back and hearing "yes"; "anuluj" stops it at any step; a
question that is not an answer to the current step is left to the knowledge base (the
engine answers it and then repeats this flow's question).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from kontakt.booking.backend import BookingBackend, Opening, Visit
from kontakt.booking.customer import InvalidCustomer, find_phone, normalize_phone, validate_customer
from kontakt.booking.models import Service
from kontakt.booking.service import BookingError, Conflict, NotFound, SlotTaken
from kontakt.dialogue.context import DialogueContext
from kontakt.dialogue.flows import booking_texts as say
from kontakt.dialogue.flows.booking_state import (
    BookingDraft,
    find_code,
    find_digits,
    iso,
    match_services,
    strip_name_cue,
)
from kontakt.dialogue.outcome import Answer, Outcome
from kontakt.nlu import choices
from kontakt.nlu.when import When

OFFER = 3
MAX_MISSES = 2
PREFIX = "booking:"
PENDING_PHONE = "Please give a phone number, so the office can reach you."
# The name of a visit booked by phone (staff read it; it is not translated).
PHONE_NAME = "Rezerwacja telefoniczna"


@dataclass
class Turn:
    ctx: DialogueContext
    backend: BookingBackend
    conversation_id: uuid.UUID
    channel: str
    text: str
    lang: str
    choice: str | None
    draft: BookingDraft


def wants_booking(text: str, lang: str, choice: str | None) -> bool:
    """Whether this message starts a booking, a cancellation or a move."""
    if choice and choice.startswith(PREFIX):
        return True
    return (
        choices.booking_intent(text, lang)
        or choices.cancel_booking_intent(text, lang)
        or choices.reschedule_intent(text, lang)
    )


async def services(ctx: DialogueContext) -> list[Service]:
    stmt = select(Service).where(Service.active).order_by(Service.position)
    return list((await ctx.session.scalars(stmt)).all())


async def step(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    """One turn of the flow: the reply and the draft to keep (None when the flow ended).

    Returns (None, draft) when the message is not an answer to the current question but a
    question of its own, for the knowledge base to answer.
    """
    d = t.draft
    stopping = choices.cancel_intent(t.text, t.lang) and not choices.cancel_booking_intent(
        t.text, t.lang
    )
    if t.choice == PREFIX + "stop" or stopping:
        return await _stop(t)
    if d.mode in ("cancel", "reschedule") and d.step in ("code", "digits"):
        return await _identify(t)
    handlers = {
        "service": _service,
        "unit": _unit,
        "slot": _slot,
        "confirm": _confirm,
        "name": _name,
        "phone": _phone,
    }
    return await handlers.get(d.step, _service)(t)


def start(text: str, lang: str, choice: str | None) -> BookingDraft:
    if choice and choice.startswith(PREFIX + "service:"):
        return BookingDraft()
    if choices.cancel_booking_intent(text, lang):
        return BookingDraft(mode="cancel", step="code")
    if choices.reschedule_intent(text, lang):
        return BookingDraft(mode="reschedule", step="code")
    return BookingDraft()


# --- steps -----------------------------------------------------------------------------------


async def _stop(t: Turn) -> tuple[Outcome, None]:
    if t.draft.hold_id:
        await t.backend.release(t.draft.hold_id, channel=t.channel)
    return Answer(say.t(t, "Booking stopped. Nothing was booked."), t.lang, "booking_stopped"), None


async def _service(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    catalog = await services(t.ctx)
    picked: list[Service] = []
    if t.choice and t.choice.startswith(PREFIX + "service:"):
        picked = [s for s in catalog if s.id == t.choice.removeprefix(PREFIX + "service:")]
    else:
        picked = match_services(t.text, catalog)
    if len(picked) == 1:
        d.service_id = picked[0].id
        d.step = "unit"
        return await _unit(t)
    d.step = "service"
    if (
        not picked
        and d.misses
        and choices.yes_no(t.text, t.lang) is None
        and say.is_question(t.text)
    ):
        return None, d
    options = picked or catalog
    d.misses += 0 if picked else 1
    return say.ask_service(t, options), d


async def _unit(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    assert d.service_id is not None
    places = await t.backend.places(d.service_id)
    if not places:
        return say.unavailable(t), None
    chosen = None
    if len(places) == 1:
        chosen = places[0]
    elif t.choice and t.choice.startswith(PREFIX + "unit:"):
        chosen = next((p for p in places if p.id == t.choice.removeprefix(PREFIX + "unit:")), None)
    else:
        chosen = say.match_place(t.text, places, t.lang)
        index = choices.ordinal(t.text, t.lang) if chosen is None and d.step == "unit" else None
        if index is not None and -len(places) <= index < len(places):
            chosen = places[index]
    if chosen is None:
        if d.step == "unit" and say.is_question(t.text):
            return None, d
        d.step = "unit"
        return say.ask_unit(t, places), d
    d.unit_id = chosen.id
    d.step = "slot"
    return await _propose(t, t.ctx.when_parser.parse(t.text, t.lang, t.ctx.clock.now()))


async def _propose(
    t: Turn, when: When | None, *, prefix: str = ""
) -> tuple[Outcome | None, BookingDraft | None]:
    """Offer the nearest free times matching ``when`` (or the nearest at all)."""
    d = t.draft
    assert d.service_id and d.unit_id
    now = t.ctx.clock.now()
    horizon = now + timedelta(days=120)
    if when is not None and when.exact:
        start = when.start
        exact = await t.backend.openings(
            d.unit_id, d.service_id, after=start, until=start + timedelta(minutes=1), limit=1
        )
        if exact:
            return await _choose(t, exact[0].start, prefix=prefix)
    window: list[Opening] = []
    if when is not None:
        window = await t.backend.openings(
            d.unit_id, d.service_id, after=max(when.start, now), until=when.end, limit=OFFER
        )
    if window:
        found = window
    else:
        after = max(when.start, now) if when is not None else now
        found = await t.backend.openings(
            d.unit_id, d.service_id, after=after, until=horizon, limit=OFFER
        )
        if when is not None:
            prefix = f"{prefix} {say.t(t, 'There are no free times then.')}".strip()
    if not found:
        return say.no_times(t), None
    d.offered = [o.start.isoformat() for o in found]
    d.step = "slot"
    d.misses = 0
    return say.offer(t, found, prefix), d


async def _slot(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    if t.choice and t.choice.startswith(PREFIX + "slot:"):
        return await _choose(t, iso(t.choice.removeprefix(PREFIX + "slot:")))
    when = t.ctx.when_parser.parse(t.text, t.lang, t.ctx.clock.now())
    index = choices.ordinal(t.text, t.lang) if when is None else None
    if index is not None and -len(d.offered) <= index < len(d.offered):
        return await _choose(t, iso(d.offered[index]))
    if when is not None:
        if not when.exact:
            return await _propose(t, when)
        for offered in d.offered:
            if iso(offered) == when.start:
                return await _choose(t, when.start)
        return await _propose(t, when)
    return await _miss(t)


async def _choose(t: Turn, start: datetime, *, prefix: str = "") -> tuple[Outcome, BookingDraft]:
    """Read the time back; a new booking holds the seat meanwhile so nobody takes it."""
    d = t.draft
    assert d.service_id and d.unit_id
    if d.hold_id:
        await t.backend.release(d.hold_id, channel=t.channel)
        d.hold_id = None
    if d.mode == "book":
        try:
            held = await t.backend.hold(
                d.unit_id,
                d.service_id,
                start,
                channel=t.channel,
                language=t.lang,
                conversation_id=t.conversation_id,
            )
        except (SlotTaken, BookingError):
            outcome, draft = await _propose(
                t, None, prefix=say.t(t, "This time has just been taken.")
            )
            assert outcome is not None and draft is not None
            return outcome, draft
        d.hold_id = held.public_id
    d.chosen = start.isoformat()
    d.step = "confirm"
    d.misses = 0
    return await say.read_back(t, start, prefix), d


async def _confirm(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    answer = True if t.choice == PREFIX + "yes" else False if t.choice == PREFIX + "no" else None
    if answer is None:
        answer = choices.yes_no(t.text, t.lang)
    when = t.ctx.when_parser.parse(t.text, t.lang, t.ctx.clock.now())
    if when is not None:  # "nie, jednak w piątek": a correction, not just a no
        return await _propose(t, when)
    if answer is None:
        return await _miss(t)
    if not answer:
        if d.hold_id:
            await t.backend.release(d.hold_id, channel=t.channel)
            d.hold_id = None
        d.chosen = None
        return await _propose(t, None, prefix=say.t(t, "Which time would suit you instead?"))
    if d.mode == "cancel":
        return await _cancel_visit(t)
    if d.mode == "reschedule":
        return await _move_visit(t)
    if t.channel == say.PHONE:
        # No recogniser here can take down a surname over the phone, and a keypad cannot
        # type one: a call books under a fixed name, and the visit is found by its phone
        # number and the code, which the caller hears spelled twice.
        d.name = PHONE_NAME
        d.step = "phone"
        return say.ask(t, PENDING_PHONE, "booking_phone"), d
    d.step = "name"
    return say.ask(t, "Please give your first and last name.", "booking_name"), d


async def _name(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    when = t.ctx.when_parser.parse(t.text, t.lang, t.ctx.clock.now())
    if when is not None and choices.yes_no(t.text, t.lang) is False:
        return await _propose(t, when)
    candidate = strip_name_cue(t.text)
    try:
        validate_customer(candidate, email="placeholder@example.org", lang=t.lang)
    except InvalidCustomer:
        if say.is_question(t.text):
            return None, d
        return await _miss(
            t, "That does not look like a name. Please give your first and last name."
        )
    d.name = " ".join(candidate.split())
    d.step = "phone"
    d.misses = 0
    return say.ask(t, PENDING_PHONE, "booking_phone"), d


async def _phone(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    phone = find_phone(t.text, t.lang)
    if phone is None:
        try:
            phone = normalize_phone(t.text, t.lang)
        except InvalidCustomer:
            if say.is_question(t.text):
                return None, d
            return await _miss(
                t, "That does not look like a phone number. Please give it like 601 234 567."
            )
    assert d.hold_id is not None and d.chosen is not None
    customer = validate_customer(d.name, phone, lang=t.lang)
    try:
        visit = await t.backend.confirm(d.hold_id, customer)
    except Conflict:
        # The hold ran out while the resident was typing: take the same time again if free.
        outcome, draft = await _choose(t, iso(d.chosen))
        if draft.hold_id is None or draft.step != "confirm":
            return outcome, draft
        visit = await t.backend.confirm(draft.hold_id, customer)
    return await say.booked(t, visit, "booked"), None


# --- cancelling and moving a visit -------------------------------------------------------------


async def _identify(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    if d.step == "code":
        code = find_code(t.text)
        if code is None:
            if d.misses and say.is_question(t.text):
                return None, d
            d.misses += 1
            if d.misses > MAX_MISSES + 1:
                return say.give_up(t), None
            return say.ask(t, say.CODE_PROMPT, "booking_code"), d
        d.code = code
        d.step = "digits"
        d.misses = 0
        return say.ask(t, say.DIGITS_PROMPT, "booking_digits"), d
    digits = find_digits(t.text)
    if digits is None:
        return say.ask(t, say.DIGITS_PROMPT, "booking_digits"), d
    try:
        visit = await t.backend.find(d.code, digits)
    except (NotFound, Conflict) as exc:
        d.misses += 1
        d.step = "code"
        if d.misses > MAX_MISSES:
            return say.give_up(t), None
        lead = say.t(t, "I could not find an upcoming visit with this code and phone number.")
        if isinstance(exc, Conflict):
            lead = say.t(t, "This visit has already taken place.")
        return say.ask(t, say.CODE_PROMPT, "booking_code", prefix=lead), d
    except BookingError:
        return say.unavailable(t), None
    d.visit_id = visit.public_id
    d.service_id, d.unit_id = visit.service_id, visit.unit_id
    d.misses = 0
    if d.mode == "cancel":
        d.step = "confirm"
        d.chosen = visit.start.isoformat()
        return await say.read_back(t, visit.start, "", cancelling=True), d
    return await _propose(t, t.ctx.when_parser.parse(t.text, t.lang, t.ctx.clock.now()))


async def _cancel_visit(t: Turn) -> tuple[Outcome, None]:
    assert t.draft.visit_id is not None
    visit = await t.backend.cancel(t.draft.visit_id, channel=t.channel)
    return await say.booked(t, visit, "cancelled"), None


async def _move_visit(t: Turn) -> tuple[Outcome | None, BookingDraft | None]:
    d = t.draft
    assert d.visit_id is not None and d.chosen is not None
    try:
        visit: Visit = await t.backend.reschedule(d.visit_id, iso(d.chosen), channel=t.channel)
    except SlotTaken:
        return await _propose(t, None, prefix=say.t(t, "This time has just been taken."))
    return await say.booked(t, visit, "rescheduled"), None


async def _miss(t: Turn, reason: str = "") -> tuple[Outcome | None, BookingDraft | None]:
    """Input the step cannot use: a question goes to the knowledge base; otherwise ask again,
    and after repeated misses offer the helpline instead of looping."""
    d = t.draft
    if say.is_question(t.text):
        return None, d
    d.misses += 1
    if d.misses > MAX_MISSES:
        if d.hold_id:
            await t.backend.release(d.hold_id, channel=t.channel)
        return say.give_up(t), None
    return say.reprompt(t, reason), d


def resume_prompt(t: Turn) -> str:
    """The flow's pending question, repeated after an off-topic answer."""
    return say.pending(t)
