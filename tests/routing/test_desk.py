"""The brokers' desk through the real app: handoff, queue, accept, reply, wrap-up, transfer,
overflow, callbacks, roles and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kontakt.clock import FixedClock
from kontakt.events import EventRow
from kontakt.routing.events import ContactCompleted, ContactTransferred
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from tests.routing.conftest import DESK, Staff


async def chat(client: httpx.AsyncClient, cid: str, text: str) -> dict[str, Any]:
    resp = await client.post(f"/api/v1/conversations/{cid}/messages", json={"text": text})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def new_chat(client: httpx.AsyncClient) -> str:
    cid: str = (await client.post("/api/v1/conversations", json={"language": "pl"})).json()["id"]
    return cid


async def test_handoff_accept_reply_and_wrap_up(
    resident: httpx.AsyncClient, staff: dict[str, Staff], chat_runtime: Runtime
) -> None:
    ala, szefowa = staff["ala"], staff["szefowa"]
    cid = await new_chat(resident)
    await chat(resident, cid, "jak zameldować się w Poznaniu")
    queued = await chat(resident, cid, "chcę rozmawiać z konsultantem")
    assert (queued["type"], queued["reason"], queued["position"]) == ("transfer", "queued", 1)
    assert queued["queue"] == "citizen"
    again = await chat(resident, cid, "halo, jest tam ktoś?")
    assert again["reason"] == "queued" and again["position"] == 1

    await ala.post("/me/state", {"state": "available"})
    line = (await ala.get("/queue"))["entries"]
    assert [(e["queue"], e["topic"], e["position"]) for e in line] == [
        ("citizen", "citizen_affairs", 1)
    ]
    entry = line[0]["id"]
    contact = await ala.post(f"/entries/{entry}/accept")
    assert [t["who"] for t in contact["transcript"]][:2] == ["resident", "bot"]
    assert contact["transcript"][0]["text"] == "jak zameldować się w Poznaniu"
    assert (await ala.get("/me"))["state"] == "busy"

    silent = await chat(resident, cid, "dzień dobry, mam pytanie o meldunek dziecka")
    assert (silent["type"], silent["reason"], silent["text"]) == ("transfer", "with_agent", "")
    seen = await ala.get(f"/entries/{entry}")
    assert seen["transcript"][-1] == {**seen["transcript"][-1], "who": "resident"}

    await ala.post(f"/entries/{entry}/reply", {"text": "Dzień dobry, już sprawdzam."})
    updates = (await resident.get(f"/api/v1/conversations/{cid}/updates")).json()
    assert updates["owner"] == "agent"
    assert [m["text"] for m in updates["messages"]] == ["Dzień dobry, już sprawdzam."]
    later = await resident.get(f"/api/v1/conversations/{cid}/updates?after={updates['last']}")
    assert later.json()["messages"] == []

    await ala.post(f"/entries/{entry}/end")
    assert (await ala.get("/me"))["state"] == "wrap_up"
    await ala.post(f"/entries/{entry}/wrap-up", {"code": "no-such-topic"}, status=422)
    await ala.post(f"/entries/{entry}/wrap-up", {"code": "citizen_affairs"})
    assert (await ala.get("/me"))["state"] == "available"
    back = await chat(resident, cid, "jak wyrobić dowód osobisty?")
    assert back["type"] == "answer"

    board = await szefowa.get("/wallboard")
    assert board["today"]["answered"] == 1
    assert board["service_level"]["value"] == 1.0
    async with chat_runtime.transaction() as session:
        done = (
            await session.scalars(select(EventRow).where(EventRow.kind == ContactCompleted.kind))
        ).one()
    assert done.payload["wrap_code"] == "citizen_affairs"


async def test_one_contact_one_agent_and_transfer_keeps_the_place(
    resident: httpx.AsyncClient, staff: dict[str, Staff], clock: FixedClock
) -> None:
    ala, olek = staff["ala"], staff["olek"]
    first = await new_chat(resident)
    await chat(resident, first, "chcę rozmawiać z konsultantem")
    clock.set(clock.now() + timedelta(seconds=30))
    second = await new_chat(resident)
    await chat(resident, second, "poproszę konsultanta")
    for agent in (ala, olek):
        await agent.post("/me/state", {"state": "available"})
    line = (await ala.get("/queue"))["entries"]
    assert [e["position"] for e in line] == [1, 2]
    await ala.post(f"/entries/{line[0]['id']}/accept")
    await olek.post(f"/entries/{line[0]['id']}/accept", status=409)
    await olek.get(f"/entries/{line[1]['id']}")
    await olek.post(f"/entries/{line[0]['id']}/reply", {"text": "x"}, status=403)

    assert line[0]["queue"] == "general"  # no topic yet: the general brokers' queue
    moved = await ala.post(
        f"/entries/{line[0]['id']}/transfer", {"queue": "citizen", "note": "pyta o meldunek"}
    )
    assert moved["queue"] == "citizen"
    assert (await ala.get("/me"))["state"] == "available"
    target = [e for e in (await olek.get("/queue"))["entries"] if e["queue"] == "citizen"]
    assert target[0]["id"] == moved["entry"] and target[0]["note"] == "pyta o meldunek"
    # It keeps its arrival time: still ahead of the contact that came 30 s later.
    assert target[0]["waiting_s"] > line[1]["waiting_s"]
    await ala.post("/entries/" + moved["entry"] + "/transfer", {"queue": "taxes"}, status=403)


async def test_overflow_to_the_general_queue(
    resident: httpx.AsyncClient, staff: dict[str, Staff], clock: FixedClock, chat_runtime: Runtime
) -> None:
    cid = await new_chat(resident)
    await chat(resident, cid, "jak zameldować się w Poznaniu")
    await chat(resident, cid, "chcę rozmawiać z konsultantem")
    clock.set(clock.now() + timedelta(seconds=119))
    async with chat_runtime.transaction() as session:
        assert await Desk(session, clock).overflow() == 0  # the server runs this every 5 s
    clock.set(clock.now() + timedelta(seconds=2))
    async with chat_runtime.transaction() as session:
        assert await Desk(session, clock).overflow() == 1
    line = (await staff["ala"].get("/queue"))["entries"]
    assert [e["queue"] for e in line] == ["general"]
    async with chat_runtime.transaction() as session:
        moved = (
            await session.scalars(select(EventRow).where(EventRow.kind == ContactTransferred.kind))
        ).one()
    assert (moved.payload["from_queue"], moved.payload["by"]) == ("citizen", "overflow")


async def test_callback_left_at_night_waits_for_opening_and_keeps_its_place(
    resident: httpx.AsyncClient, staff: dict[str, Staff], clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 26, 22, 0, tzinfo=UTC))  # Thursday 23:00 in Poznań
    night = await new_chat(resident)
    await chat(resident, night, "chcę rozmawiać z konsultantem")
    done = await chat(resident, night, "601 234 567, najlepiej rano")
    assert done["reason"] == "callback_registered"
    twice = await new_chat(resident)
    await chat(resident, twice, "chcę rozmawiać z konsultantem")
    assert "+48601234567" not in (await chat(resident, twice, "+48 601 234 567"))["text"]
    assert (await staff["ala"].get("/queue"))["entries"] == []  # not before opening

    clock.set(datetime(2026, 11, 27, 6, 40, tzinfo=UTC))  # Friday 7:40, the office is open
    morning = await new_chat(resident)
    await chat(resident, morning, "chcę rozmawiać z konsultantem")
    line = (await staff["ala"].get("/queue"))["entries"]
    assert [e["kind"] for e in line] == ["callback", "chat"]
    assert line[0]["callback_phone"] == "+48601234567"
    assert line[0]["callback_when"] == "601 234 567, najlepiej rano"


DESK_ROUTES = [
    ("GET", "/me"), ("POST", "/me/state"), ("GET", "/queue"),
    ("POST", f"/entries/{'0' * 32}/accept"), ("GET", f"/entries/{'0' * 32}"),
    ("POST", f"/entries/{'0' * 32}/reply"), ("POST", f"/entries/{'0' * 32}/transfer"),
    ("POST", f"/entries/{'0' * 32}/end"), ("POST", f"/entries/{'0' * 32}/wrap-up"),
    ("GET", "/search?q=dowod"), ("GET", "/glossary"), ("GET", "/wallboard"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), DESK_ROUTES)
async def test_every_desk_route_needs_a_login(
    resident: httpx.AsyncClient, method: str, path: str
) -> None:
    resp = await resident.request(method, DESK + path, json={})
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"


async def test_roles_and_csrf(staff: dict[str, Staff]) -> None:
    ala = staff["ala"]
    forbidden = await ala.client.get(f"{DESK}/wallboard")
    assert forbidden.status_code == 403
    no_token = await ala.client.post(f"{DESK}/me/state", json={"state": "available"})
    assert no_token.status_code == 403
    wrong = await ala.client.post(
        f"{DESK}/me/state", json={"state": "available"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    assert (await ala.get("/me"))["state"] == "offline"
    await ala.post("/me/state", {"state": "busy"}, status=422)
    admin_page = await ala.client.get("/admin/articles")
    assert admin_page.status_code == 403


async def test_search_and_glossary_for_agents(staff: dict[str, Staff]) -> None:
    ala = staff["ala"]
    hits = (await ala.get("/search?q=jak+zameldować+się&lang=pl"))["results"]
    assert hits[0]["article_id"] == "zameldowanie" and hits[0]["answer"]
    terms = await ala.get("/glossary?q=zameldowanie")
    assert all("zameldowanie" in " ".join(t.values()).lower() for t in terms["terms"])
