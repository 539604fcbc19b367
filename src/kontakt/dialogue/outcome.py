"""Outcome: the only thing ``handle_turn`` returns. Channels render it; they never decide."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str
    url: str
    source: str
    unit: str


@dataclass(frozen=True)
class Suggestion:
    """A button. ``kind="article"``: a "did you mean" article, answered directly when chosen.
    ``kind="option"``: one of the choices a flow offered (a service, an office, a time);
    ``article_id`` then carries the option's value, which the client sends back as ``choice``.
    """

    article_id: str
    label: str
    kind: str = "article"


@dataclass(frozen=True)
class Action:
    """Something the resident can do next: call, ask for a human, switch language, rephrase."""

    kind: str
    label: str
    value: str = ""


@dataclass(frozen=True)
class Answer:
    text: str
    language: str
    reason: str  # confident | follow_up | choice | no_match | smalltalk | hours | handoff
    topic: str | None = None
    article_id: str | None = None
    speakable: str = ""
    note: str = ""  # e.g. "this answer is only available in Polish"
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    actions: tuple[Action, ...] = ()
    ask_feedback: bool = False
    score: float | None = None
    type: str = field(default="answer", init=False)


@dataclass(frozen=True)
class Ask:
    text: str
    language: str
    reason: str  # ambiguous | rephrase
    topic: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    actions: tuple[Action, ...] = ()
    score: float | None = None
    type: str = field(default="ask", init=False)


@dataclass(frozen=True)
class Transfer:
    text: str
    language: str
    queue: str
    reason: str  # queued | with_agent | transfer (voice: to the queue's SIP address)
    topic: str | None = None
    position: int | None = None  # place in line
    wait_s: float | None = None  # estimated wait
    type: str = field(default="transfer", init=False)


@dataclass(frozen=True)
class Booked:
    """A visit was booked, moved or cancelled (``reason``: booked | rescheduled | cancelled)."""

    text: str
    language: str
    reason: str
    code: str
    public_id: str
    service: str
    unit: str
    address: str
    start: str  # ISO 8601, UTC
    end: str
    ics_url: str = ""
    topic: str | None = None
    actions: tuple[Action, ...] = ()
    type: str = field(default="booked", init=False)


@dataclass(frozen=True)
class End:
    text: str
    language: str
    reason: str = "goodbye"
    type: str = field(default="end", init=False)


Outcome = Answer | Ask | Transfer | Booked | End
