"""QmaticBackend over a real HTTP round trip, against kontakt's own Qmatic-compatible API
served by uvicorn on a local port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from kontakt.app import create_app
from kontakt.booking.catalog import import_catalog
from kontakt.booking.customer import Customer
from kontakt.booking.qmatic_client import QmaticBackend, QmaticUnavailable
from kontakt.booking.service import Conflict, NotBookable, NotFound, SlotTaken
from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.runtime import Runtime
from tests.booking.conftest import catalog
from tests.conftest import CONTENT, START


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def qmatic_server(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'q.db'}",
        secret_key="t",
        var_dir=tmp_path / "var",
        qmatic_api_key="k3y",
        warm_up=False,
    )

    async def prepare() -> None:
        rt = Runtime.build(settings, FixedClock(START))
        async with rt.engine.begin() as conn:
            await upgrade_connection(conn)
        async with rt.transaction() as session:
            content = load_content(CONTENT)
            content.articles = []
            await import_content(session, content, actor="test", clock=rt.clock)
            await import_catalog(session, catalog())
        await rt.close()

    asyncio.run(prepare())
    runtime = Runtime.build(settings, FixedClock(START))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, runtime=runtime), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    asyncio.run(runtime.close())


async def test_full_round_trip(qmatic_server: str) -> None:
    backend = QmaticBackend(qmatic_server, api_key="k3y")
    try:
        places = await backend.places("single")
        assert [p.id for p in places] == ["branch-a", "branch-b"]
        assert places[0].address == "ul. Przykładowa 1, 61-001 Poznań"
        after = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 8:00 in Poznań
        openings = await backend.openings(
            "branch-a", "single", after=after, until=after + timedelta(days=7), limit=3
        )
        assert [o.start for o in openings] == [
            datetime(2026, 11, 26, 7, 0, tzinfo=UTC),
            datetime(2026, 11, 26, 7, 15, tzinfo=UTC),
            datetime(2026, 11, 26, 7, 30, tzinfo=UTC),
        ]
        assert openings[0].end - openings[0].start == timedelta(minutes=15)
        held = await backend.hold(
            "branch-a", "single", openings[1].start, channel="voice", language="pl",
            conversation_id=None,
        )  # fmt: skip
        assert held.status == "held" and held.code == "" and held.start == openings[1].start
        with pytest.raises(SlotTaken):
            await backend.hold(
                "branch-a", "single", openings[1].start, channel="chat", language="pl",
                conversation_id=None,
            )  # fmt: skip
        visit = await backend.confirm(held.public_id, Customer("Anna Nowak", "+48601234567"))
        assert visit.status == "confirmed" and len(visit.code) == 6
        with pytest.raises(Conflict):
            await backend.confirm(held.public_id, Customer("Anna Nowak", "+48601234567"))
        cancelled = await backend.cancel(held.public_id, channel="chat")
        assert cancelled.status == "cancelled"
        again = await backend.openings(
            "branch-a", "single", after=after, until=after + timedelta(days=7), limit=3
        )
        assert again == openings
        with pytest.raises(NotBookable):
            await backend.hold(
                "branch-a", "single", datetime(2026, 11, 26, 6, 0, tzinfo=UTC), channel="chat",
                language="pl", conversation_id=None,
            )  # fmt: skip
        with pytest.raises(NotFound):
            await backend.places("no-such-service")
    finally:
        await backend.aclose()


async def test_wrong_key_and_dead_server(qmatic_server: str) -> None:
    backend = QmaticBackend(qmatic_server, api_key="wrong")
    try:
        with pytest.raises(QmaticUnavailable, match="401"):
            await backend.places("single")
    finally:
        await backend.aclose()
    dead = QmaticBackend(f"http://127.0.0.1:{_free_port()}", timeout=2)
    try:
        with pytest.raises(QmaticUnavailable, match="did not answer"):
            await dead.places("single")
    finally:
        await dead.aclose()
