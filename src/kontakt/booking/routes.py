"""Residents' own booking links: a visit's calendar file, and finding, cancelling or moving
a visit by its code and the last digits of the phone number."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from kontakt.booking.delivery import build_notice, send_notice
from kontakt.booking.ics import visit_ics
from kontakt.booking.models import Reservation
from kontakt.booking.service import BookingError, Bookings, NotFound
from kontakt.runtime import Runtime
from kontakt.web.deps import get_runtime
from kontakt.web.problems import Problem
from kontakt.web.ratelimit import RateLimiter

router = APIRouter(prefix="/api/v1/bookings", tags=["booking"])


@router.get(
    "/{public_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "Unknown visit"}},
)
async def visit_calendar(public_id: str, runtime: Runtime = Depends(get_runtime)) -> Response:
    """The visit as an iCalendar file. The 32-character public id is the only key, as in the
    link of the confirmation e-mail; a cancelled visit gives a cancelling calendar entry."""
    if len(public_id) != 32 or not all(c in "0123456789abcdef" for c in public_id):
        raise Problem(404, "no such visit")
    async with runtime.transaction() as session:
        try:
            reservation = await runtime.bookings(session).by_public_id(public_id)
        except NotFound as exc:
            raise Problem(404, "no such visit") from exc
        if reservation.status not in ("confirmed", "cancelled"):
            raise Problem(404, "no such visit")
        notice = await build_notice(
            session, reservation, "cancelled" if reservation.status == "cancelled" else "confirmed"
        )
    # The same UID as in the e-mailed file, so calendars update the entry instead of adding one.
    domain = urlsplit(runtime.settings.public_url).hostname or "kontakt.local"
    body = visit_ics(notice, uid_domain=domain, now=runtime.clock.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="wizyta-{notice.code}.ics"'},
    )


class VisitKey(BaseModel):
    """What a resident has: the code from the confirmation and their phone number's ending."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(..., min_length=4, max_length=12, examples=["K7M4RX"])
    phone_digits: str = Field(
        ..., min_length=3, max_length=20, description="The last digits (3 or more) of the phone."
    )


class MoveIn(VisitKey):
    start: datetime = Field(..., description="The new start, with its UTC offset.")


class VisitOut(BaseModel):
    public_id: str
    code: str
    status: str
    unit: str
    service: str
    start: datetime
    end: datetime
    ics_url: str


def _out(r: Reservation) -> VisitOut:
    return VisitOut(
        public_id=r.public_id,
        code=r.code,
        status=r.status,
        unit=r.unit_id,
        service=r.service_id,
        start=r.start,
        end=r.end,
        ics_url=f"/api/v1/bookings/{r.public_id}.ics",
    )


def _limit(request: Request) -> None:
    # Codes are short, so guessing them must be slow: the chat's per-client limit applies.
    limiter: RateLimiter = request.app.state.chat_limiter
    wait = limiter.take(request.client.host if request.client else "unknown")
    if wait:
        raise Problem(429, "Too many attempts. Please wait a moment.",
                      headers={"Retry-After": str(max(1, round(wait)))})  # fmt: skip


async def _find(b: Bookings, key: VisitKey) -> Reservation:
    try:
        return await b.find(key.code, key.phone_digits)
    except BookingError as exc:
        raise Problem(exc.status, exc.detail, extra={"code": exc.code}) from exc


@router.post("/find", response_model=VisitOut, dependencies=[Depends(_limit)])
async def find_visit(key: VisitKey, runtime: Runtime = Depends(get_runtime)) -> VisitOut:
    """An upcoming visit by its code and the last digits of the phone number."""
    async with runtime.transaction() as session:
        return _out(await _find(runtime.bookings(session), key))


@router.post("/cancel", response_model=VisitOut, dependencies=[Depends(_limit)])
async def cancel_visit(key: VisitKey, runtime: Runtime = Depends(get_runtime)) -> VisitOut:
    async with runtime.transaction() as session:
        b = runtime.bookings(session)
        cancelled = await b.cancel(await _find(b, key), channel="web")
    await send_notice(runtime, cancelled.public_id, "cancelled")
    return _out(cancelled)


@router.post("/reschedule", response_model=VisitOut, dependencies=[Depends(_limit)])
async def reschedule_visit(body: MoveIn, runtime: Runtime = Depends(get_runtime)) -> VisitOut:
    """Move a visit to another free time of the same service and unit; a new code is given."""
    if body.start.tzinfo is None:
        raise Problem(422, "start: give the time with its UTC offset, e.g. 2026-12-03T10:00+01:00")
    try:
        async with runtime.transaction() as session:
            b = runtime.bookings(session)
            moved = await b.reschedule(await _find(b, body), body.start, channel="web")
    except BookingError as exc:
        raise Problem(exc.status, exc.detail, extra={"code": exc.code}) from exc
    await send_notice(runtime, moved.public_id, "rescheduled")
    return _out(moved)
