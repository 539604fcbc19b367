"""conversation owner holds queue and agent ids in full

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column(
            "owner", existing_type=sa.String(length=16), type_=sa.String(length=64)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column(
            "owner", existing_type=sa.String(length=64), type_=sa.String(length=16)
        )
