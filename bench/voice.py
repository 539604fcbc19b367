"""The voicebot under load: time from the end of the caller's speech to the bot's first
audio, and how many concurrent calls two cores hold.

    python bench/voice.py [--calls 1,5,10,15,20] [--rounds 2] [--var var/bench-voice]
    python bench/voice.py --routing [--parallel 8]

Sets up a scratch installation the way `make run` does (schema, knowledge base, queues, topic
model; kept in ``--var`` between runs), gives every queue a transfer address, and starts the
voice process (`kontakt.voice.server.run`) on its own port. Then for each concurrency N it
places N calls at once, ``--rounds`` times, with `kontakt.voice.caller.place_call` (the
code behind `kontakt voice call`): each caller says a topic sentence after the welcome, and
presses 1 to confirm. Latency is measured by the caller, as a resident would hear it: from
its last speech packet to the first voiced packet of the bot's reply (the end-of-turn
silence the bot waits for is included). A concurrency "holds" when p95 <= 1.0 s and every
call was routed. Beside it, the bot's own account of the same turns, per stage (p50/p95,
from its timing log in ``--var``/voice.log): the end-of-turn silence, recognition after
the turn ended, the dialogue's decision, rendering the prompt, starting to play it, and the
prompt's lead-in before its first sound.

``--routing`` is issue #7's spoken-routing measurement instead: the 66 phrasings of
tests/voice/data/speech_routing.yaml (22 topics x 3, held out from the training data), each
said after the welcome by a caller who answers the bot's guesses truthfully (key 1 for its
own topic, key 2 for any other: bench/voice_answer.py). It prints the share routed to the right queue by speech,
then calls every miss again on the keypad menu and prints the share routed in the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml
from voice_answer import TruthfulCaller

from kontakt.routing.catalog import load_queues
from kontakt.voice.caller import CallResult, place_call
from kontakt.voice.keypad import menu_keys
from kontakt.voice.tts import EspeakTts

ROOT = Path(__file__).parents[1]
PHRASES = ROOT / "tests" / "voice" / "data" / "speech_routing.yaml"
GOAL_P95_S = 1.0


def kontakt(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "kontakt", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def prepare(var: Path) -> dict[str, str]:
    var.mkdir(parents=True, exist_ok=True)
    db = (var / "kontakt.db").resolve()
    env = {
        **os.environ,
        "KONTAKT_VAR_DIR": str(var.resolve()),
        "KONTAKT_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "KONTAKT_SIP_MAX_CALLS": "64",
    }
    if not db.exists():
        kontakt(env, "db", "upgrade")
        kontakt(env, "kb", "import", "content/")
        kontakt(env, "desk", "import", "content/")
    kontakt(env, "train", "--if-stale")  # a model for the configured embedder and content
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE queues SET sip_uri = 'sip:queue-' || id || '@127.0.0.1:5090'")
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_for_sip(port: int, timeout_s: float = 120.0) -> None:
    """Until the voice process answers OPTIONS (it loads its models before listening)."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + timeout_s
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        here = sock.getsockname()[1]
        while time.monotonic() < deadline:
            ping = (
                f"OPTIONS sip:bot@127.0.0.1:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{here};branch=z9hG4bK{time.monotonic_ns()}\r\n"
                "From: <sip:bench@127.0.0.1>;tag=b\r\nTo: <sip:bot@127.0.0.1>\r\n"
                f"Call-ID: ping-{time.monotonic_ns()}\r\nCSeq: 1 OPTIONS\r\n"
                "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            )
            await loop.sock_sendto(sock, ping.encode(), ("127.0.0.1", port))
            try:
                await asyncio.wait_for(loop.sock_recv(sock, 4096), 1.0)
                return
            except TimeoutError:
                continue
    raise SystemExit("the voice process did not start")


def start_voice(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """The voice process, logging to ``log_path``, with its per-turn timing (DEBUG lines of
    kontakt.voice.latency: where each answered turn's wait went)."""
    code = (
        "import logging\n"
        "logging.getLogger('kontakt.voice.latency').setLevel(logging.DEBUG)\n"
        "from kontakt.config import Settings\n"
        "from kontakt.voice.server import run\n"
        "run(Settings())\n"
    )
    with log_path.open("w") as log:  # the child keeps its own descriptor of it
        return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip


# The stages of the voice process's timing line (call_io._log_timing), in its order.
STAGES = ("end of turn", "recognition", "dialogue", "prompt", "playout", "lead-in")
TIMING = re.compile(r"turn answered ([\d.]+) s after .*?: " + ", ".join(
    rf"{name} ([\d.]+)" for name in STAGES))  # fmt: skip


def stages(log_path: Path, offset: int) -> str:
    """p50/p95 of each stage over the turns logged since ``offset``."""
    with log_path.open(encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        rows = [[float(x) for x in m.groups()[1:]] for m in TIMING.finditer(log.read())]
    if not rows:
        return "(no timing logged)"
    columns = zip(*rows, strict=True)
    return " | ".join(f"{statistics.median(c):.2f}/{percentile(list(c), 0.95):.2f}"
                      for c in columns)  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def round_of(target: str, n: int, phrases: list[str], tts: EspeakTts) -> list[CallResult]:
    async def one(i: int) -> CallResult:
        await asyncio.sleep(random.uniform(0, 1.0))  # callers do not all dial on one tick
        text = phrases[i % len(phrases)]
        return await place_call(target, text=text, dtmf="_1", timeout_s=120, tts=tts)

    return await asyncio.gather(*(one(i) for i in range(n)))


def expected_queue(topic: str) -> str:
    """As the desk routes a Polish caller: the topic's queue, or the general one."""
    for queue in load_queues(ROOT / "content"):
        if topic in queue.topics and "pl" in queue.languages:
            return queue.id
    return "general"


def fallback_keys(queue_id: str) -> str:
    """1 (Polish), 0 (the menu), then the menu's keys for the queue."""
    return "10" + menu_keys([q.id for q in load_queues(ROOT / "content")], queue_id)


async def routing(target: str, tts: EspeakTts, parallel: int) -> None:
    cases = [(topic, text) for topic, texts in yaml.safe_load(PHRASES.read_text()).items()
             for text in texts]  # fmt: skip
    gate = asyncio.Semaphore(parallel)
    truthful = TruthfulCaller(ROOT / "content", tts)

    async def call(text: str | None, keys: str, topic: str) -> CallResult:
        async with gate:
            return await place_call(
                target, text=text, dtmf=keys, timeout_s=120, tts=tts,
                answer=truthful.answer_for(topic),
            )  # fmt: skip

    # Say the sentence, then answer up to two guesses (the bot's first and, after a "no",
    # its second) as the caller would: yes to the right topic, no to any other.
    spoken = await asyncio.gather(*(call(text, "_??", topic) for topic, text in cases))
    misses = []
    for (topic, text), r in zip(cases, spoken, strict=True):
        h = r.refer_headers
        if not (h.get("X-Kontakt-Method") == "speech"
                and h.get("X-Kontakt-Queue") == expected_queue(topic)):  # fmt: skip
            misses.append((topic, text, r.line()))
    right = len(cases) - len(misses)
    print(f"routed by speech: {right}/{len(cases)} = {right / len(cases):.2f}")
    for miss in misses:
        print("  miss:", *miss, sep=" | ")
    keyed = await asyncio.gather(
        *(call(None, fallback_keys(expected_queue(topic)), topic) for topic, _, _ in misses)
    )
    fixed = sum(
        r.refer_headers.get("X-Kontakt-Queue") == expected_queue(topic)
        for (topic, _, _), r in zip(misses, keyed, strict=True)
    )
    total = right + fixed
    print(f"routed with the keypad fallback: {total}/{len(cases)} = {total / len(cases):.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="1,5,10,15,20")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "bench-voice")
    parser.add_argument("--routing", action="store_true", help="the 66-call routing measure")
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    env = prepare(args.var)
    port = free_port()
    env["KONTAKT_SIP_PORT"] = str(port)
    log_path = args.var / "voice.log"
    voice = start_voice(env, log_path)
    tts = EspeakTts(cache_dir=args.var / "caller-tts")
    phrases = [t for texts in yaml.safe_load(PHRASES.read_text()).values() for t in texts]
    random.seed(7)
    random.shuffle(phrases)
    target = f"sip:bot@127.0.0.1:{port}"
    try:
        await wait_for_sip(port)
        await round_of(target, 1, phrases, tts)  # warm-up: models loaded, prompts rendered
        if args.routing:
            await routing(target, tts, args.parallel)
            return
        print(f"{'calls':>5} {'routed':>7} {'p50 s':>6} {'p95 s':>6} {'max s':>6}  holds"
              "   (the bot's own timing, p50/p95 s: " + " | ".join(STAGES) + ")")  # fmt: skip
        for n in (int(x) for x in args.calls.split(",")):
            results: list[CallResult] = []
            logged = log_path.stat().st_size
            for _ in range(args.rounds):
                results += await round_of(target, n, phrases, tts)
            await asyncio.sleep(0.5)  # the voice process's last log lines
            lat = [r.latency_s for r in results if r.latency_s is not None]
            routed = sum(r.outcome == "transferred" for r in results)
            if not lat:
                print(f"{n:>5} {routed:>3}/{len(results):<3} no latency measured")
                continue
            p50, p95 = statistics.median(lat), percentile(lat, 0.95)
            holds = p95 <= GOAL_P95_S and routed == len(results)
            print(f"{n:>5} {routed:>3}/{len(results):<3} {p50:6.2f} {p95:6.2f} {max(lat):6.2f}"
                  f"  {'yes' if holds else 'no ':3}   {stages(log_path, logged)}")  # fmt: skip
    finally:
        voice.terminate()
        voice.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
