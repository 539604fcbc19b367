"""What the booking dialogue needs from a booking system, whichever system that is.

``LocalBackend`` is kontakt's own engine. ``QmaticBackend`` (qmatic_client.py) puts the same
bots on top of a city's existing Qmatic. The dialogue only ever sees this protocol.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kontakt.booking.customer import Customer
from kontakt.booking.models import Reservation
from kontakt.booking.service import Bookings, NotFound


@dataclass(frozen=True)
class Place:
    id: str
    names: dict[str, str]
    address: str

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("pl") or self.id


@dataclass(frozen=True)
class Opening:
    start: datetime  # aware UTC
    end: datetime


@dataclass(frozen=True)
class Visit:
    public_id: str
    code: str  # empty until confirmed
    unit_id: str
    service_id: str
    start: datetime
    end: datetime
    status: str  # held | confirmed | cancelled | expired


class BookingBackend(Protocol):
    async def places(self, service_id: str) -> list[Place]: ...

    async def openings(
        self, unit_id: str, service_id: str, *, after: datetime, until: datetime, limit: int
    ) -> list[Opening]: ...

    async def hold(
        self,
        unit_id: str,
        service_id: str,
        start: datetime,
        *,
        channel: str,
        language: str,
        conversation_id: uuid.UUID | None,
    ) -> Visit: ...

    async def release(self, public_id: str, *, channel: str) -> None: ...

    async def confirm(self, public_id: str, customer: Customer) -> Visit: ...

    async def find(self, code: str, phone_digits: str) -> Visit: ...

    async def cancel(self, public_id: str, *, channel: str) -> Visit: ...

    async def reschedule(self, public_id: str, start: datetime, *, channel: str) -> Visit: ...


def visit_of(r: Reservation) -> Visit:
    return Visit(r.public_id, r.code if r.status == "confirmed" else "", r.unit_id,
                 r.service_id, r.start, r.end, r.status)  # fmt: skip


class LocalBackend:
    """kontakt's own booking engine, in the dialogue's transaction."""

    def __init__(self, bookings: Bookings) -> None:
        self.bookings = bookings

    async def places(self, service_id: str) -> list[Place]:
        service = await self.bookings.service(service_id)
        return [
            Place(u.id, dict(u.names), u.address) for u in await self.bookings.units_for(service)
        ]

    async def openings(
        self, unit_id: str, service_id: str, *, after: datetime, until: datetime, limit: int
    ) -> list[Opening]:
        unit, service = await self.bookings.offering(unit_id, service_id)
        days = max(0, (until - after).days) + 1
        slots = await self.bookings.upcoming(unit, service, after=after, days=days)
        return [Opening(s.start, s.end) for s in slots if s.start < until][:limit]

    async def hold(
        self,
        unit_id: str,
        service_id: str,
        start: datetime,
        *,
        channel: str,
        language: str,
        conversation_id: uuid.UUID | None,
    ) -> Visit:
        held = await self.bookings.hold(
            unit_id,
            service_id,
            start,
            channel=channel,
            language=language,
            conversation_id=conversation_id,
        )
        return visit_of(held)

    async def release(self, public_id: str, *, channel: str) -> None:
        try:
            found = await self.bookings.by_public_id(public_id)
        except NotFound:
            return
        if found.status == "held":
            await self.bookings.cancel(found, channel=channel, reason="released")

    async def confirm(self, public_id: str, customer: Customer) -> Visit:
        return visit_of(await self.bookings.confirm(public_id, customer))

    async def find(self, code: str, phone_digits: str) -> Visit:
        return visit_of(await self.bookings.find(code, phone_digits))

    async def cancel(self, public_id: str, *, channel: str) -> Visit:
        found = await self.bookings.by_public_id(public_id)
        return visit_of(await self.bookings.cancel(found, channel=channel))

    async def reschedule(self, public_id: str, start: datetime, *, channel: str) -> Visit:
        found = await self.bookings.by_public_id(public_id)
        return visit_of(await self.bookings.reschedule(found, start, channel=channel))
