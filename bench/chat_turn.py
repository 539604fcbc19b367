"""Chat turn latency and throughput, in-process and over HTTP, plus BM25-only for comparison.

    python bench/chat_turn.py [--turns 1000] [--workers 2] [--client raw|httpx] [--passes 2]

Uses the database at KONTAKT_DATABASE_URL (default var/kontakt.db, as `make run` leaves it;
it needs the imported knowledge base with vectors). Writes conversations into that database.
Questions are the development set (content/eval/faq_dev.jsonl), cycled.

Over HTTP every conversation is one resident: its own keep-alive connection, five messages.
The kernel hands a burst of new connections to whichever worker accepts first, so eight
long-lived connections opened at once often all landed on one worker and the second sat
idle. The default client is a plain asyncio HTTP/1.1 client (it still checks every status
and parses every reply): httpx cost ~1.7 ms of CPU per turn on the two cores the server
uses, the plain client ~0.3 ms. CPU time is reported per turn for the server's processes
and for the client, because on a shared machine turns/s also depends on the neighbours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kontakt.config import Settings
from kontakt.conversations import chat
from kontakt.evaluation.datasets import read_faq
from kontakt.evaluation.faq import evaluate, search_query
from kontakt.runtime import Runtime

DEV = Path("content/eval/faq_dev.jsonl")
TURNS_PER_CONVERSATION = 5
OUTCOMES = ("answer", "ask", "booked", "transfer", "end")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(name: str, lat: list[float], seconds: float) -> str:
    return (
        f"{name}: {len(lat)} turns, p50 {pct(lat, 50) * 1000:.1f} ms, "
        f"p99 {pct(lat, 99) * 1000:.1f} ms, {len(lat) / seconds:.1f} turns/s"
    )


async def in_process(runtime: Runtime, questions: list[str], turns: int) -> str:
    lat: list[float] = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    conv = None
    for i in range(turns):
        if i % TURNS_PER_CONVERSATION == 0:
            conv, _ = await chat.start(runtime, language="pl", page="bench")
        assert conv is not None
        t = time.perf_counter()
        await chat.send(runtime, conv.id, questions[i % len(questions)])
        lat.append(time.perf_counter() - t)
    seconds = time.perf_counter() - t0
    cpu_ms = (time.process_time() - cpu0) / turns * 1000
    n = len(set(questions))
    return "\n".join(
        [
            line("in-process handle_turn (with DB writes), all", lat, seconds)
            + f"; CPU {cpu_ms:.2f} ms per turn (all threads)",
            line(f"  first {n} turns (every question new: cold)", lat[:n], sum(lat[:n])),
            line("  later turns (repeated questions: query-vector cache)", lat[n:], sum(lat[n:])),
        ]
    )


class RawClient:
    """HTTP/1.1 over one keep-alive connection: JSON POSTs, replies read by Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> RawClient:
        return cls(*await asyncio.open_connection(host, port))

    async def post(self, path: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
        data = json.dumps(body).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(
            int(h.split(":", 1)[1]) for h in head if h.lower().startswith("content-length:")
        )
        return int(head[0].split()[1]), json.loads(await self.reader.readexactly(length))

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def raw_conversation(port: int, texts: list[str], lat: list[float]) -> None:
    client = await RawClient.open("127.0.0.1", port)
    try:
        status, created = await client.post("/api/v1/conversations", {})
        assert status == 201, (status, created)
        for text in texts:
            t = time.perf_counter()
            status, reply = await client.post(
                f"/api/v1/conversations/{created['id']}/messages", {"text": text}
            )
            assert status == 200 and reply["type"] in OUTCOMES, (status, reply)
            lat.append(time.perf_counter() - t)
    finally:
        await client.close()


async def httpx_conversation(base: str, texts: list[str], lat: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        created = await c.post("/api/v1/conversations", json={})
        created.raise_for_status()
        for text in texts:
            t = time.perf_counter()
            r = await c.post(
                f"/api/v1/conversations/{created.json()['id']}/messages", json={"text": text}
            )
            r.raise_for_status()
            lat.append(time.perf_counter() - t)


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


async def over_http(
    port: int, server_pid: int, questions: list[str], turns: int, concurrency: int, kind: str
) -> str:
    lat: list[float] = []
    per_client = turns // concurrency

    async def client(k: int) -> None:
        for start in range(0, per_client, TURNS_PER_CONVERSATION):
            texts = [
                questions[(k * per_client + i) % len(questions)]
                for i in range(start, min(per_client, start + TURNS_PER_CONVERSATION))
            ]
            if kind == "raw":
                await raw_conversation(port, texts, lat)
            else:
                await httpx_conversation(f"http://127.0.0.1:{port}", texts, lat)

    server0, client0, t0 = process_tree_cpu(server_pid), time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(concurrency)))
    seconds = time.perf_counter() - t0
    server_cpu = process_tree_cpu(server_pid) - server0
    client_cpu = time.process_time() - client0
    return (
        line(f"HTTP, {concurrency} concurrent clients ({kind} client)", lat, seconds)
        + f"; CPU per turn: server {server_cpu / len(lat) * 1000:.2f} ms,"
        f" client {client_cpu / len(lat) * 1000:.2f} ms"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--http-only", action="store_true")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--passes", type=int, default=2, help="HTTP passes over the turns")
    args = parser.parse_args()

    runtime = Runtime.build(Settings())
    index = await runtime.chat.index.get()
    topics = {a.topic for a in index.articles}
    dev = read_faq(DEV, topics, {a.id for a in index.articles})
    questions = [i.question for i in dev]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}; knowledge base: {len(index.articles)} articles; "
        f"{len(dev)} dev questions; embedder {runtime.settings.embedder}; {os.cpu_count()} "
        f"cores; load average {os.getloadavg()[0]:.2f}; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )

    # Quality and search latency: fused (tuned) versus BM25 only, same questions, same run.
    for name, dense in (
        () if args.http_only else (("fused dense+BM25 (tuned)", True), ("BM25 only", False))
    ):
        lat = []
        for item in dev:
            query, lang = search_query(index.normalizer, item.question, item.lang)
            t = time.perf_counter()
            index.search(query, lang, use_dense=dense)
            lat.append(time.perf_counter() - t)
        total = evaluate(index, dev, use_dense=dense).total()
        print(
            f"{name}: article hit@1 {total.article_hit1 / total.with_ids:.3f}, "
            f"topic hit@1 {total.topic_hit1 / total.n:.3f}, search p50 "
            f"{pct(lat, 50) * 1000:.1f} ms, p99 {pct(lat, 99) * 1000:.1f} ms"
        )

    await runtime.close()
    if args.http_only:
        await http_part(args, questions)
        return
    # A fresh runtime, so the first pass over the questions really is cold.
    fresh = Runtime.build(Settings())
    await fresh.chat.warm_up()
    print(await in_process(fresh, questions, args.turns))
    await fresh.close()
    await http_part(args, questions)


async def http_part(args: argparse.Namespace, questions: list[str]) -> None:
    port = free_port()
    # A high rate limit (all turns come from one address) and no SIP endpoint: its
    # recogniser processes are not part of a chat turn and would share the cores.
    env = {**os.environ, "KONTAKT_CHAT_RATE_LIMIT": "1000000/1", "KONTAKT_SIP_PORT": "0"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kontakt",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as c:
            for _ in range(600):
                try:
                    if (await c.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        # Every worker loads its models and index at start-up; a few conversations on fresh
        # connections exercise the request path of each before measuring.
        warm: list[float] = []
        await asyncio.gather(
            *(
                raw_conversation(port, questions[k * 5 : k * 5 + 5], warm)
                for k in range(4 * args.workers)
            )
        )
        for n in range(1, args.passes + 1):
            # Pass 1 meets most questions for the first time in each worker (query vectors
            # are cached per worker); later passes repeat them.
            result = await over_http(
                port, server.pid, questions, args.turns, args.concurrency, args.client
            )
            print(f"pass {n}: {result} ({args.workers} workers)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
