"""benefit payment schedule

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kontakt.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benefit_payments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("case_key", sa.String(length=20), nullable=False),
        sa.Column("pesel_digest", sa.String(length=64), nullable=False),
        sa.Column("benefit", sa.String(length=120), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("batch", sa.Uuid(), nullable=False),
        sa.Column("imported_at", kontakt.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_payments")),
        sa.UniqueConstraint(
            "case_number",
            "pesel_digest",
            "benefit",
            "payment_date",
            name="uq_benefit_payments_payment",
        ),
    )
    with op.batch_alter_table("benefit_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_benefit_payments_lookup", ["case_key", "pesel_digest"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("benefit_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_payments_lookup")
    op.drop_table("benefit_payments")
