"""The desk's JSON API: the agent's state, the queue, accepting, replying, transferring,
wrapping up, knowledge-base search and the glossary; the wallboard's figures for supervisors.

Staff log in with the cookie session; every POST also needs the session's CSRF token in the
``X-CSRF-Token`` header, so another site cannot act in an agent's name.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.dialogue import replies
from kontakt.routing import views
from kontakt.routing.models import Agent, QueueEntry
from kontakt.routing.service import Desk, DeskError
from kontakt.runtime import Runtime
from kontakt.users.models import User
from kontakt.web.deps import (
    Staff,
    check_csrf,
    csrf_token,
    db_session,
    get_runtime,
    require_role,
)
from kontakt.web.problems import Problem

router = APIRouter(prefix="/api/v1/desk", tags=["desk"])
staff_only = require_role("agent", "supervisor", "admin")
supervisors = require_role("supervisor", "admin")


def csrf_header(request: Request, _staff: Staff = Depends(staff_only)) -> None:
    # After the login check, so an anonymous request is told to log in (401), not 403.
    check_csrf(request, request.headers.get("x-csrf-token"))


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(..., pattern="^(available|break|offline)$")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=4000)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: str = Field(..., max_length=40)
    note: str = Field("", max_length=2000)


class WrapUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(..., max_length=80, description="A topic id, the bot's own taxonomy.")
    to_bot: bool = False


async def desk_session(
    staff: Staff = Depends(staff_only),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> tuple[Desk, Agent]:
    desk = Desk(session, runtime.clock)
    return desk, await desk.agent(staff.id, staff.username)


async def _call(work: Any) -> Any:
    try:
        return await work
    except DeskError as exc:
        raise Problem(exc.status, exc.detail) from exc


async def _entry(desk: Desk, entry_id: uuid.UUID) -> QueueEntry:
    found: QueueEntry = await _call(desk.entry(entry_id))
    return found


@router.websocket("/ws")
async def desk_ws(websocket: WebSocket) -> None:
    """Sends {"kind": "changed"} whenever the queues or a contact change, on any worker; the
    desk then re-reads what it shows. Staff only (the login cookie)."""
    runtime: Runtime = websocket.app.state.runtime
    user_id = websocket.session.get("user_id") if "session" in websocket.scope else None
    async with runtime.transaction() as session:
        user = await session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or user.role not in ("agent", "supervisor", "admin"):
        await websocket.close(code=4401)
        return
    await websocket.accept()
    async with runtime.bus.subscribe("desk") as signal:
        receiver = asyncio.create_task(_drain(websocket))
        try:
            while True:
                waiting = asyncio.create_task(signal.next(15))
                await asyncio.wait({waiting, receiver}, return_when=asyncio.FIRST_COMPLETED)
                if receiver.done():  # the desk went away
                    waiting.cancel()
                    break
                kind = "changed" if waiting.result() is not None else "ping"
                await websocket.send_json({"kind": kind})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            receiver.cancel()


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the desk sends, to notice when it goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


@router.get("/me")
async def me(request: Request, d: tuple[Desk, Agent] = Depends(desk_session)) -> dict[str, Any]:
    """The agent's profile and state, and the CSRF token the desk sends with every POST."""
    desk, agent = d
    return {**(await views.agent_view(desk, agent)), "csrf": csrf_token(request)}


@router.post("/me/state", dependencies=[Depends(csrf_header)])
async def set_state(body: StateIn, d: tuple[Desk, Agent] = Depends(desk_session)) -> dict[str, Any]:
    desk, agent = d
    if agent.state in ("busy", "wrap_up") and body.state != agent.state:
        raise Problem(409, "finish the current contact first")
    await desk.set_state(agent, body.state)
    return await views.agent_view(desk, agent)


@router.get("/queue")
async def queue(d: tuple[Desk, Agent] = Depends(desk_session)) -> dict[str, Any]:
    desk, agent = d
    return await views.queue_view(desk, agent)


