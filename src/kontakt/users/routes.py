"""Staff login and logout (cookie session)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.runtime import Runtime
from kontakt.users.service import authenticate
from kontakt.web.deps import check_csrf, csrf_token, db_session, get_runtime
from kontakt.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login would help phishing.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/admin") -> Response:
    return render(
        request,
        "admin/login.html",
        {"next": _safe_next(next), "csrf": csrf_token(request), "error": None},
    )


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: str = Form(..., max_length=200),
    password: str = Form(..., max_length=1000),
    csrf: str = Form(""),
    next: str = Form("/admin"),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    check_csrf(request, csrf)
    user = await authenticate(session, username, password, clock=runtime.clock)
    if user is None:
        return render(
            request,
            "admin/login.html",
            {
                "next": _safe_next(next),
                "csrf": csrf_token(request),
                "error": "Nieprawidłowa nazwa użytkownika lub hasło.",
            },
            status_code=401,
        )
    request.session.clear()  # a fresh session on login prevents session fixation
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/admin/login", status_code=303)
