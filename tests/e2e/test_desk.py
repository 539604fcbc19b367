"""The handoff from the widget to a consultant, in two browser contexts (resident and desk).

The server runs at a fixed clock on a Wednesday at noon, so the office is open whatever day
the test runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kontakt.clock import FixedClock
from kontakt.knowledge.embedder import Embedder
from kontakt.runtime import Runtime
from kontakt.users.service import create_user
from tests.conftest import START, _chat_settings, serve
from tests.e2e.test_widget import ANSWER_TIMEOUT, BOT, INPUT, launch, open_widget

PASSWORD = "poprawne-haslo-42"


@pytest.fixture
def desk_server(
    kb_template: Path, tmp_path: Path, embedder: Embedder, topic_model_dir: Path
) -> Iterator[str]:
    settings = _chat_settings(kb_template, tmp_path, topic_model_dir, chat_rate_limit="600/60")
    clock = FixedClock(START)

    async def staff() -> None:
        runtime = Runtime.build(settings, clock, embedder=embedder)
        async with runtime.transaction() as session:
            await create_user(session, "szefowa", PASSWORD, "supervisor", actor="t", clock=clock)
        await runtime.close()

    asyncio.run(staff())
    yield from serve(settings, Runtime.build(settings, clock, embedder=embedder))


@pytest.fixture
def browser(desk_server: str) -> Iterator[Browser]:
    yield from launch()


def _page(browser: Browser, base: str) -> Page:
    context = browser.new_context(base_url=base, locale="pl-PL")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_resident_to_consultant_and_back(browser: Browser, desk_server: str) -> None:
    resident = _page(browser, desk_server)
    errors: list[str] = []
    resident.on("pageerror", lambda exc: errors.append(str(exc)))
    open_widget(resident)
    resident.locator(INPUT).fill("jak zameldować się w Poznaniu")
    resident.locator(INPUT).press("Enter")
    expect(resident.locator(BOT)).to_have_count(2, timeout=ANSWER_TIMEOUT)
    resident.locator(INPUT).fill("chcę rozmawiać z konsultantem")
    resident.locator(INPUT).press("Enter")
    expect(resident.locator(BOT).last).to_contain_text("w kolejce", timeout=ANSWER_TIMEOUT)

    agent = _page(browser, desk_server)
    agent.on("pageerror", lambda exc: errors.append(str(exc)))
    agent.goto("/desk")
    expect(agent).to_have_url(f"{desk_server}/admin/login?next=/desk")
    agent.fill("#username", "szefowa")
    agent.fill("#password", PASSWORD)
    agent.get_by_role("button", name="Zaloguj").click()
    expect(agent).to_have_url(f"{desk_server}/desk")
    agent.get_by_role("button", name="Dostępny", exact=True).click()
    expect(agent.locator("#my-state")).to_have_text("dostępny")

    row = agent.locator("#queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("citizen_affairs")
    row.get_by_role("button", name="Przyjmij").click()
    expect(agent.locator("#transcript")).to_contain_text("jak zameldować się w Poznaniu")
    expect(agent.locator("#my-state")).to_have_text("w rozmowie")

    agent.fill("#reply", "Dzień dobry, tu konsultantka. W czym mogę pomóc?")
    agent.get_by_role("button", name="Wyślij").click()
    expect(resident.locator(".kw-agent")).to_contain_text(
        "Dzień dobry, tu konsultantka.", timeout=10_000
    )

    agent.select_option("#wrap-code", "citizen_affairs")
    agent.get_by_role("button", name="Zakończ rozmowę").click()
    expect(agent.locator("#my-state")).to_have_text("dostępny")

    agent.goto("/desk/wallboard")
    expect(agent.locator("#answered")).to_have_text("1")
    expect(agent.locator("#sl")).to_have_text("100%")
    assert not errors, errors
