"""Admin pages for the knowledge base: list, view, edit as draft, publish, history, rollback."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.knowledge import service
from kontakt.knowledge.forms import doc_from_form, form_from_doc
from kontakt.knowledge.indexing import embed_published
from kontakt.knowledge.versions import doc_from_version
from kontakt.runtime import Runtime
from kontakt.topics.models import OrgUnit, Topic
from kontakt.web.deps import Staff, check_csrf, csrf_token, db_session, get_runtime, require_role
from kontakt.web.problems import Problem
from kontakt.web.templating import render

T = TypeVar("T")

router = APIRouter(prefix="/admin", include_in_schema=False)
admin_only = require_role("admin")
MAX_FORM_FIELDS = 64


def _render(request: Request, template: str, status: int = 200, **ctx: object) -> Response:
    return render(request, template, {"csrf": csrf_token(request), **ctx}, status_code=status)


async def _taxonomy(session: AsyncSession) -> dict[str, Any]:
    topics = (await session.scalars(select(Topic).order_by(Topic.position))).all()
    units = (await session.scalars(select(OrgUnit).order_by(OrgUnit.position))).all()
    return {"topics": topics, "units": units}


async def _call(work: Awaitable[T]) -> T:
    """Await a knowledge-base call, turning its domain errors into HTTP problems."""
    try:
        return await work
    except service.NotFound as exc:
        raise Problem(404, str(exc)) from exc
    except service.KnowledgeError as exc:
        raise Problem(409, str(exc)) from exc


@router.get("", include_in_schema=False)
async def admin_home() -> Response:
    return RedirectResponse("/admin/articles", status_code=303)


@router.get("/articles", response_class=HTMLResponse)
async def article_list(
    request: Request,
    topic: str | None = None,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
) -> Response:
    rows = await service.list_articles(session, topic=topic or None)
    latest = await service.latest_numbers(session)
    items = [
        {
            "id": a.id,
            "topic": a.topic,
            "published": a.published_version,
            "draft": latest.get(a.id, 0) > (a.published_version or 0),
            "langs": [t.lang for t in v.texts] if v else [],
            "title": next((t.title for t in v.texts if t.lang == "pl"), a.id) if v else a.id,
        }
        for a, v in rows
    ]
    return _render(
        request,
        "admin/articles.html",
        items=items,
        staff=staff,
        topic=topic,
        **await _taxonomy(session),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article_view(
    request: Request,
    article_id: str,
    version: int | None = None,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
) -> Response:
    article = await _call(service.get_article(session, article_id))
    history = await service.versions(session, article_id)
    number = version or article.published_version or history[0].version
    row = await _call(service.get_version(session, article_id, number))
    return _render(
        request,
        "admin/article.html",
        staff=staff,
        article=article,
        history=history,
        shown=row,
        doc=doc_from_version(row),
    )


@router.get("/articles/{article_id}/edit", response_class=HTMLResponse)
async def article_edit_form(
    request: Request,
    article_id: str,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
) -> Response:
    history = await _call(service.versions(session, article_id))
    form = form_from_doc(doc_from_version(history[0]))
    return _render(
        request,
        "admin/edit.html",
        staff=staff,
        article_id=article_id,
        form=form,
        errors=[],
        base_version=history[0].version,
        **await _taxonomy(session),
    )


@router.post("/articles/{article_id}/edit", response_class=HTMLResponse)
async def article_edit(
    request: Request,
    article_id: str,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    raw = await request.form(max_fields=MAX_FORM_FIELDS)
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    check_csrf(request, form.get("csrf"))
    history = await _call(service.versions(session, article_id))
    # Two editors on one article: refuse a save based on a version that is no longer the latest.
    if form.get("base_version") != str(history[0].version):
        return _render(
            request,
            "admin/edit.html",
            status=409,
            staff=staff,
            article_id=article_id,
            form=form,
            base_version=history[0].version,
            errors=["Ktoś w międzyczasie zapisał nowszą wersję. Otwórz edycję ponownie."],
            **await _taxonomy(session),
        )
    doc, errors = doc_from_form(article_id, form)
    if doc is None:
        return _render(
            request,
            "admin/edit.html",
            status=422,
            staff=staff,
            article_id=article_id,
            form=form,
            errors=errors,
            base_version=history[0].version,
            **await _taxonomy(session),
        )
    if (
        doc.topic not in {t.id for t in (await session.scalars(select(Topic))).all()}
        or (await session.get(OrgUnit, doc.unit)) is None
    ):
        return _render(
            request,
            "admin/edit.html",
            status=422,
            staff=staff,
            article_id=article_id,
            form=form,
            base_version=history[0].version,
            errors=["topic/unit: wybierz temat i jednostkę z listy"],
            **await _taxonomy(session),
        )
    row = await _call(
        service.save_draft(
            session, doc, actor=staff.username, clock=runtime.clock, note=form.get("note", "")[:500]
        )
    )
    return RedirectResponse(f"/admin/articles/{article_id}?version={row.version}", status_code=303)


@router.post("/articles/{article_id}/publish")
async def article_publish(
    request: Request,
    article_id: str,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    check_csrf(request, _str(form.get("csrf")))
    number = _int(form.get("version"))
    await _call(
        service.publish(session, article_id, number, actor=staff.username, clock=runtime.clock)
    )
    await embed_published(session, runtime.chat.embedder, article_ids=[article_id])
    return RedirectResponse(f"/admin/articles/{article_id}", status_code=303)


@router.post("/articles/{article_id}/rollback")
async def article_rollback(
    request: Request,
    article_id: str,
    staff: Staff = Depends(admin_only),
    session: AsyncSession = Depends(db_session),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    check_csrf(request, _str(form.get("csrf")))
    number = _int(form.get("version"))
    await _call(
        service.rollback(session, article_id, number, actor=staff.username, clock=runtime.clock)
    )
    await embed_published(session, runtime.chat.embedder, article_ids=[article_id])
    return RedirectResponse(f"/admin/articles/{article_id}", status_code=303)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    raise Problem(422, "version: a version number is required")
