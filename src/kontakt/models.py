"""Imports every table module so that ``metadata`` is complete (for Alembic and tests)."""

from kontakt.benefits.models import BenefitPayment
from kontakt.booking.models import Closure, Reservation, Service, Unit
from kontakt.conversations.models import Conversation
from kontakt.db import Base
from kontakt.events import EventRow
from kontakt.knowledge.models import Article, ArticleText, ArticleVersion
from kontakt.reports.kpi_facts import KpiFact
from kontakt.routing.models import Agent, Queue, QueueEntry
from kontakt.topics.models import OrgUnit, Topic
from kontakt.users.models import ApiToken, User

metadata = Base.metadata

__all__ = [
    "Agent",
    "ApiToken",
    "Article",
    "ArticleText",
    "ArticleVersion",
    "BenefitPayment",
    "Closure",
    "Conversation",
    "EventRow",
    "KpiFact",
    "OrgUnit",
    "Queue",
    "QueueEntry",
    "Reservation",
    "Service",
    "Topic",
    "Unit",
    "User",
    "metadata",
]
