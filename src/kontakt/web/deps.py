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
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        # Integrations: a token, no cookie, so no CSRF exposure (see check_csrf).
        from kontakt.users.service import user_for_token

        by_token = await user_for_token(session, auth[7:].strip())
        if by_token is None:
            raise Problem(401, "The API token is not valid.")
        request.state.bearer = True
        return Staff(id=by_token.id, username=by_token.username, role=by_token.role)
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
    if getattr(request.state, "bearer", False):
        return  # a bearer token is never sent by a browser on its own: nothing to forge
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not submitted
        or not hmac.compare_digest(expected, submitted)
    ):
        raise Problem(403, "The form has expired or did not come from this site. Reload the page.")
