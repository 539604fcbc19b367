"""Admin pages: authentication, roles, CSRF, and editing articles through HTTP."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from kontakt.events import EventRow
from kontakt.knowledge import service
from kontakt.knowledge.content import load_content
from kontakt.runtime import Runtime
from kontakt.users.service import create_user
from tests.conftest import CONTENT

PASSWORD = "poprawne-haslo-42"


@pytest.fixture
async def seeded(sqlite_runtime: Runtime) -> Runtime:
    async with sqlite_runtime.transaction() as session:
        await service.import_content(
            session, load_content(CONTENT), actor="t", clock=sqlite_runtime.clock
        )
        await create_user(
            session, "redaktor", PASSWORD, "admin", actor="t", clock=sqlite_runtime.clock
        )
        await create_user(
            session, "broker", PASSWORD, "agent", actor="t", clock=sqlite_runtime.clock
        )
    return sqlite_runtime


async def _csrf(client: httpx.AsyncClient, url: str) -> str:
    page = await client.get(url)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    token = await _csrf(client, "/admin/login")
    return await client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf": token, "next": "/admin/articles"},
    )


async def test_no_access_without_login(client: httpx.AsyncClient, seeded: Runtime) -> None:
    api = await client.get("/admin/articles")
    page = await client.get("/admin/articles", headers={"accept": "text/html"})
    assert (api.status_code, api.headers["content-type"]) == (401, "application/problem+json")
    assert (page.status_code, page.headers["location"]) == (
        303,
        "/admin/login?next=/admin/articles",
    )


async def test_wrong_password_is_rejected_and_audited(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    response = await login(client, "redaktor", "zle-haslo-000")
    after = await client.get("/admin/articles")
    async with seeded.transaction() as session:
        kinds = (await session.scalars(select(EventRow.kind).order_by(EventRow.id))).all()
    assert response.status_code == 401
    assert "Nieprawidłowa nazwa użytkownika lub hasło." in response.text
    assert after.status_code == 401
    assert kinds[-1] == "login_failed"


async def test_unknown_user_is_rejected_like_a_wrong_password(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    response = await login(client, "nikt", PASSWORD)
    assert response.status_code == 401


async def test_login_then_list(client: httpx.AsyncClient, seeded: Runtime) -> None:
    response = await login(client, "redaktor", PASSWORD)
    listing = await client.get("/admin/articles?topic=citizen_affairs")
    assert (response.status_code, response.headers["location"]) == (303, "/admin/articles")
    assert listing.status_code == 200
    assert "Zameldowanie na pobyt stały lub czasowy" in listing.text


async def test_agent_role_is_forbidden(client: httpx.AsyncClient, seeded: Runtime) -> None:
    await login(client, "broker", PASSWORD)
    response = await client.get("/admin/articles")
    assert response.status_code == 403


async def test_login_without_csrf_token_is_refused(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    response = await client.post(
        "/admin/login", data={"username": "redaktor", "password": PASSWORD}
    )
    assert response.status_code == 403


async def test_open_redirect_after_login_is_blocked(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    token = await _csrf(client, "/admin/login")
    response = await client.post(
        "/admin/login",
        data={
            "username": "redaktor",
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.example",
        },
    )
    assert response.headers["location"] == "/admin"


async def test_edit_creates_draft_then_publish_then_rollback(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    await login(client, "redaktor", PASSWORD)
    form_page = await client.get("/admin/articles/zameldowanie/edit")
    fields = dict(
        re.findall(r'<input id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', form_page.text)
    )
    textareas = dict(
        re.findall(
            r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>',
            form_page.text,
            flags=re.S,
        )
    )
    selects = {"topic": "citizen_affairs", "unit": "wsoiuk"}
    token = re.search(r'name="csrf" value="([^"]+)"', form_page.text).group(1)  # type: ignore[union-attr]
    base = re.search(r'name="base_version" value="(\d+)"', form_page.text).group(1)  # type: ignore[union-attr]
    import html

    data = {k: html.unescape(v) for k, v in {**fields, **textareas}.items()}
    data.update(selects, csrf=token, base_version=base, note="poprawka")
    data["pl_answer"] = data["pl_answer"].replace("bezpłatne", "darmowe")
    saved = await client.post("/admin/articles/zameldowanie/edit", data=data)
    async with seeded.transaction() as session:
        still = await service.published_doc(session, "zameldowanie")
    publish = await client.post(
        "/admin/articles/zameldowanie/publish", data={"csrf": token, "version": "2"}
    )
    async with seeded.transaction() as session:
        published = await service.published_doc(session, "zameldowanie")
    rollback = await client.post(
        "/admin/articles/zameldowanie/rollback", data={"csrf": token, "version": "1"}
    )
    page = await client.get("/admin/articles/zameldowanie")
    async with seeded.transaction() as session:
        final = await service.published_doc(session, "zameldowanie")
        article = await service.get_article(session, "zameldowanie")
    assert saved.status_code == 303, saved.text
    assert "bezpłatne" in still.pl.answer
    assert publish.status_code == 303
    assert "darmowe" in published.pl.answer
    assert rollback.status_code == 303
    assert (article.published_version, "bezpłatne" in final.pl.answer) == (3, True)
    assert "rollback to version 1" in page.text


async def test_invalid_edit_shows_errors_and_saves_nothing(
    client: httpx.AsyncClient, seeded: Runtime
) -> None:
    await login(client, "redaktor", PASSWORD)
    token = await _csrf(client, "/admin/articles/zameldowanie/edit")
    response = await client.post(
        "/admin/articles/zameldowanie/edit",
        data={
            "csrf": token,
            "base_version": "1",
            "topic": "citizen_affairs",
            "unit": "wsoiuk",
            "source_title": "x",
            "source_url": "javascript:alert(1)",
            "valid_from": "2021-01-01",
            "updated": "2026-11-28",
            "pl_title": "T",
            "pl_questions": "a\nb\nc",
            "pl_answer": "<script>alert(1)</script>",
            "pl_speakable": "Krótko.",
        },
    )
    async with seeded.transaction() as session:
        history = await service.versions(session, "zameldowanie")
    assert response.status_code == 422
    assert "source.url" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert len(history) == 1


async def test_stale_edit_is_refused(client: httpx.AsyncClient, seeded: Runtime) -> None:
    await login(client, "redaktor", PASSWORD)
    token = await _csrf(client, "/admin/articles/zameldowanie/edit")
    response = await client.post(
        "/admin/articles/zameldowanie/edit", data={"csrf": token, "base_version": "0"}
    )
    assert response.status_code == 409


async def test_unknown_article_is_404(client: httpx.AsyncClient, seeded: Runtime) -> None:
    await login(client, "redaktor", PASSWORD)
    response = await client.get("/admin/articles/nie-ma")
    assert response.status_code == 404
    assert response.json()["detail"] == "no article with id 'nie-ma'"


async def test_logout_ends_the_session(client: httpx.AsyncClient, seeded: Runtime) -> None:
    await login(client, "redaktor", PASSWORD)
    token = await _csrf(client, "/admin/articles/zameldowanie/edit")
    await client.post("/admin/logout", data={"csrf": token})
    assert (await client.get("/admin/articles")).status_code == 401
