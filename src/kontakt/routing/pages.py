"""The desk and the wallboard as pages: server-rendered shells that a little JS keeps live."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.topics.models import Topic
from kontakt.web.deps import Staff, csrf_token, db_session, get_runtime, require_role
from kontakt.web.templating import render

router = APIRouter(prefix="/desk", include_in_schema=False)
staff_only = require_role("agent", "supervisor", "admin")
supervisors = require_role("supervisor", "admin")


@router.get("", response_class=HTMLResponse)
async def desk_page(
    request: Request,
    staff: Staff = Depends(staff_only),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    desk = Desk(session, runtime.clock)
    topics = (await session.scalars(select(Topic).order_by(Topic.position))).all()
    return render(
        request,
        "desk/desk.html",
        {"staff": staff, "csrf": csrf_token(request), "queues": await desk.queues(),
         "topics": topics},
    )  # fmt: skip


@router.get("/wallboard", response_class=HTMLResponse)
async def wallboard_page(request: Request, staff: Staff = Depends(supervisors)) -> Response:
    return render(request, "desk/wallboard.html", {"staff": staff, "csrf": csrf_token(request)})
