"""The Qmatic-compatible public API, through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from kontakt.booking.events import BookingConfirmed, BookingHeld
from kontakt.booking.models import Reservation
from kontakt.clock import FixedClock
from kontakt.events import read
from kontakt.runtime import Runtime

API = "/calendar-backend/public/api/v1"
PERSON = {"firstName": "Anna", "lastName": "Nowak", "phone": "601 234 567"}


async def times_of(client: httpx.AsyncClient, service: str, day: str) -> list[str]:
    resp = await client.get(f"{API}/branches/branch-a/services/{service}/dates/{day}/times")
    assert resp.status_code == 200, resp.text
    found: list[str] = resp.json()["times"]
    return found


def problem(resp: httpx.Response, status: int) -> dict[str, object]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = resp.json()
    assert body["status"] == status
    return body


async def test_catalog_endpoints(booking_client: httpx.AsyncClient) -> None:
    branches = (await booking_client.get(f"{API}/branches")).json()
    assert [b["publicId"] for b in branches["branchList"]] == ["branch-a", "branch-b"]
    assert branches["meta"]["totalResults"] == 2
    first = branches["branchList"][0]
    assert first["timeZone"] == "Europe/Warsaw"
    assert first["addressLine1"] == "ul. Przykładowa 1"
    assert first["addressZip"] == "61-001"
    services = (await booking_client.get(f"{API}/services")).json()["serviceList"]
    assert {s["publicId"]: s["duration"] for s in services} == {"single": 15, "triple": 30}
    at_b = (await booking_client.get(f"{API}/branches/branch-b/services")).json()
    assert [s["publicId"] for s in at_b["serviceList"]] == ["single"]
    offering = (await booking_client.get(f"{API}/services/triple/branches")).json()
    assert [b["publicId"] for b in offering["branchList"]] == ["branch-a"]
    english = await booking_client.get(f"{API}/services", headers={"Accept-Language": "en"})
    assert english.json()["serviceList"][0]["name"] == "One counter"


async def test_dates_and_times_follow_hours_closures_and_notice(
    booking_client: httpx.AsyncClient,
) -> None:
    dates = (await booking_client.get(f"{API}/branches/branch-a/services/single/dates")).json()
    days = [d[:10] for d in dates["dates"]]
    # Wednesday 25 Nov from 13:00 (an hour's notice), never the weekend, never the closure
    # on 2 Dec, never past 30 days.
    assert days[0] == "2026-11-25"
    assert "2026-11-28" not in days and "2026-11-29" not in days
    assert "2026-12-02" not in days
    assert days[-1] <= "2026-12-25"
    # Christmas Eve has been a public holiday in Poland since 2025.
    assert "2026-12-23" in days and "2026-12-24" not in days
    today = (
        await booking_client.get(f"{API}/branches/branch-a/services/single/dates/2026-11-25/times")
    ).json()
    assert today["times"][0] == "13:00" and today["times"][-1] == "15:45"
    tuesday = (
        await booking_client.get(f"{API}/branches/branch-a/services/triple/dates/2026-12-01/times")
    ).json()
    assert tuesday["times"][0] == "08:00" and tuesday["times"][-1] == "17:30"
    assert len(tuesday["times"]) == 20
    closed = (
        await booking_client.get(f"{API}/branches/branch-a/services/single/dates/2026-12-02/times")
    ).json()
    assert closed["times"] == []


async def test_reserve_confirm_get_cancel(
    booking_client: httpx.AsyncClient, booking_runtime: Runtime
) -> None:
    held = await booking_client.post(
        f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/09:15/reserve"
    )
    assert held.status_code == 200, held.text
    pending = held.json()
    assert pending["status"] == 10 and pending["title"] == "Pending reservation"
    assert pending["start"] == "2026-11-26T09:15:00" and pending["end"] == "2026-11-26T09:30:00"
    assert "confirmationCode" not in pending
    times = (
        await booking_client.get(f"{API}/branches/branch-a/services/single/dates/2026-11-26/times")
    ).json()
    assert "09:15" not in times["times"]

    confirmed = await booking_client.post(
        f"{API}/branches/appointments/{pending['publicId']}/confirm",
        json={"customer": {**PERSON, "email": "anna@example.org"}, "notes": "wózek"},
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == 20
    code = body["confirmationCode"]
    assert len(code) == 6 and not set(code) & set("0O1IL2Z5S8B6G")
    assert body["customers"][0]["phone"] == "+48601234567"

    got = (await booking_client.get(f"{API}/appointments/{pending['publicId']}")).json()
    assert got["appointment"]["confirmationCode"] == code
    again = await booking_client.post(
        f"{API}/branches/appointments/{pending['publicId']}/confirm", json={"customer": PERSON}
    )
    assert problem(again, 409)["code"] == "ERROR_CONFLICT"

    deleted = await booking_client.delete(f"{API}/appointments/{pending['publicId']}")
    assert deleted.status_code == 204
    problem(await booking_client.delete(f"{API}/appointments/{pending['publicId']}"), 404)
    times = (
        await booking_client.get(f"{API}/branches/branch-a/services/single/dates/2026-11-26/times")
    ).json()
    assert "09:15" in times["times"]

    async with booking_runtime.transaction() as session:
        kinds = [r.kind for r in await read(session)]
    assert kinds.count(BookingHeld.kind) == 1 and kinds.count(BookingConfirmed.kind) == 1
    assert kinds[-1] == "booking_cancelled"


async def test_book_directly(booking_client: httpx.AsyncClient) -> None:
    resp = await booking_client.post(
        f"{API}/branches/branch-b/services/single/dates/2026-11-28/times/09:00/book",
        json={"customers": [PERSON]},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == 20


async def test_hold_expires_and_frees_the_slot(
    booking_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    url = f"{API}/branches/branch-a/services/single/dates/2026-11-27/times/10:00/reserve"
    first = (await booking_client.post(url)).json()
    problem(await booking_client.post(url), 409)
    clock.set(clock.now() + timedelta(minutes=11))
    late = await booking_client.post(
        f"{API}/branches/appointments/{first['publicId']}/confirm", json={"customer": PERSON}
    )
    assert "expired" in str(problem(late, 409)["detail"])
    second = await booking_client.post(url)
    assert second.status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/branches/nowhere/services/single/dates", 404),
        ("/branches/branch-a/services/nothing/dates", 404),
        ("/branches/branch-b/services/triple/dates", 404),
        ("/branches/branch-a/services/single/dates/2026-13-01/times", 422),
        ("/branches/branch-a/services/single/dates/jutro/times", 422),
        ("/appointments/deadbeef", 404),
    ],
)
async def test_unknown_things_are_clear_4xx(
    booking_client: httpx.AsyncClient, path: str, status: int
) -> None:
    problem(await booking_client.get(API + path), status)


@pytest.mark.parametrize(
    ("day", "hhmm"),
    [
        ("2026-11-26", "07:00"),  # before opening
        ("2026-11-26", "16:00"),  # closing time: no slot starts there
        ("2026-11-26", "09:10"),  # off the 15-minute grid
        ("2026-11-28", "10:00"),  # Saturday, closed
        ("2026-12-02", "10:00"),  # ad-hoc closure
        ("2026-11-25", "12:15"),  # within the hour's notice
        ("2026-11-20", "10:00"),  # in the past
        ("2027-03-01", "10:00"),  # beyond the booking window
        ("2026-11-26", "25:00"),
        ("2026-11-26", "9:00"),
    ],
)
async def test_times_outside_opening_hours_are_refused(
    booking_client: httpx.AsyncClient, booking_runtime: Runtime, day: str, hhmm: str
) -> None:
    resp = await booking_client.post(
        f"{API}/branches/branch-a/services/single/dates/{day}/times/{hhmm}/reserve"
    )
    problem(resp, 422)
    async with booking_runtime.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Reservation)) == 0


@pytest.mark.parametrize(
    ("customer", "field"),
    [
        ({"firstName": "Anna", "lastName": "Nowak", "phone": "123"}, "phone"),
        ({"firstName": "Anna", "lastName": "Nowak"}, "phone"),
        ({**PERSON, "identificationNumber": "92010112346"}, "pesel"),
        ({**PERSON, "email": "not-an-address"}, "email"),
        ({"firstName": "<script>", "lastName": "", "phone": "601234567"}, "name"),
    ],
)
async def test_invalid_customer_leaves_the_hold_unconfirmed(
    booking_client: httpx.AsyncClient, customer: dict[str, str], field: str
) -> None:
    held = (
        await booking_client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/11:00/reserve"
        )
    ).json()
    resp = await booking_client.post(
        f"{API}/branches/appointments/{held['publicId']}/confirm", json={"customer": customer}
    )
    assert problem(resp, 422)["field"] == field
    status = (await booking_client.get(f"{API}/appointments/{held['publicId']}")).json()
    assert status["appointment"]["status"] == 10


async def test_valid_pesel_is_accepted(booking_client: httpx.AsyncClient) -> None:
    resp = await booking_client.post(
        f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/11:30/book",
        json={"customer": {**PERSON, "identificationNumber": "44051401359"}},
    )
    assert resp.status_code == 200, resp.text


async def test_malformed_confirm_body(booking_client: httpx.AsyncClient) -> None:
    held = (
        await booking_client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/12:00/reserve"
        )
    ).json()
    url = f"{API}/branches/appointments/{held['publicId']}/confirm"
    problem(
        await booking_client.post(
            url, content=b"{not json", headers={"content-type": "application/json"}
        ),
        400,
    )
    problem(await booking_client.post(url, json={}), 422)
    problem(await booking_client.post(url, json={"customer": {"firstName": "x" * 500}}), 422)


async def _reserve_and_confirm(client: httpx.AsyncClient, service: str, i: int) -> int:
    resp = await client.post(
        f"{API}/branches/branch-a/services/{service}/dates/2026-11-30/times/10:00/reserve"
    )
    if resp.status_code != 200:
        assert resp.status_code == 409, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        return resp.status_code
    person = {"firstName": "Jan", "lastName": f"Kowalski{chr(97 + i % 26)}", "phone": "601234567"}
    confirm = await client.post(
        f"{API}/branches/appointments/{resp.json()['publicId']}/confirm",
        json={"customer": person},
    )
    return confirm.status_code


@pytest.mark.parametrize(("service", "capacity"), [("single", 1), ("triple", 3)])
async def test_no_double_booking_under_100_concurrent_attempts(
    booking_client: httpx.AsyncClient, booking_runtime: Runtime, service: str, capacity: int
) -> None:
    results = await asyncio.gather(
        *(_reserve_and_confirm(booking_client, service, i) for i in range(100))
    )
    assert results.count(200) == capacity
    assert results.count(409) == 100 - capacity
    async with booking_runtime.transaction() as session:
        live = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.status == "confirmed", Reservation.service_id == service)
        )
    assert live == capacity


async def test_100_concurrent_confirms_of_one_hold(booking_client: httpx.AsyncClient) -> None:
    held = (
        await booking_client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-30/times/11:00/reserve"
        )
    ).json()
    url = f"{API}/branches/appointments/{held['publicId']}/confirm"
    results = await asyncio.gather(
        *(booking_client.post(url, json={"customer": PERSON}) for _ in range(100))
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1 and statuses.count(409) == 99
    codes = {r.json()["confirmationCode"] for r in results if r.status_code == 200}
    assert len(codes) == 1


async def test_api_key_when_configured(booking_runtime: Runtime) -> None:
    from kontakt.app import create_app

    settings = booking_runtime.settings.model_copy(update={"qmatic_api_key": "s3cret"})
    app = create_app(settings, runtime=booking_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        problem(await client.get(f"{API}/branches"), 401)
        problem(await client.get(f"{API}/branches", headers={"X-Api-Key": "wrong"}), 401)
        ok = await client.get(f"{API}/branches", headers={"X-Api-Key": "s3cret"})
        assert ok.status_code == 200
