"""Desk fixtures: the real app with the knowledge base and queues, staff logged in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kontakt.app import create_app
from kontakt.runtime import Runtime
from kontakt.users.service import create_user

PASSWORD = "poprawne-haslo-42"
DESK = "/api/v1/desk"


@pytest.fixture
async def app(chat_runtime: Runtime) -> FastAPI:
    async with chat_runtime.transaction() as session:
        for name, role in (("ala", "agent"), ("olek", "agent"), ("szefowa", "supervisor")):
            await create_user(session, name, PASSWORD, role, actor="t", clock=chat_runtime.clock)
    settings = chat_runtime.settings.model_copy(update={"chat_rate_limit": "1000/60"})
    return create_app(settings, runtime=chat_runtime)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def resident(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app) as c:
        yield c


class Staff:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    async def login(self, username: str) -> Staff:
        page = await self.client.get("/admin/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token
        resp = await self.client.post(
            "/admin/login",
            data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
        )
        assert resp.status_code == 303, resp.text
        me = await self.client.get(f"{DESK}/me")
        assert me.status_code == 200, me.text
        self.csrf = me.json()["csrf"]
        return self

    async def get(self, path: str) -> Any:
        resp = await self.client.get(DESK + path)
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        resp = await self.client.post(
            DESK + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}
        )
        assert resp.status_code == status, resp.text
        return resp.json()


@pytest.fixture
async def staff(app: FastAPI) -> AsyncIterator[dict[str, Staff]]:
    async with _client(app) as a, _client(app) as b, _client(app) as s:
        yield {
            "ala": await Staff(a).login("ala"),
            "olek": await Staff(b).login("olek"),
            "szefowa": await Staff(s).login("szefowa"),
        }