@router.post("/entries/{entry_id}/accept", dependencies=[Depends(csrf_header)])
async def accept(
    entry_id: uuid.UUID, d: tuple[Desk, Agent] = Depends(desk_session)
) -> dict[str, Any]:
    desk, agent = d
    if agent.state not in ("available", "busy"):
        raise Problem(409, "set yourself available to take contacts")
    entry = await _call(desk.accept(entry_id, agent))
    return await views.contact_view(desk, entry)


@router.get("/entries/{entry_id}")
async def contact(
    entry_id: uuid.UUID, d: tuple[Desk, Agent] = Depends(desk_session)
) -> dict[str, Any]:
    desk, agent = d
    entry = await _entry(desk, entry_id)
    if entry.agent_id not in (None, agent.user_id) and agent.user_id != entry.agent_id:
        raise Problem(403, "this contact is handled by another agent")
    return await views.contact_view(desk, entry)


@router.post("/entries/{entry_id}/reply", dependencies=[Depends(csrf_header)])
async def reply(
    entry_id: uuid.UUID, body: ReplyIn, d: tuple[Desk, Agent] = Depends(desk_session)
) -> dict[str, Any]:
    desk, agent = d
    entry = await _entry(desk, entry_id)
    await _call(desk.reply(entry, agent, body.text))
    return await views.contact_view(desk, entry)


@router.post("/entries/{entry_id}/transfer", dependencies=[Depends(csrf_header)])
async def transfer(
    entry_id: uuid.UUID, body: TransferIn, d: tuple[Desk, Agent] = Depends(desk_session)
) -> dict[str, Any]:
    desk, agent = d
    entry = await _entry(desk, entry_id)
    moved = await _call(desk.transfer(entry, agent, body.queue, body.note))
    return {"entry": str(moved.id), "queue": moved.queue_id}


@router.post("/entries/{entry_id}/end", dependencies=[Depends(csrf_header)])
async def end(entry_id: uuid.UUID, d: tuple[Desk, Agent] = Depends(desk_session)) -> dict[str, Any]:
    desk, agent = d
    entry = await _entry(desk, entry_id)
    await _call(desk.end(entry, agent))
    return await views.agent_view(desk, agent)


@router.post("/entries/{entry_id}/wrap-up", dependencies=[Depends(csrf_header)])
async def wrap_up(
    entry_id: uuid.UUID, body: WrapUpIn, d: tuple[Desk, Agent] = Depends(desk_session)
) -> dict[str, Any]:
    desk, agent = d
    entry = await _entry(desk, entry_id)
    await _call(desk.wrap_up(entry, agent, body.code, to_bot=body.to_bot))
    return await views.agent_view(desk, agent)


@router.get("/search")
async def search(
    q: str = Query(..., min_length=2, max_length=300),
    lang: str = Query("pl", pattern="^(pl|uk|en)$"),
    _d: tuple[Desk, Agent] = Depends(desk_session),
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """The bot's own search, for the agent's knowledge-base panel ("insert answer")."""
    index = await runtime.chat.index.get()
    hits = await asyncio.to_thread(index.search, q, lang, k=5)
    results = []
    for hit in hits:
        text, text_lang = replies.article_text(hit.article, lang)
        results.append(
            {"article_id": hit.article.id, "topic": hit.article.topic, "title": text.title,
             "answer": text.answer, "language": text_lang, "url": hit.article.source_url,
             "score": round(hit.score, 3)}
        )  # fmt: skip
    return {"results": results}


@router.get("/glossary")
async def glossary(
    q: str = Query("", max_length=100),
    _d: tuple[Desk, Agent] = Depends(desk_session),
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    terms = views.glossary(runtime.settings.content_dir)
    needle = q.strip().lower()
    found = [t for t in terms if not needle or any(needle in str(v).lower() for v in t.values())]
    return {"terms": found[:50], "total": len(found)}


@router.get("/wallboard", dependencies=[Depends(supervisors)])
async def wallboard(
    session: AsyncSession = Depends(db_session), runtime: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    return await views.wallboard(Desk(session, runtime.clock))
