"""Typed declarative base, naming convention, and async engine/session factories.

Nothing is created at import time: callers build an engine from Settings and pass the
session factory down.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which drops tzinfo) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable), plain JSON elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": echo, "pool_size": pool_size, "max_overflow": pool_size * 2}
    if url.startswith("sqlite"):
        # SQLite serialises writers; a generous busy timeout turns lock contention into waiting
        # rather than "database is locked" errors under several workers.
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite+aiosqlite"):
        from kontakt import db_sqlite

        # One-trip statements and fair write turns (see db_sqlite); the per-engine turns
        # line up this worker's writers.
        hook = db_sqlite.connect_hook(db_sqlite.WriteTurns())
        event.listen(engine.sync_engine, "do_connect", hook)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from kontakt.events import insert_in_one_statement

    sync_sessions = sessionmaker()
    insert_in_one_statement(sync_sessions)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=sync_sessions)
