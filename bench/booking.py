"""Booking engine: slot search latency and confirmed bookings per second, SQLite and PostgreSQL.

    python bench/booking.py [--units 20] [--services 30] [--days 60] [--searches 1000]
                            [--bookings 2000] [--concurrency 8] [--postgres URL]

Builds a synthetic catalog (every service at every unit, Mon–Fri 8:00–16:00, 15-minute slots,
2 counters, 60 days ahead), fills about a fifth of all seats with confirmed visits, then:
- slot search: the dialogue's query (the 3 nearest free times within 7 days from a random
  day) and the Qmatic "times of one day" query, each p50/p99;
- bookings: hold + confirm in two transactions (as the API does), ``--concurrency`` at once,
  on random free-looking slots; conflicts are retried on another slot and counted.
Each database is created fresh (SQLite in a temp file; PostgreSQL as a new database).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import insert

from kontakt.booking.catalog import CatalogDoc, import_catalog
from kontakt.booking.customer import Customer
from kontakt.booking.models import Reservation
from kontakt.booking.service import BookingError, new_code
from kontakt.booking.slots import day_starts
from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.runtime import Runtime

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 7:00 in Poznań
TZ = ZoneInfo("Europe/Warsaw")
HOURS = {d: ["08:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def catalog(units: int, services: int, days: int) -> CatalogDoc:
    names = {"pl": "Oddział", "uk": "Відділ", "en": "Branch"}
    return CatalogDoc.model_validate(
        {
            "units": [
                {
                    "id": f"unit-{u:02d}",
                    "org_unit": "wsoiuk",
                    "name": {k: f"{v} {u}" for k, v in names.items()},
                    "address": "",
                    "check_at": "https://www.poznan.pl/",
                    "hours": HOURS,
                }
                for u in range(units)
            ],
            "services": [
                {
                    "id": f"service-{s:02d}",
                    "name": {"pl": f"Usługa {s}", "uk": f"Послуга {s}", "en": f"Service {s}"},
                    "topic": "citizen_affairs",
                    "duration_min": 15,
                    "capacity": 2,
                    "book_ahead_days": days,
                    "units": [f"unit-{u:02d}" for u in range(units)],
                    "keywords": {"pl": [f"usluga {s}"], "uk": [f"послуга {s}"], "en": [f"s {s}"]},
                }
                for s in range(services)
            ],
        }
    )


async def prepare(url: str, args: argparse.Namespace, var: Path) -> Runtime:
    settings = Settings(database_url=url, secret_key="bench", var_dir=var, warm_up=False)
    runtime = Runtime.build(settings, FixedClock(NOW))
    async with runtime.engine.begin() as conn:
        await upgrade_connection(conn)
    doc = catalog(args.units, args.services, args.days)
    async with runtime.transaction() as session:
        content = load_content(Path("content"))
        content.articles = []
        await import_content(session, content, actor="bench", clock=runtime.clock)
        await import_catalog(session, doc)
    # About a fifth of all seats are already booked, spread at random.
    rng = random.Random(7)
    schedule_days = [NOW.date() + timedelta(days=i) for i in range(args.days)]
    starts = [s for d in schedule_days for s in _starts(d)]
    rows = []
    seen = set()
    codes: set[str] = set()
    total = args.units * args.services * len(starts) * 2
    while len(rows) < total // 5:
        key = (rng.randrange(args.units), rng.randrange(args.services), rng.choice(starts))
        seat = sum((*key, s) in seen for s in range(2))
        if seat >= 2:
            continue
        seen.add((*key, seat))
        code = new_code()
        while code in codes:
            code = new_code()
        codes.add(code)
        rows.append(_row(code, f"unit-{key[0]:02d}", f"service-{key[1]:02d}", key[2], seat))
    async with runtime.transaction() as session:
        for i in range(0, len(rows), 5000):
            await session.execute(insert(Reservation), rows[i : i + 5000])
    print(f"  {len(rows)} visits preloaded ({total} seats in the calendar)")
    return runtime


def _starts(day: date) -> list[datetime]:
    from kontakt.booking.slots import Schedule

    schedule = Schedule("Europe/Warsaw", {k: [v[0].split("-")] for k, v in HOURS.items()},
                        frozenset(), 15, 2, 60)  # fmt: skip
    return day_starts(schedule, day)


def _row(code: str, unit: str, service: str, start: datetime, seat: int) -> dict[str, object]:
    return {
        "id": uuid.uuid4(), "public_id": uuid.uuid4().hex, "code": code,
        "unit_id": unit, "service_id": service, "start": start,
        "end": start + timedelta(minutes=15), "seat": seat, "status": "confirmed",
        "hold_expires_at": None, "channel": "bench", "language": "pl",
        "conversation_id": None, "customer_name": "Jan Test", "phone": "+48601234567",
        "email": "", "pesel": "", "notes": "", "created_at": NOW, "confirmed_at": NOW,
        "cancelled_at": None, "replaces": None,
    }  # fmt: skip


async def searches(runtime: Runtime, args: argparse.Namespace) -> list[str]:
    rng = random.Random(11)
    nearest: list[float] = []
    one_day: list[float] = []
    for _ in range(args.searches):
        unit = f"unit-{rng.randrange(args.units):02d}"
        service = f"service-{rng.randrange(args.services):02d}"
        after = NOW + timedelta(days=rng.randrange(args.days - 7), hours=rng.randrange(10))
        t = time.perf_counter()
        async with runtime.transaction() as session:
            b = runtime.bookings(session)
            u, s = await b.offering(unit, service)
            found = (await b.upcoming(u, s, after=after, days=7))[:3]
        nearest.append(time.perf_counter() - t)
        assert found, "no free slot found"
        day = after.astimezone(TZ).date()
        t = time.perf_counter()
        async with runtime.transaction() as session:
            b = runtime.bookings(session)
            u, s = await b.offering(unit, service)
            await b.free_slots(u, s, day, day)
        one_day.append(time.perf_counter() - t)
    return [
        f"  slot search, 3 nearest within 7 days: p50 {pct(nearest, 50) * 1000:.2f} ms, "
        f"p99 {pct(nearest, 99) * 1000:.2f} ms ({len(nearest)} searches)",
        f"  slot search, times of one day:        p50 {pct(one_day, 50) * 1000:.2f} ms, "
        f"p99 {pct(one_day, 99) * 1000:.2f} ms",
    ]


async def bookings(runtime: Runtime, args: argparse.Namespace) -> str:
    rng = random.Random(13)
    done = 0
    conflicts = 0
    customer = Customer("Anna Bench", "+48601234567")

    async def one() -> None:
        nonlocal done, conflicts
        while True:
            unit = f"unit-{rng.randrange(args.units):02d}"
            service = f"service-{rng.randrange(args.services):02d}"
            day = NOW.date() + timedelta(days=1 + rng.randrange(args.days - 2))
            starts = _starts(day)
            if not starts:
                continue
            start = rng.choice(starts)
            try:
                async with runtime.transaction() as session:
                    held = await runtime.bookings(session).hold(
                        unit, service, start, channel="bench"
                    )
                async with runtime.transaction() as session:
                    await runtime.bookings(session).confirm(held.public_id, customer)
            except BookingError:
                conflicts += 1
                continue
            done += 1
            return

    async def worker(n: int) -> None:
        for _ in range(n):
            await one()

    per = args.bookings // args.concurrency
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(per) for _ in range(args.concurrency)))
    seconds = time.perf_counter() - t0
    return (
        f"  confirmed bookings: {done} in {seconds:.1f} s = {done / seconds:.0f}/s "
        f"({args.concurrency} concurrent; {conflicts} slots found full and retried)"
    )


async def run(name: str, url: str, args: argparse.Namespace, var: Path) -> None:
    print(f"{name}:")
    runtime = await prepare(url, args, var)
    try:
        for text in await searches(runtime, args):
            print(text)
        print(await bookings(runtime, args))
    finally:
        await runtime.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--services", type=int, default=30)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(
        f"{args.units} units x {args.services} services x {args.days} days "
        f"(Mon-Fri 8-16, 15 min, 2 counters)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        await run("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", args, Path(tmp) / "var")
        name = f"kontakt_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.postgres)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        try:
            await run("PostgreSQL", f"{base}/{name}", args, Path(tmp) / "var")
        finally:
            admin = await asyncpg.connect(args.postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
