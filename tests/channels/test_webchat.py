"""The chat API through the real app, on a copy of the full knowledge base."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from kontakt.clock import FixedClock
from kontakt.events import EventRow
from kontakt.runtime import Runtime

PROBLEM = "application/problem+json"


async def start(client: httpx.AsyncClient, language: str = "pl") -> str:
    response = await client.post("/api/v1/conversations", json={"language": language})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def say(client: httpx.AsyncClient, cid: str, text: str, **extra: object) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": text, **extra}
    )
    assert response.status_code == 200, response.text
    data: dict = response.json()  # type: ignore[type-arg]
    return data


async def test_polish_registration_question_cites_citizen_affairs(
    chat_client: httpx.AsyncClient,
) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "jak zameldować się w Poznaniu")
    assert (reply["type"], reply["language"], reply["topic"]) == ("answer", "pl", "citizen_affairs")
    assert reply["citations"][0]["article_id"] == "zameldowanie"
    assert reply["citations"][0]["url"].startswith("https://")
    assert reply["ask_feedback"] is True


async def test_ukrainian_waste_question_is_answered_in_ukrainian(
    chat_client: httpx.AsyncClient,
) -> None:
    cid = await start(chat_client, "uk")
    reply = await say(chat_client, cid, "коли вивозять сміття з мого будинку?")
    assert (reply["language"], reply["topic"]) == ("uk", "waste")
    assert re.search(r"[іїєґ]", reply["text"])
    assert reply["note"] == ""


async def test_english_question_finds_a_polish_only_article(
    chat_client: httpx.AsyncClient,
) -> None:
    cid = await start(chat_client, "en")
    reply = await say(chat_client, cid, "How do I register a car I bought from a dealer in Poland?")
    found = (
        [reply["article_id"]]
        if reply["type"] == "answer"
        else [s["article_id"] for s in reply["suggestions"]]
    )
    assert reply["language"] == "en"
    assert found[0] == "rejestracja-samochodu-kupionego-w-polsce"


async def test_polish_only_answer_in_english_conversation_says_so(
    chat_client: httpx.AsyncClient,
) -> None:
    cid = await start(chat_client, "en")
    reply = await say(
        chat_client, cid, "Car registration", choice="rejestracja-samochodu-kupionego-w-polsce"
    )
    assert (reply["language"], reply["topic"]) == ("en", "driving_vehicles")
    assert reply["note"] == "This answer is available only in Polish."


async def test_russian_gets_ukrainian_with_an_offer_to_switch(
    chat_client: httpx.AsyncClient,
) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "когда вывозят мусор из моего дома?")
    assert reply["language"] == "uk"
    assert "Відповідаємо українською" in reply["note"] + reply["text"]
    assert {a["value"] for a in reply["actions"] if a["kind"] == "language"} == {"pl", "en"}


async def test_follow_up_keeps_the_context(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    first = await say(chat_client, cid, "jak wyrobić nowy dowód osobisty?")
    second = await say(chat_client, cid, "a ile to kosztuje?")
    assert first["article_id"] == "dowod-osobisty-wniosek"
    assert (second["reason"], second["article_id"]) == ("follow_up", "dowod-osobisty-wniosek")


async def test_no_match_is_honest_and_gives_the_phone(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "kto wygrał wczoraj mecz Lecha Poznań?")
    assert (reply["type"], reply["reason"]) == ("answer", "no_match")
    assert "61 646 33 44" in reply["text"]
    assert "7:30–20:00" in reply["text"]
    assert reply["citations"] == []
    assert {a["kind"] for a in reply["actions"]} == {"call", "human"}


async def test_asking_for_a_human_when_closed_offers_a_callback(
    chat_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # a Saturday
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "chcę rozmawiać z konsultantem")
    assert reply["reason"] == "callback_phone"
    assert "61 646 33 44" in reply["text"]
    assert "poniedziałek 30.11, 07:30" in reply["text"]
    wrong = await say(chat_client, cid, "123")
    assert wrong["reason"] == "callback_phone"
    done = await say(chat_client, cid, "proszę dzwonić na 601 234 567 po 10")
    assert done["reason"] == "callback_registered"
    assert "+48601234567" in done["text"]
    # Asking again, even in a new conversation, never queues the same phone twice.
    other = await start(chat_client)
    await say(chat_client, other, "chcę rozmawiać z człowiekiem")
    again = await say(chat_client, other, "601-234-567")
    assert again["reason"] == "callback_registered"
    assert "+48601234567" not in again["text"]


async def test_office_hours_while_open(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "w jakich godzinach pracy jest infolinia?")
    assert reply["reason"] == "hours"
    assert "Konsultanci są teraz dostępni, do godziny 20:00." in reply["text"]


async def test_choosing_a_suggestion_answers_that_article(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "karta", choice="karta-duzej-rodziny")
    assert (reply["reason"], reply["article_id"]) == ("choice", "karta-duzej-rodziny")


async def test_language_switch_is_used_for_short_messages(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    switched = await chat_client.post(
        f"/api/v1/conversations/{cid}/language", json={"language": "en"}
    )
    reply = await say(chat_client, cid, "800+")
    assert switched.status_code == 204
    assert reply["language"] == "en"


async def test_conversation_is_read_back_from_events(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    await say(chat_client, cid, "jak zameldować się w Poznaniu")
    data = (await chat_client.get(f"/api/v1/conversations/{cid}")).json()
    assert data["topic"] == "citizen_affairs"
    assert [t["text"] for t in data["turns"]] == ["jak zameldować się w Poznaniu"]
    assert data["turns"][0]["reply"]["article_id"] == "zameldowanie"


async def test_retry_with_the_same_client_id_is_not_stored_twice(
    chat_client: httpx.AsyncClient, chat_runtime: Runtime
) -> None:
    cid = await start(chat_client)
    first = await say(chat_client, cid, "gdzie oddać stary telewizor", client_id="m-1")
    again = await say(chat_client, cid, "gdzie oddać stary telewizor", client_id="m-1")
    async with chat_runtime.transaction() as session:
        stored = await session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.kind == "message_received")
        )
    assert first == again
    assert stored == 1


async def test_feedback_once_per_answer(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "jak zameldować się w Poznaniu")
    url = f"/api/v1/conversations/{cid}/feedback"
    ok = await chat_client.post(url, json={"article_id": reply["article_id"], "helpful": True})
    twice = await chat_client.post(url, json={"article_id": reply["article_id"], "helpful": False})
    other = await chat_client.post(url, json={"article_id": "becikowe", "helpful": True})
    assert (ok.status_code, twice.status_code, other.status_code) == (204, 409, 422)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "   "}, 422),
        ({"text": "x" * 10_000}, 422),
        ({"text": 5}, 422),
        ({"txt": "hej"}, 422),
    ],
)
async def test_bad_messages_get_a_problem(
    chat_client: httpx.AsyncClient,
    chat_runtime: Runtime,
    body: dict,
    status: int,  # type: ignore[type-arg]
) -> None:
    cid = await start(chat_client)
    response = await chat_client.post(f"/api/v1/conversations/{cid}/messages", json=body)
    async with chat_runtime.transaction() as session:
        stored = await session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.kind == "message_received")
        )
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
    assert response.json()["detail"]
    assert stored == 0


async def test_too_long_message_says_the_limit(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    response = await chat_client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": "x" * 10_000}
    )
    assert response.json()["detail"] == "text: the message has 10000 characters; the limit is 2000"


async def test_invalid_json_and_utf8(chat_client: httpx.AsyncClient) -> None:
    cid = await start(chat_client)
    url = f"/api/v1/conversations/{cid}/messages"
    headers = {"content-type": "application/json"}
    broken = await chat_client.post(url, content=b'{"text": "hej"', headers=headers)
    latin = await chat_client.post(
        url, content='{"text": "żółw"}'.encode("iso-8859-2"), headers=headers
    )
    assert (broken.status_code, broken.headers["content-type"]) == (400, PROBLEM)
    assert latin.status_code in (400, 422)
    assert latin.headers["content-type"] == PROBLEM


async def test_unknown_and_malformed_conversation_ids(chat_client: httpx.AsyncClient) -> None:
    unknown = await chat_client.post(
        "/api/v1/conversations/1b4e28ba-2fa1-11d2-883f-0016d3cca427/messages", json={"text": "hej"}
    )
    malformed = await chat_client.get("/api/v1/conversations/nie-uuid")
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "no such conversation")
    assert (malformed.status_code, malformed.headers["content-type"]) == (422, PROBLEM)


async def test_script_in_a_message_is_stored_as_text(
    chat_client: httpx.AsyncClient, chat_runtime: Runtime
) -> None:
    cid = await start(chat_client)
    reply = await say(chat_client, cid, "<script>alert(1)</script>")
    data = (await chat_client.get(f"/api/v1/conversations/{cid}")).json()
    assert "<script>" not in reply["text"]
    assert data["turns"][0]["text"] == "<script>alert(1)</script>"


async def test_rate_limit_per_client(chat_client: httpx.AsyncClient) -> None:
    statuses = [
        (await chat_client.post("/api/v1/conversations", json={})).status_code for _ in range(25)
    ]
    limited = await chat_client.post("/api/v1/conversations", json={})
    assert statuses[:20] == [201] * 20
    assert limited.status_code == 429
    assert limited.headers["content-type"] == PROBLEM
    assert int(limited.headers["retry-after"]) >= 1
