"""Residents' own booking links: the calendar file of a visit."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from kontakt.booking.delivery import build_notice
from kontakt.booking.ics import visit_ics
from kontakt.booking.service import NotFound
from kontakt.runtime import Runtime
from kontakt.web.deps import get_runtime
from kontakt.web.problems import Problem

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
