"""What the booking flow says, in the resident's language (gettext, English msgids)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from kontakt.booking.backend import Opening, Place, Visit
from kontakt.booking.models import Service
from kontakt.dialogue import replies
from kontakt.dialogue.flows.booking_spoken import spelled, spoken_when
from kontakt.dialogue.flows.booking_state import iso
from kontakt.dialogue.outcome import Action, Answer, Ask, Booked, Suggestion
from kontakt.nlu.fold import fold

if TYPE_CHECKING:
    from kontakt.dialogue.flows.booking import Turn

PREFIX = "booking:"
# A "phone" conversation hears these texts through the voicebot: times and codes in words,
# the options read out with their keys by the call (not listed in the text), no links.
PHONE = "phone"
CODE_PROMPT = "Please give the confirmation code of your visit (6 characters, e.g. K7M4RX)."
DIGITS_PROMPT = "Please give the last 3 digits of the phone number you gave when booking."
_QUESTION = re.compile(
    r"\?|^(jak|gdzie|kiedy|ile|czy|co|jakie|jaki|jaka|dlaczego|komu|kto|як|де|коли|скільки|чи|"
    r"що|який|яка|яке|хто|how|where|when|what|which|can|do|does|is|are|who|why)\b",
    re.IGNORECASE,
)


def t(turn: Turn, msgid: str, **values: object) -> str:
    return turn.ctx.texts.gettext(turn.lang, msgid, **values)


def is_question(text: str) -> bool:
    """A message that asks something rather than answering the flow's question."""
    return len(text.split()) >= 3 and bool(_QUESTION.search(text.strip()))


def when(turn: Turn, start: datetime) -> str:
    if turn.channel == PHONE:
        return spoken_when(start, turn.lang)
    return replies.when(start, turn.lang)


def _stop_action(turn: Turn) -> tuple[Action, ...]:
    return (Action("choice", t(turn, "Stop booking"), PREFIX + "stop"),)


def ask(turn: Turn, msgid: str, reason: str, *, prefix: str = "") -> Ask:
    text = f"{prefix} {t(turn, msgid)}".strip()
    return Ask(text, turn.lang, reason, actions=_stop_action(turn))


def ask_service(turn: Turn, options: list[Service]) -> Ask:
    return Ask(
        t(turn, "Which matter would you like to book a visit for?"),
        turn.lang,
        "booking_service",
        suggestions=tuple(
            Suggestion(PREFIX + "service:" + s.id, s.name(turn.lang), "option") for s in options
        ),
        actions=_stop_action(turn),
    )


def match_place(text: str, places: list[Place], lang: str) -> Place | None:
    """An office named in the text by a distinctive word of its name or address."""
    words = set(re.findall(r"\w{4,}", fold(text)))
    hits = []
    for place in places:
        own = set(re.findall(r"\w{4,}", fold(f"{place.name(lang)} {place.address}")))
        shared = set.intersection(*(set(re.findall(r"\w{4,}", fold(p.name(lang)))) for p in places))
        if words & (own - shared):
            hits.append(place)
    return hits[0] if len(hits) == 1 else None


def ask_unit(turn: Turn, places: list[Place]) -> Ask:
    return Ask(
        t(turn, "Which office would you like to visit?"),
        turn.lang,
        "booking_unit",
        suggestions=tuple(
            Suggestion(
                PREFIX + "unit:" + p.id,
                f"{p.name(turn.lang)}, {p.address}" if p.address else p.name(turn.lang),
                "option",
            )
            for p in places
        ),
        actions=_stop_action(turn),
    )


def offer(turn: Turn, found: list[Opening], prefix: str) -> Ask:
    lines = [f"{i}. {when(turn, o.start)}" for i, o in enumerate(found, 1)]
    parts = [
        prefix,
        t(turn, "The nearest free times:"),
        "; ".join(lines) + ".",
        t(turn, "Which one suits you? You can also name another day or time."),
    ]
    if turn.channel == PHONE:  # the call reads each time with its key instead
        parts = parts[:2]
    text = " ".join(filter(None, parts))
    return Ask(
        text,
        turn.lang,
        "booking_slot",
        suggestions=tuple(
            Suggestion(PREFIX + "slot:" + o.start.isoformat(), when(turn, o.start), "option")
            for o in found
        ),
        actions=_stop_action(turn),
    )


async def _names(turn: Turn) -> tuple[str, str, str]:
    d = turn.draft
    service = await turn.ctx.session.get(Service, d.service_id)
    places = await turn.backend.places(d.service_id) if d.service_id else []
    place = next((p for p in places if p.id == d.unit_id), None)
    return (
        service.name(turn.lang) if service else "",
        place.name(turn.lang) if place else (d.unit_id or ""),
        place.address if place else "",
    )


def _place(turn: Turn, unit: str, address: str) -> str:
    # On the phone the office's name is enough (it names the street): house numbers and a
    # postal code read out by a synthetic voice are noise the caller cannot note anyway.
    return f"{unit}, {address}" if address and turn.channel != PHONE else unit


