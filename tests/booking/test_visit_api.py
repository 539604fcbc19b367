"""Residents find, cancel and move their visit with the code and their phone's last digits."""

from __future__ import annotations

import httpx
import pytest

from tests.booking.test_qmatic_api import API, PERSON, problem

VISITS = "/api/v1/bookings"


async def _book(client: httpx.AsyncClient, day: str = "2026-11-26", hhmm: str = "10:00") -> dict:
    resp = await client.post(
        f"{API}/branches/branch-a/services/single/dates/{day}/times/{hhmm}/book",
        json={"customer": PERSON},
    )
    assert resp.status_code == 200, resp.text
    body: dict = resp.json()
    return body


async def test_find_cancel_and_calendar(booking_client: httpx.AsyncClient) -> None:
    visit = await _book(booking_client)
    key = {"code": visit["confirmationCode"].lower(), "phone_digits": "4567"}
    found = await booking_client.post(f"{VISITS}/find", json=key)
    assert found.status_code == 200, found.text
    assert found.json()["start"] == "2026-11-26T09:00:00Z"
    ics = await booking_client.get(found.json()["ics_url"])
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
    assert ics.headers["content-type"].startswith("text/calendar")

    cancelled = await booking_client.post(f"{VISITS}/cancel", json=key)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    problem(await booking_client.post(f"{VISITS}/cancel", json=key), 404)
    calendar = await booking_client.get(found.json()["ics_url"])
    assert "METHOD:CANCEL" in calendar.text


@pytest.mark.parametrize(
    "key",
    [
        {"code": "KKKKKK", "phone_digits": "4567"},  # wrong code
        {"code": "<code>", "phone_digits": "9999"},  # wrong phone ending
        {"code": "<code>", "phone_digits": "67"},  # too few digits to tell
    ],
)
async def test_wrong_code_or_phone_is_404_and_changes_nothing(
    booking_client: httpx.AsyncClient, key: dict[str, str]
) -> None:
    visit = await _book(booking_client)
    key = {k: v.replace("<code>", visit["confirmationCode"]) for k, v in key.items()}
    status = 422 if len(key["phone_digits"]) < 3 else 404
    problem(await booking_client.post(f"{VISITS}/cancel", json=key), status)
    still = await booking_client.get(f"{API}/appointments/{visit['publicId']}")
    assert still.json()["appointment"]["status"] == 20


async def test_reschedule(booking_client: httpx.AsyncClient) -> None:
    visit = await _book(booking_client)
    other = await _book(booking_client, hhmm="11:00")
    key = {"code": visit["confirmationCode"], "phone_digits": "601234567"}
    taken = await booking_client.post(
        f"{VISITS}/reschedule", json={**key, "start": "2026-11-26T11:00:00+01:00"}
    )
    assert problem(taken, 409)["code"] == "ERROR_CANNOT_BE_RESERVED"
    closed = await booking_client.post(
        f"{VISITS}/reschedule", json={**key, "start": "2026-11-28T11:00:00+01:00"}
    )
    problem(closed, 422)
    naive = await booking_client.post(
        f"{VISITS}/reschedule", json={**key, "start": "2026-11-27T11:00:00"}
    )
    problem(naive, 422)
    moved = await booking_client.post(
        f"{VISITS}/reschedule", json={**key, "start": "2026-11-27T11:00:00+01:00"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["code"] != visit["confirmationCode"]
    assert moved.json()["start"] == "2026-11-27T10:00:00Z"
    old = await booking_client.get(f"{API}/appointments/{visit['publicId']}")
    assert old.json()["appointment"]["status"] == 30
    assert other["publicId"] != moved.json()["public_id"]


@pytest.mark.parametrize(
    "body",
    [b"{", b'{"code": "ABCDEF"}', b'{"code": "ABCDEF", "phone_digits": "123", "x": 1}'],
)
async def test_malformed_requests(booking_client: httpx.AsyncClient, body: bytes) -> None:
    resp = await booking_client.post(
        f"{VISITS}/find", content=body, headers={"content-type": "application/json"}
    )
    assert resp.status_code in (400, 422)
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_unknown_calendar_file(booking_client: httpx.AsyncClient) -> None:
    problem(await booking_client.get(f"{VISITS}/{'0' * 32}.ics"), 404)
    problem(await booking_client.get(f"{VISITS}/..%2Fetc.ics"), 404)
