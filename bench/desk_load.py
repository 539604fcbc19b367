"""Desk under load: residents chatting with consultants through 2 workers and Redis.

    python bench/desk_load.py [--residents 200] [--agents 20] [--seconds 60] [--workers 2]
                              [--postgres URL] [--redis URL]

Sets up a fresh PostgreSQL database (schema, topics, queues, agent accounts), serves it with
`kontakt serve --workers N` and KONTAKT_REDIS_URL, then for ``--seconds``:
- each resident opens a chat, asks for a consultant, writes a message every 2–4 s and
  long-polls for the consultant's replies; when a consultant closes, it starts over;
- each agent takes the next contact, answers every message of the resident, and closes after
  3 replies with a wrap-up code.
Every message carries a unique token. Afterwards the event log is checked: every resident
message and every reply stored exactly once, every reply delivered to its resident. The
delivery latency is from the agent's reply request to the resident's long poll returning it.
The office clock is set to a Wednesday morning (KONTAKT_CLOCK_START), so it runs any day.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx

from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.routing.catalog import import_queues, load_queues
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.users.service import create_user

CLOCK_START = "2026-11-25T08:00:00+01:00"
PASSWORD = "obciazenie-haslo-42"
TOKEN = re.compile(r"\[(r|a)-[0-9a-f]{12}\]")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


class Stats:
    def __init__(self) -> None:
        self.resident_sent: list[str] = []
        self.agent_sent: dict[str, float] = {}  # token -> when the reply request started
        self.delivered: dict[str, float] = {}  # token -> when the resident got it
        self.duplicates_seen = 0
        self.contacts_closed = 0
        self.errors: Counter[str] = Counter()


async def prepare(url: str, agents: int, var: Path) -> None:
    clock = FixedClock(datetime.fromisoformat(CLOCK_START))
    settings = Settings(database_url=url, secret_key="bench", var_dir=var, warm_up=False)
    runtime = Runtime.build(settings, clock)
    async with runtime.engine.begin() as conn:
        await upgrade_connection(conn)
    async with runtime.transaction() as session:
        content = load_content(Path("content"))
        content.articles = []
        await import_content(session, content, actor="bench", clock=clock)
        await import_queues(session, load_queues(Path("content")))
        desk = Desk(session, clock)
        for i in range(agents):
            user = await create_user(session, f"agent{i:02d}", PASSWORD, "agent", actor="bench",
                                     clock=clock)  # fmt: skip
            profile = await desk.agent(user.id, f"Agent {i}")
            profile.languages = ["pl", "uk", "en"]
    await runtime.close()


async def resident(base: str, stop: float, stats: Stats, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=40) as c:
        while time.monotonic() < stop:
            try:
                cid = (await c.post("/api/v1/conversations", json={"language": "pl"})).json()["id"]
                r = await c.post(f"/api/v1/conversations/{cid}/messages",
                                 json={"text": "chcę rozmawiać z konsultantem"})  # fmt: skip
                if r.json().get("reason") != "queued":
                    stats.errors["not queued: " + str(r.json().get("reason"))] += 1
                    await asyncio.sleep(2)
                    continue
                await _converse(c, cid, stop, stats, rng)
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                stats.errors[f"resident: {type(exc).__name__}"] += 1
                await asyncio.sleep(1)


async def _converse(c: httpx.AsyncClient, cid: str, stop: float, stats: Stats,
                    rng: random.Random) -> None:  # fmt: skip
    after = 0
    next_message = time.monotonic()
    seen: set[str] = set()
    # After the end, keep listening a little so replies in flight are still delivered.
    while time.monotonic() < stop + 5:
        if time.monotonic() >= next_message and time.monotonic() < stop:
            token = f"[r-{uuid.uuid4().hex[:12]}]"
            r = await c.post(f"/api/v1/conversations/{cid}/messages",
                             json={"text": f"Mam pytanie {token}", "client_id": token})  # fmt: skip
            r.raise_for_status()
            stats.resident_sent.append(token)
            next_message = time.monotonic() + rng.uniform(2, 4)
        wait = max(0.5, min(5.0, next_message - time.monotonic()))
        r = await c.get(f"/api/v1/conversations/{cid}/updates",
                        params={"after": after, "wait": round(wait, 1)})  # fmt: skip
        r.raise_for_status()
        u = r.json()
        got = time.monotonic()
        for m in u["messages"]:
            match = TOKEN.search(m["text"])
            if match is None:
                continue
            token = match.group(0)
            if token in seen:
                stats.duplicates_seen += 1
            seen.add(token)
            stats.delivered.setdefault(token, got)
        after = u["last"]
        if u["owner"] == "bot":
            return


async def agent(base: str, name: str, stop: float, stats: Stats) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=40) as c:
        page = await c.get("/admin/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        await c.post("/admin/login",
                     data={"username": name, "password": PASSWORD, "csrf": token.group(1)})  # fmt: skip
        csrf = (await c.get("/api/v1/desk/me")).json()["csrf"]
        h = {"X-CSRF-Token": csrf}
        await c.post("/api/v1/desk/me/state", json={"state": "available"}, headers=h)
        while time.monotonic() < stop:
            line = (await c.get("/api/v1/desk/queue")).json()["entries"]
            if not line:
                await asyncio.sleep(0.5)
                continue
            entry = line[0]["id"]
            r = await c.post(f"/api/v1/desk/entries/{entry}/accept", headers=h)
            if r.status_code == 409:
                continue  # another agent was quicker
            r.raise_for_status()
            answered: set[int] = set()
            replies = 0
            while replies < 3 and time.monotonic() < stop:
                contact = (await c.get(f"/api/v1/desk/entries/{entry}")).json()
                new = [t for t in contact["transcript"]
                       if t["who"] == "resident" and t["id"] not in answered
                       and "[r-" in t["text"]]  # fmt: skip
                if not new:
                    await asyncio.sleep(1.0)  # a person reads the desk about once a second
                    continue
                for t in new:
                    answered.add(t["id"])
                reply_token = f"[a-{uuid.uuid4().hex[:12]}]"
                stats.agent_sent[reply_token] = time.monotonic()
                r = await c.post(f"/api/v1/desk/entries/{entry}/reply",
                                 json={"text": f"Odpowiadam {reply_token}"}, headers=h)  # fmt: skip
                if r.status_code != 200:
                    stats.errors[f"reply {r.status_code}"] += 1
                    del stats.agent_sent[reply_token]
                replies += 1
            await c.post(f"/api/v1/desk/entries/{entry}/end", headers=h)
            await c.post(f"/api/v1/desk/entries/{entry}/wrap-up",
                         json={"code": "general"}, headers=h)  # fmt: skip
            stats.contacts_closed += 1


async def check(dsn: str, stats: Stats) -> tuple[int, int, int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT kind, payload->>'text' AS text FROM events "
            "WHERE kind IN ('message_received', 'agent_replied')"
        )
    finally:
        await conn.close()
    stored: Counter[str] = Counter()
    for row in rows:
        match = TOKEN.search(row["text"] or "")
        if match:
            stored[match.group(0)] += 1
    sent = stats.resident_sent + list(stats.agent_sent)
    missing = sum(1 for t in sent if stored[t] == 0)
    doubled = sum(1 for t in sent if stored[t] > 1)
    undelivered = sum(1 for t in stats.agent_sent if t not in stats.delivered)
    return len(sent), missing, doubled, undelivered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    name = f"kontakt_desk_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.postgres)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    dsn = args.postgres.rsplit("/", 1)[0] + "/" + name
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    proc = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await prepare(url, args.agents, Path(tmp) / "var")
            port = free_port()
            log = open(os.environ.get("DESK_LOAD_SERVER_LOG", os.devnull), "wb")  # noqa: SIM115, ASYNC230
            env = {**os.environ, "KONTAKT_DATABASE_URL": url, "KONTAKT_VAR_DIR": f"{tmp}/var",
                   "KONTAKT_SECRET_KEY": "bench-" + uuid.uuid4().hex,
                   "KONTAKT_REDIS_URL": args.redis, "KONTAKT_WARM_UP": "true", "KONTAKT_SIP_PORT": "0",
                   "KONTAKT_CHAT_RATE_LIMIT": "100000/60", "KONTAKT_CLOCK_START": CLOCK_START}  # fmt: skip
            proc = subprocess.Popen(
                [sys.executable, "-m", "kontakt", "serve", "--port", str(port),
                 "--workers", str(args.workers)],
                env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(timeout=1) as probe:
                for _ in range(300):
                    try:
                        if (await probe.get(base + "/health")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.2)
            stats = Stats()
            stop = time.monotonic() + args.seconds
            rng = random.Random(5)
            t0 = time.monotonic()
            await asyncio.gather(
                *(resident(base, stop, stats, random.Random(rng.random()))
                  for _ in range(args.residents)),
                *(agent(base, f"agent{i:02d}", stop, stats) for i in range(args.agents)),
            )  # fmt: skip
            elapsed = time.monotonic() - t0
            sent, missing, doubled, undelivered = await check(dsn, stats)
            latency = [stats.delivered[t] - s for t, s in stats.agent_sent.items()
                       if t in stats.delivered]  # fmt: skip
            print(f"{args.residents} residents, {args.agents} agents, {args.workers} workers + "
                  f"Redis, PostgreSQL, {elapsed:.0f} s")  # fmt: skip
            print(f"  messages: {len(stats.resident_sent)} from residents, "
                  f"{len(stats.agent_sent)} replies; {stats.contacts_closed} contacts closed")  # fmt: skip
            print(f"  stored exactly once: {sent - missing - doubled}/{sent} "
                  f"(missing {missing}, stored twice {doubled})")  # fmt: skip
            print(f"  replies delivered: {len(stats.agent_sent) - undelivered}/"
                  f"{len(stats.agent_sent)}; shown twice: {stats.duplicates_seen}")  # fmt: skip
            print(f"  delivery latency: p50 {pct(latency, 50) * 1000:.0f} ms, "
                  f"p99 {pct(latency, 99) * 1000:.0f} ms, max {max(latency or [0]) * 1000:.0f} ms")  # fmt: skip
            if stats.errors:
                print("  errors:", dict(stats.errors))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        admin = await asyncpg.connect(args.postgres)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
