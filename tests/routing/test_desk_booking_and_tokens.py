"""Booking for a resident from the desk, and API tokens for integrations."""

from __future__ import annotations

import httpx

from kontakt.runtime import Runtime
from kontakt.users.service import issue_token
from tests.routing.conftest import DESK, Staff


async def test_agent_books_a_visit_for_the_resident(staff: dict[str, Staff]) -> None:
    ala = staff["ala"]
    services = (await ala.get("/booking/services"))["services"]
    card = next(s for s in services if s["id"] == "large-family-card")
    unit = card["units"][0]["id"]
    slots = (await ala.get(f"/booking/slots?service=large-family-card&unit={unit}"))["slots"]
    assert slots and slots[0]["free"] >= 1
    body = {"service": "large-family-card", "unit": unit, "start": slots[0]["start"],
            "name": "Anna Nowak", "phone": "601 234 567"}  # fmt: skip
    booked = await ala.post("/booking", body)
    assert len(booked["code"]) == 6
    await ala.post("/booking", {**body, "phone": "12"}, status=422)
    day = slots[0]["start"][:10]
    after = await ala.get(f"/booking/slots?service=large-family-card&unit={unit}&day={day}")
    first = next(x for x in after["slots"] if x["start"] == slots[0]["start"])
    assert first["free"] == slots[0]["free"] - 1
    await ala.post("/booking", {**body, "unit": "nowhere"}, status=404)


async def test_api_token_acts_as_its_user_without_csrf(
    resident: httpx.AsyncClient, chat_runtime: Runtime
) -> None:
    async with chat_runtime.transaction() as session:
        token = await issue_token(session, "ala", "crm", actor="t", clock=chat_runtime.clock)
    auth = {"Authorization": f"Bearer {token}"}
    me = await resident.get(f"{DESK}/me", headers=auth)
    assert me.status_code == 200 and me.json()["name"] == "ala"
    state = await resident.post(f"{DESK}/me/state", json={"state": "available"}, headers=auth)
    assert state.status_code == 200
    wrong = await resident.get(f"{DESK}/me", headers={"Authorization": "Bearer kt_nope"})
    assert wrong.status_code == 401
    board = await resident.get(f"{DESK}/wallboard", headers=auth)
    assert board.status_code == 403  # an agent's token cannot do a supervisor's work
