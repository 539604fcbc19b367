"""A small booking catalog of its own, so booking tests do not depend on the demo content."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from kontakt.app import create_app
from kontakt.booking.catalog import CatalogDoc, import_catalog
from kontakt.knowledge.content import load_content
from kontakt.knowledge.service import import_content
from kontakt.runtime import Runtime
from tests.conftest import CONTENT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- a real SMTP server ------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


HOURS = {
    "mon": ["08:00-16:00"],
    "tue": ["08:00-18:00"],
    "wed": ["08:00-16:00"],
    "thu": ["08:00-16:00"],
    "fri": ["08:00-14:00"],
}


def catalog() -> CatalogDoc:
    names = {"pl": "Oddział Testowy", "uk": "Тестовий відділ", "en": "Test branch"}
    return CatalogDoc.model_validate(
        {
            "units": [
                {
                    "id": "branch-a",
                    "org_unit": "wsoiuk",
                    "name": names,
                    "address": "ul. Przykładowa 1, 61-001 Poznań",
                    "check_at": "https://www.poznan.pl/",
                    "hours": HOURS,
                    "closures": ["2026-12-02"],
                },
                {
                    "id": "branch-b",
                    "org_unit": "wsoiuk",
                    "name": {k: v + " B" for k, v in names.items()},
                    "address": "",
                    "check_at": "https://www.poznan.pl/",
                    "hours": {"sat": ["09:00-12:00"]},
                },
            ],
            "services": [
                {
                    "id": "single",
                    "name": {"pl": "Jedno okienko", "uk": "Одне вікно", "en": "One counter"},
                    "topic": "citizen_affairs",
                    "duration_min": 15,
                    "capacity": 1,
                    "book_ahead_days": 30,
                    "units": ["branch-a", "branch-b"],
                    "keywords": {"pl": ["okienko"], "uk": ["вікно"], "en": ["counter"]},
                },
                {
                    "id": "triple",
                    "name": {"pl": "Trzy okienka", "uk": "Три вікна", "en": "Three counters"},
                    "topic": "citizen_affairs",
                    "duration_min": 30,
                    "capacity": 3,
                    "book_ahead_days": 14,
                    "units": ["branch-a"],
                    "keywords": {"pl": ["trzy"], "uk": ["три"], "en": ["three"]},
                },
            ],
        }
    )


@pytest.fixture
async def booking_runtime(runtime: Runtime) -> Runtime:
    async with runtime.transaction() as session:
        content = load_content(CONTENT)
        content.articles = []
        await import_content(session, content, actor="test", clock=runtime.clock)
        await import_catalog(session, catalog())
    return runtime


@pytest.fixture
async def booking_client(booking_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(booking_runtime.settings, runtime=booking_runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
