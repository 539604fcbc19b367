"""/reports in headless Chromium: a supervisor sees the seed's table and the charts of a
small demo year; an agent is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.demo.year import generate_year
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.migrate import upgrade_connection
from kontakt.reports.kpi_view import SEED_ROWS
from kontakt.runtime import Runtime
from kontakt.users.service import create_user
from tests.conftest import CONTENT, START, serve
from tests.e2e.test_widget import launch

PASSWORD = "poprawne-haslo-42"
SEED_LABELS = [
    "Liczba umówionych wizyt",
    "Liczba zleconych telefonicznych badań ankietowych",
    "Liczba wychodzących akcji informacyjnych",
    "Liczba wszystkich przeprowadzonych rozmów",
    "Połączenia przychodzące",
    "Połączenia wychodzące",
    "Połączenia odebrane",
    "Efektywność obsługi",
    "Średni czas obsługi klientów – połączenia przychodzące",
    "Średni czas obsługi klientów – połączenia wychodzące",
    "Łączny czas obsługi połączeń odebranych",
    "Średni czas oczekiwania na połączenie z brokerem",
]


@pytest.fixture
def reports_server(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", secret_key="test-secret",
        var_dir=tmp_path / "var", content_dir=CONTENT, warm_up=False,
    )  # fmt: skip
    clock = FixedClock(START)

    async def prepare() -> None:
        runtime = Runtime.build(settings, clock)
        async with runtime.engine.begin() as conn:
            await upgrade_connection(conn)
        async with runtime.transaction() as session:
            await import_content(session, load_content(CONTENT), actor="t", clock=clock)
            await create_user(session, "szefowa", PASSWORD, "supervisor", actor="t", clock=clock)
            await create_user(session, "ala", PASSWORD, "agent", actor="t", clock=clock)
        await generate_year(runtime, year=2021, scale=0.002, seed=11)
        await runtime.close()

    asyncio.run(prepare())
    yield from serve(settings, Runtime.build(settings, clock))


@pytest.fixture
def browser(reports_server: str) -> Iterator[Browser]:
    yield from launch()


def _login(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(base_url=base, locale="pl-PL").new_page()
    page.set_default_timeout(15_000)
    page.goto("/reports")
    expect(page).to_have_url(f"{base}/admin/login?next=/reports")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Zaloguj").click()
    page.wait_for_load_state()
    page.goto("/reports?from=2021-01-01&to=2021-12-31")
    return page


def test_supervisor_sees_the_seed_table_and_charts(browser: Browser, reports_server: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = _login(browser, reports_server, "szefowa")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expect(page).to_have_url(f"{reports_server}/reports?from=2021-01-01&to=2021-12-31")
    rows = page.locator("#kpi-table tbody th")
    expect(rows).to_have_text(SEED_LABELS)
    assert len(SEED_LABELS) == len(SEED_ROWS)
    efficiency = page.locator('#kpi-table tr[data-key="efficiency"] td')
    expect(efficiency).to_have_text(re.compile(r"^\d{1,3},\d\d%$"))
    chart = page.get_by_role("img", name="Połączenia w miesiącach")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() >= 12 * 3
    expect(page.locator("svg.chart")).to_have_count(4)

    page.fill("#from", "2021-10-01")
    page.fill("#to", "2021-12-31")
    page.get_by_role("button", name="Pokaż").click()
    expect(page).to_have_url(f"{reports_server}/reports?from=2021-10-01&to=2021-12-31&lang=pl")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "kpi-2021-10-01-2021-12-31.xlsx"

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']}: {v['help']}" for v in bad)
    assert not errors, errors


def test_an_agent_is_refused(browser: Browser, reports_server: str) -> None:
    page = _login(browser, reports_server, "ala")
    expect(page.locator("h1")).to_have_text("Forbidden")
