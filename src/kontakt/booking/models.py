"""Tables of the booking engine: units, services, ad-hoc closures and reservations.

Units and services are imported from ``content/services.yaml``. A reservation is one seat of
one slot: the partial unique index ``uq_reservation_seat`` makes the database itself refuse a
second live reservation of the same seat, so no race between two processes can double-book.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base, JSONType

# Reservations in these states occupy their seat; expired and cancelled ones free it.
LIVE = ("held", "confirmed")
STATUSES = ("held", "confirmed", "cancelled", "expired")


class Unit(Base):
    """A place where visits happen (a Qmatic "branch")."""

    __tablename__ = "booking_units"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    org_unit: Mapped[str] = mapped_column(String(80))
    names: Mapped[dict[str, Any]] = mapped_column(JSONType)
    address: Mapped[str] = mapped_column(String(300))
    check_at: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["08:00", "16:00"]], ...} in the unit's local time.
    hours: Mapped[dict[str, Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str) -> str:
        return str(self.names.get(lang) or self.names["pl"])


class Service(Base):
    """A bookable municipal service."""

    __tablename__ = "booking_services"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, Any]] = mapped_column(JSONType)
    topic: Mapped[str] = mapped_column(String(80))
    article_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    book_ahead_days: Mapped[int] = mapped_column(Integer)
    units: Mapped[list[str]] = mapped_column(JSONType)
    keywords: Mapped[dict[str, Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str) -> str:
        return str(self.names.get(lang) or self.names["pl"])


class Closure(Base):
    """A day a unit is closed beyond the public holidays (from content or added by staff)."""

    __tablename__ = "booking_closures"

    unit_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("booking_units.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(300), default="")


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index(
            "uq_reservation_seat",
            "unit_id",
            "service_id",
            "start",
            "seat",
            unique=True,
            sqlite_where=text("status IN ('held', 'confirmed')"),
            postgresql_where=text("status IN ('held', 'confirmed')"),
        ),
        Index("ix_reservations_slot", "unit_id", "service_id", "start"),
        Index("ix_reservations_code", "code", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # The Qmatic-style public id (hex) and the short code a resident reads out on the phone.
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[str] = mapped_column(String(80), ForeignKey("booking_units.id"))
    service_id: Mapped[str] = mapped_column(String(80), ForeignKey("booking_services.id"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    seat: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    hold_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), default="pl")
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    pesel: Mapped[str] = mapped_column(String(11), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The reservation this one replaced when a visit was rescheduled.
    replaces: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
