"""Chatbot analytics from events: visits, questions, answers, votes and unanswered questions.

A visit is a web conversation started from the widget (the seed counts 61,367 portal visits
in 2021). Only web conversations count; CLI and desk conversations are not visits.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.conversations.events import (
    BotReplied,
    ConversationStarted,
    FeedbackGiven,
    MessageReceived,
)
from kontakt.events import EventRow

WARSAW = ZoneInfo("Europe/Warsaw")
ANSWERED = {"confident", "follow_up", "choice"}


@dataclass
class ChatbotReport:
    start: date
    end: date
    visits_per_quarter: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    questions: int = 0
    answered: int = 0
    clarified: int = 0
    unanswered: int = 0
    helpful: int = 0
    unhelpful: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    top_articles: list[tuple[str, int]] = field(default_factory=list)
    top_questions: list[tuple[str, int]] = field(default_factory=list)
    unanswered_questions: list[tuple[str, int]] = field(default_factory=list)


def _quarter(at: datetime) -> str:
    local = at.astimezone(WARSAW)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local calendar days, inclusive of ``end``."""
    return (
        datetime.combine(start, time(0), WARSAW),
        datetime.combine(end + timedelta(days=1), time(0), WARSAW),
    )


def _normal(text: str) -> str:
    return " ".join(text.lower().split()).strip(" ?!.")


async def chatbot_report(
    session: AsyncSession, start: date, end: date, *, top: int = 10
) -> ChatbotReport:
    lo, hi = day_bounds(start, end)
    kinds = [ConversationStarted.kind, MessageReceived.kind, BotReplied.kind, FeedbackGiven.kind]
    rows = (
        await session.scalars(
            select(EventRow)
            .where(EventRow.kind.in_(kinds), EventRow.at >= lo, EventRow.at < hi)
            .order_by(EventRow.id)
        )
    ).all()
    report = ChatbotReport(start, end)
    web: set[uuid.UUID] = set()
    quarters: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    articles: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    last_question: dict[uuid.UUID, str] = {}
    for row in rows:
        cid, p = row.conversation_id, row.payload
        if row.kind == ConversationStarted.kind:
            if p.get("channel") == "web" and cid is not None:
                web.add(cid)
                quarters[_quarter(row.at)] += 1
            continue
        if cid not in web:
            continue
        if row.kind == MessageReceived.kind:
            report.questions += 1
            langs[p["language"]] += 1
            last_question[cid] = p["text"]
        elif row.kind == BotReplied.kind:
            text = last_question.get(cid, "")
            if p["reason"] in ANSWERED:
                report.answered += 1
                if p.get("article_id"):
                    articles[p["article_id"]] += 1
                if p["reason"] != "choice" and text:
                    questions[_normal(text)] += 1
            elif p["reason"] == "ambiguous":
                report.clarified += 1
            elif p["reason"] == "no_match":
                report.unanswered += 1
                if text:
                    unanswered[_normal(text)] += 1
        elif row.kind == FeedbackGiven.kind:
            if p["helpful"]:
                report.helpful += 1
            else:
                report.unhelpful += 1
    report.visits = len(web)
    report.visits_per_quarter = dict(sorted(quarters.items()))
    report.by_language = dict(langs.most_common())
    report.top_articles = articles.most_common(top)
    report.top_questions = questions.most_common(top)
    report.unanswered_questions = unanswered.most_common(top)
    return report
