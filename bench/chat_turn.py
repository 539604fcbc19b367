"""Chat turn latency and throughput, in-process and over HTTP, plus BM25-only for comparison.

    python bench/chat_turn.py [--turns 1000] [--workers 2]

Uses the database at KONTAKT_DATABASE_URL (default var/kontakt.db, as `make run` leaves it;
it needs the imported knowledge base with vectors). Writes conversations into that database.
Questions are the development set (content/eval/faq_dev.jsonl), cycled.
"""

from __future__ import annotations

import argparse
import asyncio
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
    t0 = time.perf_counter()
    conv = None
    for i in range(turns):
        if i % TURNS_PER_CONVERSATION == 0:
            conv, _ = await chat.start(runtime, language="pl", page="bench")
        assert conv is not None
        t = time.perf_counter()
        await chat.send(runtime, conv.id, questions[i % len(questions)])
        lat.append(time.perf_counter() - t)
    seconds = time.perf_counter() - t0
    n = len(set(questions))
    return "\n".join(
        [
            line("in-process handle_turn (with DB writes), all", lat, seconds),
            line(f"  first {n} turns (every question new: cold)", lat[:n], sum(lat[:n])),
            line("  later turns (repeated questions: query-vector cache)", lat[n:], sum(lat[n:])),
        ]
    )


async def over_http(base: str, questions: list[str], turns: int, concurrency: int) -> str:
    lat: list[float] = []
    per_client = turns // concurrency

    async def client(k: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            cid = ""
            for i in range(per_client):
                if i % TURNS_PER_CONVERSATION == 0:
                    cid = (await c.post("/api/v1/conversations", json={})).json()["id"]
                t = time.perf_counter()
                r = await c.post(
                    f"/api/v1/conversations/{cid}/messages",
                    json={"text": questions[(k * per_client + i) % len(questions)]},
                )
                r.raise_for_status()
                lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(concurrency)))
    return line(f"HTTP, {concurrency} concurrent clients", lat, time.perf_counter() - t0)


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
    args = parser.parse_args()

    runtime = Runtime.build(Settings())
    index = await runtime.chat.index.get()
    topics = {a.topic for a in index.articles}
    dev = read_faq(DEV, topics, {a.id for a in index.articles})
    questions = [i.question for i in dev]
    print(
        f"knowledge base: {len(index.articles)} articles; {len(dev)} dev questions; "
        f"{os.cpu_count()} cores; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
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
    env = {**os.environ, "KONTAKT_CHAT_RATE_LIMIT": "1000000/1"}
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
            for _ in range(300):
                try:
                    if (await c.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            # Warm every worker's index and models before measuring.
            cid = (await c.post("/api/v1/conversations", json={})).json()["id"]
            for q in questions[:20]:
                await c.post(f"/api/v1/conversations/{cid}/messages", json={"text": q}, timeout=120)
        print(
            await over_http(base, questions, args.turns, args.concurrency)
            + f" ({args.workers} workers)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
