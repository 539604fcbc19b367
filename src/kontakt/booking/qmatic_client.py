"""``QmaticBackend``: kontakt's bots on top of a city's existing Qmatic Calendar.

It speaks the Qmatic public appointment API (v1) over HTTP and offers the same
``BookingBackend`` protocol as kontakt's own engine. Qmatic returns local times without a
time zone, so each branch's ``timeZone`` is applied. Qmatic has no short confirmation codes:
the appointment's publicId is the code, and looking a visit up by code and phone is not
possible through its public API, so ``find`` says so plainly.

When a database session is given, the same booking events as the local engine are recorded,
so the KPI report counts visits booked through Qmatic by channel too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.backend import Opening, Place, Visit
from kontakt.booking.customer import Customer
from kontakt.booking.events import BookingCancelled, BookingConfirmed, BookingHeld
from kontakt.booking.service import BookingError, Conflict, NotBookable, NotFound, SlotTaken
from kontakt.clock import Clock
from kontakt.events import Event, record

STATUS = {10: "held", 20: "confirmed", 30: "cancelled", 40: "expired"}


class QmaticUnavailable(BookingError):
    status = 503
    code = "ERROR_BACKEND_UNAVAILABLE"


class QmaticBackend:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        session: AsyncSession | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.base = base_url.rstrip("/") + "/calendar-backend/public/api/v1"
        headers = {"X-Api-Key": api_key} if api_key else {}
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._headers = headers
        self._session = session
        self._clock = clock
        self._zones: dict[str, ZoneInfo] = {}
        # The channel each hold came from, for the confirmation event.
        self._channels: dict[str, str] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            resp = await self._client.request(
                method, self.base + path, json=body, headers=self._headers
            )
        except httpx.HTTPError as exc:
            raise QmaticUnavailable(f"the booking system did not answer: {exc}") from exc
        if resp.status_code == 204:
            return None
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code < 400:
            return data
        detail = str(data.get("detail") or data.get("msg") or f"HTTP {resp.status_code}")
        code = str(data.get("code", ""))
        if resp.status_code == 404:
            raise NotFound(detail)
        if code == SlotTaken.code:
            raise SlotTaken(detail)
        if resp.status_code == 409:
            raise Conflict(detail)
        if resp.status_code in (400, 422):
            raise NotBookable(detail)
        raise QmaticUnavailable(f"the booking system answered {resp.status_code}: {detail}")

    async def _zone(self, unit_id: str) -> ZoneInfo:
        if unit_id not in self._zones:
            data = await self._call("GET", f"/branches/{unit_id}")
            self._zones[unit_id] = ZoneInfo(data["branch"].get("timeZone") or "Europe/Warsaw")
        return self._zones[unit_id]

    async def _record(self, event: Event, conversation_id: uuid.UUID | None = None) -> None:
        if self._session is not None and self._clock is not None:
            await record(
                self._session, event, at=self._clock.now(), conversation_id=conversation_id
            )

    # --- the BookingBackend protocol ------------------------------------------------------

    async def places(self, service_id: str) -> list[Place]:
        data = await self._call("GET", f"/services/{service_id}/branches")
        places = []
        for b in data.get("branchList", []):
            address = ", ".join(
                p for p in (b.get("addressLine1"), f"{b.get('addressZip', '')} "
                            f"{b.get('addressCity', '')}".strip()) if p
            )  # fmt: skip
            self._zones[b["publicId"]] = ZoneInfo(b.get("timeZone") or "Europe/Warsaw")
            places.append(Place(b["publicId"], {"pl": b.get("name", b["publicId"])}, address))
        return places

    async def openings(
        self, unit_id: str, service_id: str, *, after: datetime, until: datetime, limit: int
    ) -> list[Opening]:
        tz = await self._zone(unit_id)
        data = await self._call("GET", f"/branches/{unit_id}/services/{service_id}/dates")
        days = sorted(date.fromisoformat(d[:10]) for d in data.get("dates", []))
        duration = await self._duration(service_id)
        found: list[Opening] = []
        for day in days:
            if day < after.astimezone(tz).date() or day > until.astimezone(tz).date():
                continue
            path = f"/branches/{unit_id}/services/{service_id}/dates/{day.isoformat()}/times"
            for hhmm in (await self._call("GET", path)).get("times", []):
                start = datetime.combine(day, time.fromisoformat(hhmm), tz).astimezone(UTC)
                if after <= start < until:
                    found.append(Opening(start, start + duration))
                    if len(found) >= limit:
                        return found
        return found

    async def _duration(self, service_id: str) -> timedelta:
        for s in (await self._call("GET", "/services")).get("serviceList", []):
            if s.get("publicId") == service_id:
                return timedelta(minutes=int(s.get("duration") or 15))
        raise NotFound(f"no service {service_id!r}")

    def _visit(self, data: dict[str, Any], tz: ZoneInfo) -> Visit:
        def parse(value: str) -> datetime:
            return datetime.fromisoformat(value).replace(tzinfo=tz).astimezone(UTC)

        status = STATUS.get(int(data.get("status", 20)), "confirmed")
        return Visit(
            public_id=data["publicId"],
            code=data.get("confirmationCode")
            or (data["publicId"] if status == "confirmed" else ""),
            unit_id=data["branch"]["publicId"],
            service_id=data["services"][0]["publicId"],
            start=parse(data["start"]),
            end=parse(data["end"]),
            status=status,
        )

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
        tz = await self._zone(unit_id)
        local = start.astimezone(tz)
        path = (
            f"/branches/{unit_id}/services/{service_id}/dates/{local.date().isoformat()}"
            f"/times/{local.strftime('%H:%M')}/reserve"
        )
        visit = self._visit(await self._call("POST", path, {}), tz)
        self._channels[visit.public_id] = channel
        start_iso = visit.start.isoformat()
        await self._record(
            BookingHeld(visit.public_id, unit_id, service_id, start_iso, channel), conversation_id
        )
        return visit

    async def release(self, public_id: str, *, channel: str) -> None:
        try:
            await self._call("DELETE", f"/appointments/{public_id}")
        except NotFound:
            return

    async def _get(self, public_id: str) -> Visit:
        data = (await self._call("GET", f"/appointments/{public_id}"))["appointment"]
        return self._visit(data, await self._zone(data["branch"]["publicId"]))

    async def confirm(self, public_id: str, customer: Customer) -> Visit:
        first, _, last = customer.name.partition(" ")
        body = {
            "customer": {
                "firstName": first,
                "lastName": last,
                "phone": customer.phone,
                "email": customer.email,
                "identificationNumber": customer.pesel,
            }
        }
        data = await self._call("POST", f"/branches/appointments/{public_id}/confirm", body)
        visit = self._visit(data, await self._zone(data["branch"]["publicId"]))
        start_iso = visit.start.isoformat()
        channel = self._channels.pop(public_id, "api")
        await self._record(
            BookingConfirmed(visit.public_id, visit.unit_id, visit.service_id, start_iso, channel)
        )
        return visit

    async def find(self, code: str, phone_digits: str) -> Visit:
        raise BookingError(
            "this city's booking system cannot look visits up by code; please call the helpline"
        )

    async def cancel(self, public_id: str, *, channel: str) -> Visit:
        visit = await self._get(public_id)
        await self._call("DELETE", f"/appointments/{public_id}")
        start_iso = visit.start.isoformat()
        await self._record(
            BookingCancelled(public_id, visit.unit_id, visit.service_id, start_iso, channel)
        )
        return Visit(**{**visit.__dict__, "status": "cancelled"})

    async def reschedule(self, public_id: str, start: datetime, *, channel: str) -> Visit:
        raise BookingError(
            "this city's booking system cannot move visits; cancel and book again, or call"
        )
