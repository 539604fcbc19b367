"""The objects one process needs, built once from Settings and passed down explicitly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kontakt.clock import Clock, SystemClock
from kontakt.config import Settings
from kontakt.db import make_engine, make_session_factory


class NotMigrated(Exception):
    def __str__(self) -> str:
        return "the database has no kontakt tables yet; run: kontakt db upgrade"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        url = settings.normalized_database_url()
        if url.startswith("sqlite"):
            # The default database lives under var/, which a fresh checkout does not have yet.
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        return cls(settings, engine, make_session_factory(engine), clock or SystemClock())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back everything on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ensure_migrated(self) -> None:
        async with self.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        if "events" not in tables:
            raise NotMigrated()

    async def close(self) -> None:
        await self.engine.dispose()
