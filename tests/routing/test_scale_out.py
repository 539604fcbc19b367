"""Two uvicorn workers and Redis serve one desk: a consultant's reply made on one worker
wakes residents' long polls and desks' sockets on both."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import websockets

from kontakt.clock import FixedClock
from kontakt.conversations.service import open_conversation
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.users.service import create_user
from tests.conftest import _chat_settings

PASSWORD = "poprawne-haslo-42"
REDIS = os.environ.get("KONTAKT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
OPEN_OFFICE = FixedClock(datetime(2026, 11, 25, 11, 0, tzinfo=UTC))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def two_workers(
    kb_template: Path, tmp_path: Path, topic_model_dir: Path
) -> Iterator[tuple[str, list[str]]]:
    settings = _chat_settings(kb_template, tmp_path, topic_model_dir)
    conversations: list[str] = []

    async def prepare() -> None:
        # Residents already waiting in line (queued while the office was open).
        runtime = Runtime.build(settings, OPEN_OFFICE)
        async with runtime.transaction() as session:
            await create_user(session, "ala", PASSWORD, "agent", actor="t", clock=OPEN_OFFICE)
            desk = Desk(session, OPEN_OFFICE)
            for _ in range(3):
                conv = await open_conversation(
                    session, channel="web", language="pl", clock=OPEN_OFFICE
                )
                await desk.handoff(conv)
                conversations.append(str(conv.id))
        await runtime.close()

    asyncio.run(prepare())
    port = _port()
    env = {
        **os.environ,
        "KONTAKT_DATABASE_URL": settings.database_url,
        "KONTAKT_VAR_DIR": str(settings.var_dir),
        "KONTAKT_SECRET_KEY": "two-workers-share-this",
        "KONTAKT_REDIS_URL": REDIS,
        "KONTAKT_SIP_PORT": "0",
        "KONTAKT_WARM_UP": "false",
        "KONTAKT_CHAT_RATE_LIMIT": "1000/60",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kontakt", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("the two-worker server did not start")
        time.sleep(0.2)
    try:
        yield base, conversations
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


async def _login(client: httpx.AsyncClient) -> str:
    page = await client.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    await client.post(
        "/admin/login", data={"username": "ala", "password": PASSWORD, "csrf": token.group(1)}
    )
    me = await client.get("/api/v1/desk/me")
    assert me.status_code == 200, me.text
    csrf: str = me.json()["csrf"]
    return csrf


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
async def test_reply_on_one_worker_reaches_waiters_on_both(
    two_workers: tuple[str, list[str]],
) -> None:
    base, _conversations = two_workers
    async with httpx.AsyncClient(base_url=base, timeout=30) as agent:
        csrf = await _login(agent)
        headers = {"X-CSRF-Token": csrf}
        assert (await agent.post("/api/v1/desk/me/state", json={"state": "available"},
                                 headers=headers)).status_code == 200  # fmt: skip
        line = (await agent.get("/api/v1/desk/queue")).json()["entries"]
        assert len(line) == 3
        entry = line[0]["id"]
        accepted = await agent.post(f"/api/v1/desk/entries/{entry}/accept", headers=headers)
        cid = accepted.json()["conversation_id"]

        cookie = "; ".join(f"{k}={v}" for k, v in agent.cookies.items())
        ws_url = base.replace("http://", "ws://") + "/api/v1/desk/ws"
        sockets = [
            await websockets.connect(ws_url, additional_headers={"Cookie": cookie})
            for _ in range(6)
        ]

        # Ten residents' tabs long-poll the same conversation, spread over both workers.
        async def wait_for_reply() -> tuple[float, list[str]]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as c:
                r = await c.get(f"/api/v1/conversations/{cid}/updates?wait=20")
                return time.monotonic(), [m["text"] for m in r.json()["messages"]]

        polls = [asyncio.create_task(wait_for_reply()) for _ in range(10)]
        await asyncio.sleep(1.0)  # every poll is now parked on its worker
        sent = time.monotonic()
        text = f"Dzień dobry, tu Ala ({uuid.uuid4().hex[:6]})."
        reply = await agent.post(
            f"/api/v1/desk/entries/{entry}/reply", json={"text": text}, headers=headers
        )
        assert reply.status_code == 200
        results = await asyncio.gather(*polls)
        assert all(texts == [text] for _, texts in results), results
        assert max(at - sent for at, _ in results) < 5.0  # woken, not timed out (20 s)

        for ws in sockets:
            while True:
                message = await asyncio.wait_for(ws.recv(), 10)
                if '"changed"' in str(message):
                    break
            await ws.close()
