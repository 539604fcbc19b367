"""Test fixtures: the real app in-process, a fresh database per test, and a fixed clock.

Database tests are parametrised over SQLite and PostgreSQL. PostgreSQL is at
KONTAKT_TEST_POSTGRES_URL (default: 127.0.0.1:5432, trust auth), which .ci/run guarantees;
each test gets its own freshly created database, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from kontakt.app import create_app
from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.migrate import upgrade_connection
from kontakt.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
PG_ADMIN_DSN = os.environ.get(
    "KONTAKT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday, office open


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'kontakt.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = f"kontakt_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Parametrise a test over both engines."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


async def make_runtime(url: str, clock: FixedClock, tmp_path: Path) -> Runtime:
    settings = Settings(
        database_url=url, secret_key="test-secret", var_dir=tmp_path / "var", content_dir=CONTENT
    )
    runtime = Runtime.build(settings, clock)
    async with runtime.engine.begin() as conn:
        await upgrade_connection(conn)
    return runtime


@pytest.fixture
async def runtime(db_url: str, clock: FixedClock, tmp_path: Path) -> AsyncIterator[Runtime]:
    rt = await make_runtime(db_url, clock, tmp_path)
    yield rt
    await rt.close()


@pytest.fixture
async def sqlite_runtime(
    sqlite_url: str, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[Runtime]:
    rt = await make_runtime(sqlite_url, clock, tmp_path)
    yield rt
    await rt.close()


@pytest.fixture
def app(sqlite_runtime: Runtime) -> FastAPI:
    return create_app(sqlite_runtime.settings, runtime=sqlite_runtime)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def content_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the real content/ folder."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target, ignore=shutil.ignore_patterns("training"))
    yield target
