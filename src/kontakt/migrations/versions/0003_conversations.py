"""conversations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:04:51.483105
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kontakt.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("started_at", kontakt.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", kontakt.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )


def downgrade() -> None:
    op.drop_table("conversations")
