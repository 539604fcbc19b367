"""The benefit payment schedule: one row per payment the benefits centre has planned.

Rows carry no plain PESEL (see ``identity``). Every row remembers the import that brought
it (``batch``), so staff can tell which export a date came from; the import itself is an
event (``BenefitScheduleImported``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base


class BenefitPayment(Base):
    __tablename__ = "benefit_payments"
    __table_args__ = (
        # The phone lookup: the keyed digits and the PESEL digest, both at once.
        Index("ix_benefit_payments_lookup", "case_key", "pesel_digest"),
        # The same payment imported twice is one payment.
        UniqueConstraint(
            "case_number",
            "pesel_digest",
            "benefit",
            "payment_date",
            name="uq_benefit_payments_payment",
        ),
    )

    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    case_number: Mapped[str] = mapped_column(String(40))
    case_key: Mapped[str] = mapped_column(String(20))
    pesel_digest: Mapped[str] = mapped_column(String(64))
    benefit: Mapped[str] = mapped_column(String(120))
    payment_date: Mapped[date] = mapped_column(Date)
    batch: Mapped[uuid.UUID] = mapped_column(Uuid)
    imported_at: Mapped[datetime]
