"""``create_app(settings)``: the ASGI application with its routers, templates and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select, text
from starlette.middleware.sessions import SessionMiddleware

from kontakt import __version__
from kontakt.booking.qmatic_api import router as qmatic_router
from kontakt.booking.routes import router as booking_router
from kontakt.channels.webchat import router as webchat_router
from kontakt.clock import Clock
from kontakt.config import Settings
from kontakt.knowledge.routes import router as knowledge_admin
from kontakt.reports.routes import router as reports_router
from kontakt.routing.desk_booking import router as desk_booking
from kontakt.routing.pages import router as desk_pages
from kontakt.routing.routes import router as desk_router
from kontakt.runtime import Runtime
from kontakt.topics.models import Topic
from kontakt.users.routes import router as users_router
from kontakt.web import problems
from kontakt.web.ratelimit import RateLimiter
from kontakt.web.templating import STATIC, make_templates, render

log = logging.getLogger("kontakt")


def create_app(
    settings: Settings, *, clock: Clock | None = None, runtime: Runtime | None = None
) -> FastAPI:
    """Build the app. Tests pass their own runtime (fresh database, fixed clock)."""
    own_runtime = runtime is None
    rt = runtime or Runtime.build(settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            try:
                await rt.chat.warm_up()
            except Exception:  # a missing table must not stop the server; /health will tell
                log.exception("warm-up failed; the chatbot will load on first use")
            # The models, dictionaries and index just loaded live as long as the worker; out
            # of the collector's sight, a full collection no longer walks their ~190,000
            # objects (100-400 ms with the event loop stopped, every few hundred requests).
            gc.freeze()
        housekeeping = asyncio.create_task(_housekeeping(rt))
        yield
        housekeeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await housekeeping
        if own_runtime:
            await rt.close()

    app = FastAPI(
        title="kontakt",
        version=__version__,
        description="Contact center of a city hall: knowledge base, chatbot, booking, desk.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.settings = settings
    app.state.templates = make_templates()
    secret = settings.resolved_secret_key()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="kontakt_session",
        max_age=settings.session_max_age_s,
        same_site="strict",
        https_only=settings.cookie_secure,
    )
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            expose_headers=["Retry-After"],
            allow_credentials=False,
        )
    problems.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    count, window = settings.rate_limit()
    app.state.chat_limiter = RateLimiter(count, window)
    app.include_router(webchat_router)
    app.include_router(users_router)
    app.include_router(knowledge_admin)
    app.include_router(qmatic_router)
    app.include_router(booking_router)
    app.include_router(desk_router)
    app.include_router(desk_pages)
    app.include_router(desk_booking)
    app.include_router(reports_router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request) -> Response:
        async with rt.transaction() as session:
            topics = (await session.scalars(select(Topic).order_by(Topic.position))).all()
        return render(request, "index.html", {"topics": topics, "phone": settings.contact_phone})

    @app.get("/health", tags=["operations"])
    async def health() -> Response:
        """Liveness and database reachability, for load balancers and monitoring."""
        async with rt.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "version": __version__})

    return app


async def _housekeeping(rt: Runtime, every_s: float = 5.0) -> None:
    """Move contacts that waited too long to their overflow queue, every few seconds."""
    from kontakt.routing.service import Desk

    while True:
        await asyncio.sleep(every_s)
        try:
            async with rt.transaction() as session:
                await Desk(session, rt.clock).overflow()
        except asyncio.CancelledError:
            raise
        except Exception:  # e.g. two workers moving the same contact: one wins, retry later
            log.info("overflow pass skipped", exc_info=True)


def app_from_env() -> FastAPI:
    """Factory used by ``kontakt serve`` (each uvicorn worker calls it once)."""
    logging.basicConfig(level=logging.INFO)
    return create_app(Settings())
