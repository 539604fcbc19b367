"""article vectors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 00:01:20.547812
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_vectors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["article_versions.id"],
            name=op.f("fk_article_vectors_version_id_article_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_vectors")),
        sa.UniqueConstraint(
            "version_id",
            "model",
            "lang",
            "kind",
            "position",
            name=op.f("uq_article_vectors_version_id"),
        ),
    )
    with op.batch_alter_table("article_vectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_vectors_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("article_vectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_vectors_version_id"))

    op.drop_table("article_vectors")
