"""Booking a visit for the resident from the desk, through the same engine as the bots."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from kontakt.booking.customer import InvalidCustomer, validate_customer
from kontakt.booking.delivery import send_notice
from kontakt.booking.service import BookingError
from kontakt.routing.models import Agent
from kontakt.routing.routes import csrf_header, desk_session
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.web.deps import get_runtime
from kontakt.web.problems import Problem

router = APIRouter(prefix="/api/v1/desk/booking", tags=["desk"])


class DeskBookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(..., max_length=80)
    unit: str = Field(..., max_length=80)
    start: datetime = Field(..., description="The slot's start, with its UTC offset.")
    name: str = Field(..., max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    language: str = Field("pl", pattern="^(pl|uk|en)$")
    entry: uuid.UUID | None = Field(None, description="The contact this booking belongs to.")


@router.get("/services")
async def services(
    d: tuple[Desk, Agent] = Depends(desk_session), runtime: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    desk, _ = d
    b = runtime.bookings(desk.session)
    items = []
    for s in await b.services():
        units = await b.units_for(s)
        items.append({"id": s.id, "name": s.name("pl"), "duration_min": s.duration_min,
                      "units": [{"id": u.id, "name": u.name("pl"), "address": u.address}
                                for u in units]})  # fmt: skip
    return {"services": items}


@router.get("/slots")
async def slots(
    service: str = Query(..., max_length=80),
    unit: str = Query(..., max_length=80),
    day: date | None = Query(None, description="A day; default: the next free times."),
    d: tuple[Desk, Agent] = Depends(desk_session),
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    desk, _ = d
    b = runtime.bookings(desk.session)
    try:
        u, s = await b.offering(unit, service)
        if day is not None:
            found = await b.free_slots(u, s, day, day)
        else:
            found = (await b.upcoming(u, s, days=14))[:12]
    except BookingError as exc:
        raise Problem(exc.status, exc.detail) from exc
    tz = ZoneInfo(u.timezone)
    return {"slots": [{"start": x.start.isoformat(),
                       "label": x.start.astimezone(tz).strftime("%a %d.%m %H:%M"),
                       "free": x.free} for x in found]}  # fmt: skip


@router.post("", dependencies=[Depends(csrf_header)])
async def book(
    body: DeskBookingIn,
    d: tuple[Desk, Agent] = Depends(desk_session),
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    desk, _agent = d
    if body.start.tzinfo is None:
        raise Problem(422, "start: give the time with its UTC offset")
    try:
        customer = validate_customer(body.name, body.phone, body.email, lang=body.language)
    except InvalidCustomer as exc:
        raise Problem(422, f"{exc.field}: {exc}", extra={"field": exc.field}) from exc
    conversation_id = None
    if body.entry is not None:
        entry = await desk.entry(body.entry)
        conversation_id = entry.conversation_id
    try:
        async with runtime.transaction() as session:
            b = runtime.bookings(session)
            held = await b.hold(
                body.unit,
                body.service,
                body.start,
                channel="desk",
                language=body.language,
                conversation_id=conversation_id,
            )
            visit = await b.confirm(held.public_id, customer)
    except BookingError as exc:
        raise Problem(exc.status, exc.detail, extra={"code": exc.code}) from exc
    await send_notice(runtime, visit.public_id, "confirmed")
    return {
        "public_id": visit.public_id,
        "code": visit.code,
        "start": visit.start.isoformat(),
        "end": visit.end.isoformat(),
        "ics_url": f"/api/v1/bookings/{visit.public_id}.ics",
    }
