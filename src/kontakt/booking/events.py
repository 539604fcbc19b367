"""Booking events. They carry no personal data: the log is append-only and kept for the KPIs,
while names and phone numbers live in the reservation row, which can be erased."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kontakt.events import Event, event_type


@event_type
@dataclass(frozen=True)
class BookingHeld(Event):
    kind: ClassVar[str] = "booking_held"
    public_id: str
    unit: str
    service: str
    start: str  # ISO, UTC
    channel: str


@event_type
@dataclass(frozen=True)
class BookingConfirmed(Event):
    kind: ClassVar[str] = "booking_confirmed"
    public_id: str
    unit: str
    service: str
    start: str
    channel: str
    language: str = "pl"
    replaces: str | None = None  # public id of the visit this one moved (rescheduling)


@event_type
@dataclass(frozen=True)
class BookingCancelled(Event):
    kind: ClassVar[str] = "booking_cancelled"
    public_id: str
    unit: str
    service: str
    start: str
    channel: str
    # resident | released (a hold given up) | rescheduled | staff
    reason: str = "resident"
    was: str = "confirmed"  # the status before: held or confirmed


@event_type
@dataclass(frozen=True)
class BookingExpired(Event):
    kind: ClassVar[str] = "booking_expired"
    public_id: str
    unit: str
    service: str
    start: str
    channel: str


@event_type
@dataclass(frozen=True)
class NotificationSent(Event):
    kind: ClassVar[str] = "notification_sent"
    public_id: str
    notice: str  # confirmed | reminder | cancelled | rescheduled
    channel: str  # email | sms
    ok: bool
    detail: str = ""
