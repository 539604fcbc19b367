"""The demo year and the KPI report over it, on SQLite and PostgreSQL.

    python bench/report.py [--scale 1.0] [--seed 2021] [--runs 3] [--no-events]
                           [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-postgres]

For each database (SQLite in a temporary file; PostgreSQL as a new database ``kontakt_bench``,
dropped afterwards): migrate, import the topics, generate the demo year 2021 (timed), then
build the KPI report for 2021 ``--runs`` times (timed). The first run is the cold one: the
first report after the year was written, whose pages and planner statistics nothing has
read yet; the others are warm. Then, once, the same report straight from the events' payloads
(``from_events``, what the report read before the ``kpi_facts`` read model), which must be
equal. Prints each seed row beside the report's value and its deviation.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import asyncpg

from kontakt.config import Settings
from kontakt.demo.scenario import Seed
from kontakt.demo.year import generate_year
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.reports.kpi import KpiReport, kpi_report
from kontakt.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BENCH_DB = "kontakt_bench"


def seed_rows(r: KpiReport, scale: float) -> list[tuple[str, float, float]]:
    """(row, the seed's figure, the report's); volumes scaled, means and campaigns not."""
    s = Seed()
    rows = [
        ("booked visits", s.booked_visits * scale, r.booked_visits),
        ("phone surveys", 14, r.surveys),
        ("information campaigns", 14, r.info_campaigns),
        ("all calls", (s.incoming + s.outgoing) * scale, r.calls_total),
        ("incoming", s.incoming * scale, r.calls_incoming),
        ("outgoing", s.outgoing * scale, r.calls_outgoing),
        ("answered", s.answered * scale, r.calls_answered),
        ("efficiency %", 88.49, (r.efficiency or 0) * 100),
        ("AHT incoming s", s.aht_incoming_s, r.aht_incoming_s or 0),
        ("AHT outgoing s", s.aht_outgoing_s, r.aht_outgoing_s or 0),
        ("handled time s", s.handled_total_s * scale, r.handled_time_total_s),
        ("ASA s", s.asa_s, r.asa_s or 0),
        ("(text) voicebot transferred", s.voicebot_transferred * scale, r.voicebot["transferred"]),
        ("(text) chatbot visits", s.chatbot_visits * scale, r.chatbot_visits_total),
        ("(text) English, answered", s.english_cases * scale, _answered(r, "en")),
        ("(text) Ukrainian, answered", s.ukrainian_clients * scale, _answered(r, "uk")),
    ]
    return rows


def _answered(r: KpiReport, lang: str) -> int:
    return sum(x.answered for x in r.by_language if x.language == lang)


async def bench(url: str, scale: float, seed: int, runs: int, from_events: bool) -> None:
    settings = Settings(database_url=url, secret_key="bench", content_dir=CONTENT, warm_up=False)
    rt = Runtime.build(settings)
    async with rt.engine.begin() as conn:
        await upgrade_connection(conn)
    async with rt.transaction() as session:  # topics and articles, as `kb import --skip-vectors`
        await import_content(session, load_content(CONTENT), actor="bench", clock=rt.clock)
    started, cpu = time.perf_counter(), time.process_time()
    made = await generate_year(rt, year=2021, scale=scale, seed=seed)
    generated, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU time of this process (the generator, and SQLite's own work) is steadier than the
    # wall clock on a shared machine; PostgreSQL's work happens in its server processes.
    print(f"  generate: {generated:.1f} s (this process's CPU {cpu:.1f} s), {made.events:,} events "
          f"({made.events / generated:,.0f}/s), {made.inbound + made.outbound:,} calls")  # fmt: skip
    times = []
    reports = []
    for _ in range(runs):
        started = time.perf_counter()
        reports.append(await kpi_report(rt.sessions, date(2021, 1, 1), date(2021, 12, 31)))
        times.append(time.perf_counter() - started)
    warm = f"warm {statistics.median(times[1:]):.2f} s (median)" if runs > 1 else "no warm run"
    print(f"  report: cold {times[0]:.2f} s, {warm}; runs: "
          + ", ".join(f"{t:.2f}" for t in times))  # fmt: skip
    report = reports[0]
    if from_events:
        started = time.perf_counter()
        reference = await kpi_report(
            rt.sessions, date(2021, 1, 1), date(2021, 12, 31), from_events=True
        )
        took = time.perf_counter() - started
        same = "the same report" if reference == report else "A DIFFERENT REPORT"
        print(f"  report straight from the events: {took:.2f} s, {same}")
    print(f"  {'row':30} {'seed':>14} {'report':>14} {'deviation':>10}")
    for name, expected, got in seed_rows(report, scale):
        dev = (got - expected) / expected * 100
        print(f"  {name:30} {expected:>14,.2f} {got:>14,.2f} {dev:>+9.2f}%")
    await rt.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=3, help="reports; the first is cold")
    parser.add_argument(
        "--no-events", action="store_true", help="skip the report straight from the events"
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"SQLite (scale {args.scale})")
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await bench(url, args.scale, args.seed, args.runs, not args.no_events)
    if args.no_postgres:
        return
    admin = await asyncpg.connect(args.postgres)
    await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    await admin.close()
    base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        print(f"PostgreSQL (scale {args.scale})")
        await bench(f"{base}/{BENCH_DB}", args.scale, args.seed, args.runs, not args.no_events)
    finally:
        admin = await asyncpg.connect(args.postgres)
        await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
