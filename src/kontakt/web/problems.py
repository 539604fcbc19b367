"""RFC 9457 problem details: every HTTP error leaves as ``application/problem+json``.

HTML pages get a small HTML error page instead when the client asked for HTML.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("kontakt.web")

PROBLEM = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Login required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


class Problem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers


def problem_response(
    request: Request,
    status: int,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title = TITLES.get(status, "Error")
    accept = request.headers.get("accept", "")
    if (
        status == 401
        and request.method == "GET"
        and "text/html" in accept
        and request.url.path.startswith(("/admin", "/desk", "/reports"))
    ):
        from urllib.parse import quote

        return RedirectResponse(f"/admin/login?next={quote(request.url.path)}", status_code=303)
    if "text/html" in accept and not request.url.path.startswith("/api/"):
        from html import escape

        body = (
            f"<!doctype html><html lang=pl><meta charset=utf-8><title>{status} {title}</title>"
            f"<h1>{escape(title)}</h1><p>{escape(detail)}</p><p><a href='/'>kontakt</a></p>"
        )
        return HTMLResponse(body, status_code=status, headers=headers)
    content: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    content.update(extra or {})
    return JSONResponse(content, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(request, exc.status, exc.detail, exc.extra, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return problem_response(
            request, exc.status_code, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem_response(request, 400, "the request body is not valid JSON")
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return problem_response(request, 422, detail, {"errors": errors})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Log the traceback for operators; residents and staff get a plain message only.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "Something went wrong on our side. "
            "Please try again; if it persists, call 61 646 33 44.",
        )
