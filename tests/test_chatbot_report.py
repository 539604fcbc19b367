"""Chatbot analytics are computed from the events that real chats leave behind."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx

from kontakt.clock import FixedClock
from kontakt.reports.chatbot import chatbot_report
from kontakt.runtime import Runtime


async def _chat(client: httpx.AsyncClient, *texts: str) -> list[dict]:  # type: ignore[type-arg]
    cid = (await client.post("/api/v1/conversations", json={})).json()["id"]
    replies = []
    for text in texts:
        replies.append(
            (await client.post(f"/api/v1/conversations/{cid}/messages", json={"text": text})).json()
        )
    if replies and replies[0].get("article_id"):
        await client.post(
            f"/api/v1/conversations/{cid}/feedback",
            json={"article_id": replies[0]["article_id"], "helpful": True},
        )
    return replies


async def test_visits_questions_votes_and_unanswered(
    chat_client: httpx.AsyncClient, chat_runtime: Runtime, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await _chat(chat_client, "jak zameldować się w Poznaniu")
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    await _chat(chat_client, "jak zameldować się w Poznaniu", "kto wygrał wczoraj mecz Lecha?")
    await _chat(chat_client)
    async with chat_runtime.transaction() as session:
        report = await chatbot_report(session, date(2026, 1, 1), date(2026, 12, 31))
    assert report.visits == 3
    assert report.visits_per_quarter == {"2026-Q1": 1, "2026-Q4": 2}
    assert (report.questions, report.answered, report.unanswered) == (3, 2, 1)
    assert (report.helpful, report.unhelpful) == (2, 0)
    assert report.top_articles == [("zameldowanie", 2)]
    assert report.unanswered_questions == [("kto wygrał wczoraj mecz lecha", 1)]


async def test_period_excludes_other_days(
    chat_client: httpx.AsyncClient, chat_runtime: Runtime, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # 1 July 00:30 in Warsaw (CEST)
    await _chat(chat_client, "jak zameldować się w Poznaniu")
    async with chat_runtime.transaction() as session:
        june = await chatbot_report(session, date(2026, 6, 1), date(2026, 6, 30))
        july = await chatbot_report(session, date(2026, 7, 1), date(2026, 7, 31))
    assert (june.visits, july.visits) == (0, 1)
