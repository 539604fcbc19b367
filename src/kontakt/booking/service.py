"""The booking engine: find slots, hold one, confirm it, cancel or move it.

Every operation runs in the caller's transaction and records its event there, so a booking
and its event commit or roll back together. Double booking is refused by the database: a
hold is an ``INSERT ... ON CONFLICT DO NOTHING`` into one seat of the slot, guarded by the
partial unique index on live reservations, so two processes racing for the last seat cannot
both win, and the loser's transaction is not aborted (it simply tries the next seat).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.customer import Customer, phone_matches
from kontakt.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingHeld,
)
from kontakt.booking.models import LIVE, Closure, Reservation, Service, Unit
from kontakt.booking.slots import Schedule, Slot, compute_slots, is_bookable_start
from kontakt.clock import Clock
from kontakt.events import record

# Confirmation codes are read aloud and typed from SMS: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G.
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
CODE_LENGTH = 6


class BookingError(Exception):
    """A booking request that cannot be carried out. ``status`` is the HTTP equivalent and
    ``code`` the Qmatic-style error code integrators already handle."""

    status = 422
    code = "ERROR_INVALID_REQUEST"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(BookingError):
    status = 404
    code = "ERROR_NOT_FOUND"


class NotBookable(BookingError):
    status = 422
    code = "ERROR_TIME_NOT_AVAILABLE"


class SlotTaken(BookingError):
    status = 409
    code = "ERROR_CANNOT_BE_RESERVED"


class Conflict(BookingError):
    status = 409
    code = "ERROR_CONFLICT"


@dataclass(frozen=True)
class BookingRules:
    hold_minutes: int = 10
    min_notice_minutes: int = 60

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class Bookings:
    """The booking engine bound to one transaction."""

    def __init__(self, session: AsyncSession, clock: Clock, rules: BookingRules) -> None:
        self.session = session
        self.clock = clock
        self.rules = rules

    # --- catalog ---------------------------------------------------------------------------

    async def units(self) -> list[Unit]:
        stmt = select(Unit).where(Unit.active).order_by(Unit.position)
        return list((await self.session.scalars(stmt)).all())

    async def services(self) -> list[Service]:
        stmt = select(Service).where(Service.active).order_by(Service.position)
        return list((await self.session.scalars(stmt)).all())

    async def unit(self, unit_id: str) -> Unit:
        unit = await self.session.get(Unit, unit_id)
        if unit is None or not unit.active:
            raise NotFound(f"no unit {unit_id!r}")
        return unit

    async def service(self, service_id: str) -> Service:
        service = await self.session.get(Service, service_id)
        if service is None or not service.active:
            raise NotFound(f"no service {service_id!r}")
        return service

    async def offering(self, unit_id: str, service_id: str) -> tuple[Unit, Service]:
        unit, service = await self.unit(unit_id), await self.service(service_id)
        if unit.id not in service.units:
            raise NotFound(f"unit {unit_id!r} does not offer service {service_id!r}")
        return unit, service

    async def units_for(self, service: Service) -> list[Unit]:
        return [u for u in await self.units() if u.id in service.units]

    async def services_at(self, unit: Unit) -> list[Service]:
        return [s for s in await self.services() if unit.id in s.units]

    async def schedule(self, unit: Unit, service: Service) -> Schedule:
        rows = await self.session.scalars(select(Closure.day).where(Closure.unit_id == unit.id))
        return Schedule(
            timezone=unit.timezone,
            hours=unit.hours,
            closures=frozenset(rows.all()),
            duration_min=service.duration_min,
            capacity=service.capacity,
            book_ahead_days=service.book_ahead_days,
        )

    # --- slots -----------------------------------------------------------------------------

    async def taken(
        self, unit_id: str, service_id: str, start: datetime, end: datetime
    ) -> dict[datetime, int]:
        """Seats occupied per slot start; holds that have run out no longer count."""
        now = self.clock.now()
        stmt = (
            select(Reservation.start, func.count())
            .where(
                Reservation.unit_id == unit_id,
                Reservation.service_id == service_id,
                Reservation.start >= start,
                Reservation.start < end,
                or_(
                    Reservation.status == "confirmed",
                    and_(Reservation.status == "held", Reservation.hold_expires_at > now),
                ),
            )
            .group_by(Reservation.start)
        )
        rows = (await self.session.execute(stmt)).all()
        return {start.astimezone(UTC): int(n) for start, n in rows}

    async def free_slots(
        self, unit: Unit, service: Service, first_day: date, last_day: date
    ) -> list[Slot]:
        schedule = await self.schedule(unit, service)
        days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        if not days:
            return []
        tz = schedule.tz
        lo = datetime.combine(days[0], datetime.min.time(), tz).astimezone(UTC)
        hi = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tz)
        taken = await self.taken(unit.id, service.id, lo, hi.astimezone(UTC))
        return compute_slots(
            schedule, days, taken, now=self.clock.now(), min_notice=self.rules.min_notice
        )

    async def upcoming(
        self, unit: Unit, service: Service, *, after: datetime | None = None, days: int = 0
    ) -> list[Slot]:
        """Free slots from ``after`` (default: now) to the end of the booking window."""
        now = self.clock.now()
        start = max(after or now, now)
        tz = (await self.schedule(unit, service)).tz
        first = start.astimezone(tz).date()
        last = now.astimezone(tz).date() + timedelta(days=service.book_ahead_days)
        if days:
            last = min(last, first + timedelta(days=days))
        return [s for s in await self.free_slots(unit, service, first, last) if s.start >= start]

    # --- lifecycle -------------------------------------------------------------------------

    async def hold(
        self,
        unit_id: str,
        service_id: str,
        start: datetime,
        *,
        channel: str,
        language: str = "pl",
        conversation_id: uuid.UUID | None = None,
    ) -> Reservation:
        unit, service = await self.offering(unit_id, service_id)
        schedule = await self.schedule(unit, service)
        now = self.clock.now()
        start = start.astimezone(UTC)
        if not is_bookable_start(schedule, start, now, self.rules.min_notice):
            raise NotBookable("this time is not a bookable slot of this unit and service")
        await self._expire_slot(unit.id, service.id, start)
        end = start + timedelta(minutes=service.duration_min)
        base: dict[str, Any] = {
            "unit_id": unit.id,
            "service_id": service.id,
            "start": start,
            "end": end,
            "status": "held",
            "hold_expires_at": now + timedelta(minutes=self.rules.hold_minutes),
            "channel": channel,
            "language": language,
            "conversation_id": conversation_id,
            "created_at": now,
        }
        for seat in range(service.capacity):
            # A refused insert means the seat is taken, or (rarely, in a table of millions of
            # visits) that the random code already exists: then retry with a new code.
            for _clash in range(5):
                values = {
                    **base,
                    "id": uuid.uuid4(),
                    "public_id": uuid.uuid4().hex,
                    "code": new_code(),
                    "seat": seat,
                }
                if await self._insert_if_free(values):
                    reservation = await self.by_public_id(values["public_id"])
                    await record(
                        self.session,
                        BookingHeld(
                            reservation.public_id, unit.id, service.id, _iso(start), channel
                        ),
                        at=now,
                        conversation_id=conversation_id,
                    )
                    return reservation
                if await self._seat_taken(unit.id, service.id, start, seat):
                    break
        raise SlotTaken("this slot has just been taken; choose another time")

    async def _seat_taken(self, unit_id: str, service_id: str, start: datetime, seat: int) -> bool:
        stmt = select(Reservation.id).where(
            Reservation.unit_id == unit_id,
            Reservation.service_id == service_id,
            Reservation.start == start,
            Reservation.seat == seat,
            Reservation.status.in_(LIVE),
        )
        return (await self.session.execute(stmt)).first() is not None

    async def _insert_if_free(self, values: dict[str, Any]) -> bool:
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(Reservation).values(**values).on_conflict_do_nothing().returning(Reservation.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def _expire_slot(self, unit_id: str, service_id: str, start: datetime) -> None:
        now = self.clock.now()
        stmt = (
            update(Reservation)
            .where(
                Reservation.unit_id == unit_id,
                Reservation.service_id == service_id,
                Reservation.start == start,
                Reservation.status == "held",
                Reservation.hold_expires_at <= now,
            )
            .values(status="expired")
            .returning(Reservation.public_id, Reservation.channel, Reservation.conversation_id)
            .execution_options(synchronize_session=False)
        )
        for public_id, channel, conversation_id in (await self.session.execute(stmt)).all():
            await record(
                self.session,
                BookingExpired(public_id, unit_id, service_id, _iso(start), channel),
                at=now,
                conversation_id=conversation_id,
            )

    async def by_public_id(self, public_id: str) -> Reservation:
        stmt = (
            select(Reservation)
            .where(Reservation.public_id == public_id)
            .execution_options(populate_existing=True)
        )
        reservation = (await self.session.scalars(stmt)).first()
        if reservation is None:
            raise NotFound("no such reservation")
        return reservation

    async def confirm(self, public_id: str, customer: Customer, *, notes: str = "") -> Reservation:
        now = self.clock.now()
        stmt = (
            update(Reservation)
            .where(
                Reservation.public_id == public_id,
                Reservation.status == "held",
                Reservation.hold_expires_at > now,
            )
            .values(
                status="confirmed",
                confirmed_at=now,
                hold_expires_at=None,
                customer_name=customer.name,
                phone=customer.phone,
                email=customer.email,
                pesel=customer.pesel,
                notes=notes[:2000],
            )
            .returning(Reservation.id)
            .execution_options(synchronize_session=False)
        )
        updated = (await self.session.execute(stmt)).first()
        reservation = await self.by_public_id(public_id)
        if updated is None:
            if reservation.status == "confirmed":
                raise Conflict("this reservation is already confirmed")
            if reservation.status == "cancelled":
                raise Conflict("this reservation was cancelled")
            raise Conflict("the hold on this slot has expired; choose the time again")
        await self._confirmed_event(reservation, now)
        return reservation

    async def _confirmed_event(
        self, reservation: Reservation, now: datetime, replaces: str | None = None
    ) -> None:
        await record(
            self.session,
            BookingConfirmed(
                reservation.public_id,
                reservation.unit_id,
                reservation.service_id,
                _iso(reservation.start),
                reservation.channel,
                reservation.language,
                replaces,
            ),
            at=now,
            conversation_id=reservation.conversation_id,
        )

    async def find(self, code: str, phone_digits: str) -> Reservation:
        """A confirmed, future visit by its code and the last digits of the phone number.

        Both must match; the error does not say which one did not, so codes cannot be probed.
        """
        clean = "".join(code.split()).upper()
        stmt = select(Reservation).where(Reservation.code == clean)
        reservation = (await self.session.scalars(stmt)).first()
        if (
            reservation is None
            or reservation.status != "confirmed"
            or not phone_matches(reservation.phone, phone_digits)
        ):
            raise NotFound("no booking with this code and phone number")
        if reservation.start <= self.clock.now():
            raise Conflict("this visit has already taken place")
        return reservation

    async def cancel(
        self, reservation: Reservation, *, channel: str, reason: str = "resident"
    ) -> Reservation:
        """Cancel a confirmed visit or give up a hold; the seat is free at once."""
        now = self.clock.now()
        was = reservation.status
        stmt = (
            update(Reservation)
            .where(Reservation.id == reservation.id, Reservation.status.in_(LIVE))
            .values(status="cancelled", cancelled_at=now, hold_expires_at=None)
            .returning(Reservation.id)
            .execution_options(synchronize_session=False)
        )
        if (await self.session.execute(stmt)).first() is None:
            raise Conflict("this reservation is no longer active")
        await record(
            self.session,
            BookingCancelled(
                reservation.public_id,
                reservation.unit_id,
                reservation.service_id,
                _iso(reservation.start),
                channel,
                reason,
                was,
            ),
            at=now,
            conversation_id=reservation.conversation_id,
        )
        return await self.by_public_id(reservation.public_id)

    async def reschedule(
        self, reservation: Reservation, new_start: datetime, *, channel: str
    ) -> Reservation:
        """Move a confirmed visit: the new seat is taken first, then the old one freed, in one
        transaction, so the resident never ends up with neither."""
        if reservation.status != "confirmed":
            raise Conflict("only a confirmed visit can be moved")
        held = await self.hold(
            reservation.unit_id,
            reservation.service_id,
            new_start,
            channel=channel,
            language=reservation.language,
            conversation_id=reservation.conversation_id,
        )
        now = self.clock.now()
        customer = Customer(
            reservation.customer_name, reservation.phone, reservation.email, reservation.pesel
        )
        await self.session.execute(
            update(Reservation)
            .where(Reservation.id == held.id)
            .values(
                status="confirmed",
                confirmed_at=now,
                hold_expires_at=None,
                customer_name=customer.name,
                phone=customer.phone,
                email=customer.email,
                pesel=customer.pesel,
                notes=reservation.notes,
                replaces=reservation.id,
            )
            .execution_options(synchronize_session=False)
        )
        moved = await self.by_public_id(held.public_id)
        await self._confirmed_event(moved, now, replaces=reservation.public_id)
        await self.cancel(reservation, channel=channel, reason="rescheduled")
        return moved

    async def expire_holds(self) -> int:
        """Mark every run-out hold expired (the periodic sweep; slots free up without it too)."""
        now = self.clock.now()
        stmt = select(Reservation.unit_id, Reservation.service_id, Reservation.start).where(
            Reservation.status == "held", Reservation.hold_expires_at <= now
        )
        slots = set((await self.session.execute(stmt)).all())
        for unit_id, service_id, start in slots:
            await self._expire_slot(unit_id, service_id, start)
        return len(slots)

    async def visits_between(self, start: datetime, end: datetime) -> Sequence[Reservation]:
        stmt = (
            select(Reservation)
            .where(
                Reservation.status == "confirmed",
                Reservation.start >= start,
                Reservation.start < end,
            )
            .order_by(Reservation.start)
        )
        return (await self.session.scalars(stmt)).all()
