"""Everything ``handle_turn`` needs, passed in explicitly (no globals, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.backend import BookingBackend
from kontakt.clock import Clock
from kontakt.dialogue.policy import TUNED_POLICY, Policy
from kontakt.i18n import Translations
from kontakt.knowledge.search import SearchIndex
from kontakt.nlu.language import LanguageDetector
from kontakt.nlu.normalize import Normalizer
from kontakt.nlu.when import WhenParser
from kontakt.routing.service import Desk
from kontakt.topics.train import TrainedModel


@dataclass
class DialogueContext:
    session: AsyncSession
    clock: Clock
    index: SearchIndex
    detector: LanguageDetector
    normalizer: Normalizer
    texts: Translations
    phone: str
    policy: Policy = TUNED_POLICY
    topics: TrainedModel | None = None
    # The booking system the booking flow uses; None turns the flow off.
    booking: BookingBackend | None = None
    when_parser: WhenParser = field(default_factory=WhenParser)
    # The brokers' desk for handoffs; None: residents are given the phone number instead.
    desk: Desk | None = None
