"""A Qmatic-compatible public appointment API, so existing Qmatic clients can book in kontakt.

It follows the Qmatic Orchestra Calendar public API (v1): lists are wrapped as
``{"branchList": [...], "meta": {...}, "notifications": []}``, dates and times are local to
the branch and carry no time zone, a reservation is a pending hold that ``confirm`` turns
into an appointment. Errors are problem documents that also carry Qmatic's error ``code``.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from kontakt.booking.customer import InvalidCustomer, validate_customer
from kontakt.booking.delivery import send_notice
from kontakt.booking.models import Reservation, Service, Unit
from kontakt.booking.service import BookingError, Bookings
from kontakt.runtime import Runtime
from kontakt.web.deps import get_runtime
from kontakt.web.problems import Problem

PREFIX = "/calendar-backend/public/api/v1"
router = APIRouter(prefix=PREFIX, tags=["booking (Qmatic-compatible)"])
LANGS = ("pl", "uk", "en")


def _check_key(
    request: Request,
    x_api_key: str | None = Header(default=None),
    auth_token: str | None = Header(default=None),
) -> None:
    expected: str = request.app.state.settings.qmatic_api_key
    if not expected:
        return
    given = x_api_key or auth_token or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Problem(401, "a valid X-Api-Key header is required")


@asynccontextmanager
async def _transaction(runtime: Runtime) -> AsyncIterator[Bookings]:
    try:
        async with runtime.transaction() as session:
            yield runtime.bookings(session)
    except BookingError as exc:
        raise Problem(exc.status, exc.detail, extra={"code": exc.code}) from exc


async def bookings(
    runtime: Runtime = Depends(get_runtime), _key: None = Depends(_check_key)
) -> AsyncIterator[Bookings]:
    async with _transaction(runtime) as b:
        yield b


def _lang(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return "pl"


def _meta(total: int, **arguments: str) -> dict[str, Any]:
    return {
        "start": "",
        "end": "",
        "totalResults": total,
        "offset": None,
        "limit": None,
        "fields": "",
        "arguments": arguments,
    }


def branch_json(unit: Unit, lang: str) -> dict[str, Any]:
    street, _, city_line = unit.address.partition(",")
    zip_code, _, city = city_line.strip().partition(" ")
    return {
        "publicId": unit.id,
        "name": unit.name(lang),
        "addressLine1": street.strip(),
        "addressLine2": "",
        "addressZip": zip_code if zip_code[:2].isdigit() else "",
        "addressCity": city,
        "addressState": "",
        "addressCountry": "PL",
        "latitude": None,
        "longitude": None,
        "timeZone": unit.timezone,
        "fullTimeZone": unit.timezone,
        "phone": "",
        "email": "",
        "branchPrefix": unit.id,
        "custom": None,
    }


def service_json(service: Service, lang: str) -> dict[str, Any]:
    return {
        "publicId": service.id,
        "name": service.name(lang),
        "duration": service.duration_min,
        "additionalCustomerDuration": 0,
        "custom": None,
        "active": service.active,
        "publicEnabled": True,
        "created": None,
        "updated": None,
    }


def _local(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M:%S")


STATUS_CODES = {"held": 10, "confirmed": 20, "cancelled": 30, "expired": 40}


async def appointment_json(b: Bookings, r: Reservation, lang: str) -> dict[str, Any]:
    unit, service = await b.unit(r.unit_id), await b.service(r.service_id)
    first, _, last = r.customer_name.partition(" ")
    data: dict[str, Any] = {
        "publicId": r.public_id,
        "status": STATUS_CODES[r.status],
        "title": "Pending reservation" if r.status == "held" else service.name(lang),
        "start": _local(r.start, unit.timezone),
        "end": _local(r.end, unit.timezone),
        "notes": r.notes,
        "created": _local(r.created_at, unit.timezone),
        "updated": None,
        "services": [service_json(service, lang)],
        "branch": branch_json(unit, lang),
        "customers": (
            [{"firstName": first, "lastName": last, "email": r.email, "phone": r.phone}]
            if r.customer_name
            else []
        ),
        "custom": None,
    }
    if r.status == "held" and r.hold_expires_at is not None:
        data["holdExpiresAt"] = r.hold_expires_at.isoformat()
    if r.status == "confirmed":
        # kontakt's short code, which residents use to cancel or move the visit by chat or phone.
        data["confirmationCode"] = r.code
    return data


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Problem(422, f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _clock(value: str) -> time:
    try:
        parsed = time.fromisoformat(value)
    except ValueError as exc:
        raise Problem(422, f"{value!r} is not a time (HH:MM)") from exc
    if len(value) != 5:
        raise Problem(422, f"{value!r} is not a time (HH:MM)")
    return parsed


@router.get("/branches")
async def branches(request: Request, b: Bookings = Depends(bookings)) -> dict[str, Any]:
    lang = _lang(request)
    units = await b.units()
    return {
        "branchList": [branch_json(u, lang) for u in units],
        "meta": _meta(len(units)),
        "notifications": [],
    }


@router.get("/branches/{branch}")
async def branch(branch: str, request: Request, b: Bookings = Depends(bookings)) -> dict[str, Any]:
    return {"branch": branch_json(await b.unit(branch), _lang(request)), "notifications": []}


@router.get("/services")
async def services(request: Request, b: Bookings = Depends(bookings)) -> dict[str, Any]:
    lang = _lang(request)
    items = await b.services()
    return {
        "serviceList": [service_json(s, lang) for s in items],
        "meta": _meta(len(items)),
        "notifications": [],
    }


@router.get("/services/{service}/branches")
async def service_branches(
    service: str, request: Request, b: Bookings = Depends(bookings)
) -> dict[str, Any]:
    lang = _lang(request)
    units = await b.units_for(await b.service(service))
    return {
        "branchList": [branch_json(u, lang) for u in units],
        "meta": _meta(len(units), servicePublicId=service),
        "notifications": [],
    }


@router.get("/branches/{branch}/services")
async def branch_services(
    branch: str, request: Request, b: Bookings = Depends(bookings)
) -> dict[str, Any]:
    lang = _lang(request)
    items = await b.services_at(await b.unit(branch))
    return {
        "serviceList": [service_json(s, lang) for s in items],
        "meta": _meta(len(items), branchPublicId=branch),
        "notifications": [],
    }


@router.get("/branches/{branch}/services/{service}/dates")
async def dates(branch: str, service: str, b: Bookings = Depends(bookings)) -> dict[str, Any]:
    unit, svc = await b.offering(branch, service)
    slots = await b.upcoming(unit, svc)
    tz = ZoneInfo(unit.timezone)
    days = sorted({s.start.astimezone(tz).date() for s in slots})
    return {
        "dates": [f"{d.isoformat()}T00:00:00" for d in days],
        "meta": _meta(len(days), branchPublicId=branch, servicePublicId=service),
        "notifications": [],
    }


@router.get("/branches/{branch}/services/{service}/dates/{day}/times")
async def times(
    branch: str, service: str, day: str, b: Bookings = Depends(bookings)
) -> dict[str, Any]:
    when = _day(day)
    unit, svc = await b.offering(branch, service)
    tz = ZoneInfo(unit.timezone)
    slots = await b.free_slots(unit, svc, when, when)
    found = [s.start.astimezone(tz).strftime("%H:%M") for s in slots]
    return {
        "times": found,
        "meta": _meta(len(found), branchPublicId=branch, servicePublicId=service, date=day),
        "notifications": [],
    }


async def _start(b: Bookings, branch: str, service: str, day: str, hhmm: str) -> datetime:
    when, clock = _day(day), _clock(hhmm)
    unit, _ = await b.offering(branch, service)
    return datetime.combine(when, clock, ZoneInfo(unit.timezone))


@router.post("/branches/{branch}/services/{service}/dates/{day}/times/{hhmm}/reserve")
async def reserve(
    branch: str,
    service: str,
    day: str,
    hhmm: str,
    request: Request,
    b: Bookings = Depends(bookings),
) -> dict[str, Any]:
    start = await _start(b, branch, service, day, hhmm)
    held = await b.hold(branch, service, start, channel="api", language=_lang(request))
    return await appointment_json(b, held, _lang(request))


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    firstName: str = Field(default="", max_length=100)
    lastName: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    identificationNumber: str = Field(default="", max_length=20)


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)
    customer: CustomerIn | None = None
    customers: list[CustomerIn] = Field(default_factory=list, max_length=10)


async def _confirm(b: Bookings, public_id: str, body: ConfirmIn, lang: str) -> dict[str, Any]:
    person = body.customer or (body.customers[0] if body.customers else None)
    if person is None:
        raise Problem(422, "customer: give the customer's name and phone or e-mail")
    try:
        customer = validate_customer(
            f"{person.firstName} {person.lastName}",
            person.phone,
            person.email,
            person.identificationNumber,
            lang=lang,
        )
    except InvalidCustomer as exc:
        raise Problem(422, f"customer.{exc.field}: {exc}", extra={"field": exc.field}) from exc
    confirmed = await b.confirm(public_id, customer, notes=body.notes)
    return await appointment_json(b, confirmed, lang)


@router.post("/branches/appointments/{public_id}/confirm", dependencies=[Depends(_check_key)])
async def confirm(
    public_id: str, body: ConfirmIn, request: Request, runtime: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    async with _transaction(runtime) as b:
        result = await _confirm(b, public_id, body, _lang(request))
    # Only after the commit: a booking that rolled back must never be announced.
    await send_notice(runtime, public_id, "confirmed")
    return result


@router.post(
    "/branches/{branch}/services/{service}/dates/{day}/times/{hhmm}/book",
    dependencies=[Depends(_check_key)],
)
async def book(
    branch: str,
    service: str,
    day: str,
    hhmm: str,
    body: ConfirmIn,
    request: Request,
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Reserve and confirm in one call (Qmatic clients fall back to it when a hold expired)."""
    async with _transaction(runtime) as b:
        start = await _start(b, branch, service, day, hhmm)
        held = await b.hold(branch, service, start, channel="api", language=_lang(request))
        result = await _confirm(b, held.public_id, body, _lang(request))
    await send_notice(runtime, held.public_id, "confirmed")
    return result


@router.get("/appointments/{public_id}")
async def appointment(
    public_id: str, request: Request, b: Bookings = Depends(bookings)
) -> dict[str, Any]:
    found = await b.by_public_id(public_id)
    return {"appointment": await appointment_json(b, found, _lang(request))}


@router.delete("/appointments/{public_id}", status_code=204, dependencies=[Depends(_check_key)])
async def delete_appointment(public_id: str, runtime: Runtime = Depends(get_runtime)) -> Response:
    async with _transaction(runtime) as b:
        found = await b.by_public_id(public_id)
        if found.status not in ("held", "confirmed"):
            raise Problem(404, "no such active appointment", extra={"code": "ERROR_NOT_FOUND"})
        was = found.status
        await b.cancel(found, channel="api", reason="resident")
    if was == "confirmed":
        await send_notice(runtime, public_id, "cancelled")
    return Response(status_code=204)