async def read_back(turn: Turn, start: datetime, prefix: str, *, cancelling: bool = False) -> Ask:
    service, unit, address = await _names(turn)
    place = _place(turn, unit, address)
    if cancelling:
        msgid = "Do you want to cancel this visit: {service}, {place}, {when}?"
    elif turn.draft.mode == "reschedule":
        msgid = "Shall I move your visit ({service}, {place}) to {when}?"
    else:
        msgid = "Please confirm: {service}, {place}, {when}. Is that right?"
    text = f"{prefix} {t(turn, msgid, service=service, place=place, when=when(turn, start))}"
    return Ask(
        text.strip(),
        turn.lang,
        "booking_confirm",
        suggestions=(
            Suggestion(PREFIX + "yes", t(turn, "Yes"), "option"),
            Suggestion(PREFIX + "no", t(turn, "No"), "option"),
        ),
        actions=_stop_action(turn),
    )


PHONE_BOOKED = (
    "Your visit is booked: {service}, {place}, {when}. Your confirmation code is: {code}. "
    "Once more, the code is: {code}. To cancel or change the visit, give this code and the "
    "last digits of your phone number in the chat on the city's website."
)


async def booked(turn: Turn, visit: Visit, reason: str) -> Booked:
    service, unit, address = await _names(turn)
    place = _place(turn, unit, address)
    values = {"service": service, "place": place, "when": when(turn, visit.start)}
    if reason == "cancelled":
        text = t(turn, "Your visit on {when} is cancelled.", **values)
    elif reason == "rescheduled":
        text = t(
            turn,
            "Your visit is moved: {service}, {place}, {when}. Your new confirmation code is "
            "{code}.",
            code=visit.code,
            **values,
        )
    elif turn.channel == PHONE:
        # Spelled, and said twice: a caller has no screen to read it from again.
        text = t(turn, PHONE_BOOKED, code=spelled(visit.code), **values)
    else:
        text = t(
            turn,
            "Your visit is booked: {service}, {place}, {when}. Your confirmation code is {code}. "
            "To cancel or change the visit, write to me with the code and the last digits of "
            "your phone number.",
            code=visit.code,
            **values,
        )
    docs = await _documents(turn)
    if docs and reason != "cancelled" and turn.channel != PHONE:  # a link cannot be spoken
        text = f"{text} {t(turn, 'What to bring: {url}', url=docs)}"
    return Booked(
        text=text,
        language=turn.lang,
        reason=reason,
        code=visit.code,
        public_id=visit.public_id,
        service=service,
        unit=unit,
        address=address,
        start=visit.start.isoformat(),
        end=visit.end.isoformat(),
        ics_url="" if reason == "cancelled" else f"/api/v1/bookings/{visit.public_id}.ics",
    )


async def _documents(turn: Turn) -> str:
    service = await turn.ctx.session.get(Service, turn.draft.service_id)
    if service is None or not service.article_id:
        return ""
    article = turn.ctx.index.by_id(service.article_id)
    return article.source_url if article is not None else ""


def _helpline(turn: Turn, lead: str, reason: str, *, hours: bool = False) -> Answer:
    """The flow cannot go on: say why, and give the helpline (and when it is open). A caller
    is put through to a consultant instead, so the phone hears only why."""
    parts = [lead]
    if turn.channel != PHONE:
        parts.append(replies.contact_line(turn.ctx, turn.lang))
        if hours:
            parts.append(replies.hours_status(turn.ctx, turn.lang))
    return Answer(
        " ".join(p for p in parts if p),
        turn.lang,
        reason,
        actions=replies.contact_actions(turn.ctx, turn.lang),
    )


def no_times(turn: Turn) -> Answer:
    lead = t(turn, "There are no free times for this matter in the booking calendar.")
    return _helpline(turn, lead, "booking_full")


def unavailable(turn: Turn) -> Answer:
    return _helpline(turn, t(turn, "Booking is not available right now."), "booking_unavailable")


def give_up(turn: Turn) -> Answer:
    lead = t(turn, "I am sorry, I could not complete the booking this way.")
    return _helpline(turn, lead, "booking_handoff", hours=True)


PENDING = {
    "service": "Which matter would you like to book a visit for?",
    "unit": "Which office would you like to visit?",
    "slot": "Which of the offered times suits you?",
    "confirm": "Please answer yes or no.",
    "name": "Please give your first and last name.",
    "phone": "Please give a phone number, so the office can reach you.",
    "code": CODE_PROMPT,
    "digits": DIGITS_PROMPT,
}


def pending(turn: Turn) -> str:
    return t(turn, PENDING.get(turn.draft.step, PENDING["service"]))


def reprompt(turn: Turn, reason: str) -> Ask:
    lead = t(turn, reason) if reason else t(turn, "Sorry, I did not understand.")
    follow = "" if reason else pending(turn)
    return Ask(
        f"{lead} {follow}".strip(),
        turn.lang,
        f"booking_{turn.draft.step}",
        suggestions=_pending_options(turn),
        actions=_stop_action(turn),
    )


def _pending_options(turn: Turn) -> tuple[Suggestion, ...]:
    """The buttons of the pending question, offered again with the repeated question."""
    d = turn.draft
    if d.step == "slot":
        return tuple(
            Suggestion(PREFIX + "slot:" + start, when(turn, iso(start)), "option")
            for start in d.offered
        )
    if d.step == "confirm":
        return (
            Suggestion(PREFIX + "yes", t(turn, "Yes"), "option"),
            Suggestion(PREFIX + "no", t(turn, "No"), "option"),
        )
    return ()
