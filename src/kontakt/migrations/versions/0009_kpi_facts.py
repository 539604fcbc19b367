"""kpi facts: the KPI report's read model, kept by triggers on events

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00

``kpi_facts`` holds one typed row per event the KPI report reads (kontakt.reports.kpi_facts
says why and what). The database fills it: the triggers installed here add the rows in the
statement that appends the events, and the events already in the log are projected now
(about 20 s on SQLite and 40 s on PostgreSQL for a year of 4.47 M events). The SQL is the
module's; a later change of what it projects takes a migration of its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kontakt.reports.kpi_facts import insert_sql, install_sql, uninstall_sql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    dims = ("contact", "language", "direction", "channel", "code", "outcome")
    op.create_table(
        "kpi_facts",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(), nullable=False) for name in dims),
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.String(), nullable=True),
        sa.Column("wait", sa.Float(), nullable=False),
        sa.Column("talk", sa.Float(), nullable=False),
        sa.Column("wrap", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "hour", *dims, "event_id", name=op.f("pk_kpi_facts")),
        sqlite_with_rowid=False,
        postgresql_partition_by="LIST (kind)",
    )
    for statement in install_sql(dialect):
        op.execute(statement)
    op.execute(insert_sql(dialect, "events"))


def downgrade() -> None:
    for statement in uninstall_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("kpi_facts")
