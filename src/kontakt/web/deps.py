"""FastAPI dependencies: the runtime, a transaction per request, and the logged-in user."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.runtime import Runtime
from kontakt.users.models import User
from kontakt.web.problems import Problem


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def db_session(runtime: Runtime = Depends(get_runtime)) -> AsyncIterator[AsyncSession]:
    async with runtime.transaction() as session:
        yield session


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str


async def current_staff(request: Request, session: AsyncSession = Depends(db_session)) -> Staff:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise Problem(401, "Please log in.")
    user = await session.get(User, user_id)
    if user is None or not user.active:
        request.session.clear()
        raise Problem(401, "Please log in.")
    return Staff(id=user.id, username=user.username, role=user.role)


def require_role(*roles: str) -> Callable[[Staff], Awaitable[Staff]]:
    async def check(staff: Staff = Depends(current_staff)) -> Staff:
        if staff.role not in roles:
            raise Problem(403, "Your role does not allow this.")
        return staff

    return check


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not submitted
        or not hmac.compare_digest(expected, submitted)
    ):
        raise Problem(403, "The form has expired or did not come from this site. Reload the page.")
