"""The web chat's REST and WebSocket API under /api/v1/conversations."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import ValidationError

from kontakt.channels.schemas import (
    ConversationCreate,
    ConversationCreated,
    ConversationOut,
    FeedbackIn,
    LanguageIn,
    MessageIn,
    OutcomeOut,
    UpdatesOut,
)
from kontakt.conversations import chat
from kontakt.runtime import Runtime
from kontakt.web.deps import get_runtime
from kontakt.web.problems import Problem
from kontakt.web.ratelimit import RateLimiter

router = APIRouter(prefix="/api/v1", tags=["chat"])
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": desc, "content": {"application/problem+json": {}}}
    for code, desc in (
        (404, "Unknown conversation"),
        (409, "Conflict"),
        (422, "Invalid input"),
        (429, "Too many messages"),
    )
}


def client_key(host: str | None) -> str:
    return host or "unknown"


def _limit(request: Request) -> None:
    limiter: RateLimiter = request.app.state.chat_limiter
    wait = limiter.take(client_key(request.client.host if request.client else None))
    if wait:
        raise Problem(
            429,
            "Too many messages. Please wait a moment.",
            headers={"Retry-After": str(max(1, round(wait)))},
        )


async def _call(coro: Any) -> Any:
    try:
        return await coro
    except chat.ChatError as exc:
        raise Problem(exc.status, exc.detail) from exc


@router.post(
    "/conversations",
    status_code=201,
    response_model=ConversationCreated,
    responses=PROBLEM_RESPONSES,
)
async def create_conversation(
    body: ConversationCreate, request: Request, runtime: Runtime = Depends(get_runtime)
) -> ConversationCreated:
    """Start a chat. Counted as one chatbot visit in the analytics."""
    _limit(request)
    conv, greeting = await chat.start(runtime, language=body.language, page=body.page)
    return ConversationCreated(id=conv.id, language=conv.language, greeting=greeting)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=OutcomeOut,
    responses=PROBLEM_RESPONSES,
)
async def post_message(
    conversation_id: uuid.UUID,
    body: MessageIn,
    request: Request,
    runtime: Runtime = Depends(get_runtime),
) -> OutcomeOut:
    """Send what the resident typed; the reply is the Outcome of the dialogue engine."""
    _limit(request)
    data = await _call(
        chat.send(runtime, conversation_id, body.text, choice=body.choice, client_id=body.client_id)
    )
    return OutcomeOut.model_validate(data)


@router.get(
    "/conversations/{conversation_id}", response_model=ConversationOut, responses=PROBLEM_RESPONSES
)
async def get_conversation(
    conversation_id: uuid.UUID, runtime: Runtime = Depends(get_runtime)
) -> ConversationOut:
    """The conversation with its turns, read back from the event log."""
    return ConversationOut.model_validate(await _call(chat.transcript(runtime, conversation_id)))


@router.post(
    "/conversations/{conversation_id}/language", status_code=204, responses=PROBLEM_RESPONSES
)
async def set_language(
    conversation_id: uuid.UUID, body: LanguageIn, runtime: Runtime = Depends(get_runtime)
) -> Response:
    """The resident chose a language in the widget."""
    await _call(chat.choose_language(runtime, conversation_id, body.language))
    return Response(status_code=204)


@router.post(
    "/conversations/{conversation_id}/feedback", status_code=204, responses=PROBLEM_RESPONSES
)
async def post_feedback(
    conversation_id: uuid.UUID, body: FeedbackIn, runtime: Runtime = Depends(get_runtime)
) -> Response:
    """'Was this helpful?' for an answer the conversation was given."""
    await _call(chat.feedback(runtime, conversation_id, body.article_id, body.helpful))
    return Response(status_code=204)


@router.get(
    "/conversations/{conversation_id}/updates",
    response_model=UpdatesOut,
    responses=PROBLEM_RESPONSES,
)
async def conversation_updates(
    conversation_id: uuid.UUID,
    after: int = Query(0, ge=0, description="The last message id the client has."),
    wait: float = Query(0, ge=0, le=25, description="Seconds to hold an empty answer back."),
    runtime: Runtime = Depends(get_runtime),
) -> Any:
    """Consultants' messages since ``after`` (the widget long-polls while a human has it)."""
    return await _call(chat.updates(runtime, conversation_id, after, wait))


@router.get("/i18n/widget/{lang}", tags=["widget"])
async def widget_strings(lang: str, request: Request) -> dict[str, str]:
    """The widget's UI strings for one language, from the gettext catalog."""
    if lang not in ("pl", "uk", "en"):
        raise Problem(404, "languages are pl, uk and en")
    runtime: Runtime = request.app.state.runtime
    return runtime.chat.widget_texts.catalog(lang)


@router.websocket("/conversations/{conversation_id}/ws")
async def conversation_ws(websocket: WebSocket, conversation_id: uuid.UUID) -> None:
    """Send ``{"text": ..., "choice"?: ..., "client_id"?: ...}``; receive Outcome JSON.

    Errors arrive as ``{"type": "error", "status": ..., "detail": ...}`` and keep the socket
    open, so one bad message does not cost the resident the conversation.
    """
    runtime: Runtime = websocket.app.state.runtime
    limiter: RateLimiter = websocket.app.state.chat_limiter
    await websocket.accept()
    try:
        await _call(chat.transcript(runtime, conversation_id))
    except Problem as exc:
        await websocket.send_json({"type": "error", "status": exc.status, "detail": exc.detail})
        await websocket.close(code=4404)
        return
    client = client_key(websocket.client.host if websocket.client else None)
    try:
        while True:
            raw = await websocket.receive_text()
            if len(raw) > 16_384:
                await _ws_error(websocket, 413, "the message is too large")
                continue
            try:
                body = MessageIn.model_validate(json.loads(raw))
            except (json.JSONDecodeError, ValidationError) as exc:
                await _ws_error(websocket, 422, _first_error(exc))
                continue
            if wait := limiter.take(client):
                await _ws_error(websocket, 429, f"Too many messages. Wait {max(1, round(wait))} s.")
                continue
            try:
                data = await _call(
                    chat.send(
                        runtime,
                        conversation_id,
                        body.text,
                        choice=body.choice,
                        client_id=body.client_id,
                    )
                )
            except Problem as exc:
                await _ws_error(websocket, exc.status, exc.detail)
                continue
            await websocket.send_json(OutcomeOut.model_validate(data).model_dump(mode="json"))
    except WebSocketDisconnect:
        return


async def _ws_error(websocket: WebSocket, status: int, detail: str) -> None:
    await websocket.send_json({"type": "error", "status": status, "detail": detail})


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        return f"{field}: {err['msg'].removeprefix('Value error, ')}" if field else err["msg"]
    return "the message is not valid JSON"
