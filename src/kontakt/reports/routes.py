"""``/reports``: the KPI report for supervisors, as a page with charts and as CSV, XLSX and
JSON downloads. One handler builds the report and its view; the formats only render it."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kontakt.hours import WARSAW
from kontakt.i18n import UI_LANGS, Translations
from kontakt.reports.charts import charts
from kontakt.reports.kpi import kpi_report
from kontakt.reports.kpi_export import to_csv, to_xlsx
from kontakt.reports.kpi_view import KpiView, build_view
from kontakt.runtime import Runtime
from kontakt.web.deps import Staff, csrf_token, get_runtime, require_role
from kontakt.web.problems import Problem
from kontakt.web.templating import render

router = APIRouter(prefix="/reports", include_in_schema=False)
supervisors = require_role("supervisor", "admin")
LANGUAGE_NAMES = (("pl", "polski"), ("uk", "українська"), ("en", "English"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_texts(request: Request) -> Translations:
    """The "reports" catalogs, read once per app (on first use, not at import)."""
    texts: Translations | None = getattr(request.app.state, "report_texts", None)
    if texts is None:
        texts = Translations("reports")
        request.app.state.report_texts = texts
    return texts


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(422, f"{name}: {value!r} is not a date; use YYYY-MM-DD") from None


class Period:
    def __init__(self, start: date, end: date, lang: str) -> None:
        self.start, self.end, self.lang = start, end, lang

    def query(self) -> str:
        return urlencode({"from": self.start, "to": self.end, "lang": self.lang})


def period(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    lang: Annotated[str, Query(max_length=5)] = "pl",
) -> Period:
    """The days to report (default: this year until today, Warsaw time)."""
    today = runtime.clock.now().astimezone(WARSAW).date()
    first = _day(start, "from") if start else date(today.year, 1, 1)
    last = _day(end, "to") if end else today
    if last < first:
        raise Problem(422, "to: the last day is before the first")
    if (last - first).days > 3 * 366:
        raise Problem(422, "to: report at most three years at once")
    if lang not in UI_LANGS:
        raise Problem(422, f"lang: use one of {', '.join(UI_LANGS)}")
    return Period(first, last, lang)


async def _view(runtime: Runtime, p: Period, texts: Translations) -> KpiView:
    # Its own read transactions, two queries at a time (kpi_read), not the request's.
    report = await kpi_report(runtime.sessions, p.start, p.end, lang=p.lang)
    return build_view(report, texts, p.lang)


@router.get("", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    staff: Annotated[Staff, Depends(supervisors)],
    p: Annotated[Period, Depends(period)],
    runtime: Annotated[Runtime, Depends(get_runtime)],
    texts: Annotated[Translations, Depends(report_texts)],
) -> Response:
    view = await _view(runtime, p, texts)

    def t(msgid: str, **values: object) -> str:
        return texts.gettext(p.lang, msgid, **values)

    q = p.query()
    links = {fmt: f"/reports/kpi.{fmt}?{q}" for fmt in ("csv", "xlsx", "json")}
    return render(
        request,
        "reports/kpi.html",
        {"view": view, "charts": charts(view, t), "t": t, "staff": staff, "lang": p.lang,
         "csrf": csrf_token(request), "links": links, "languages": LANGUAGE_NAMES},
    )  # fmt: skip


@router.get("/kpi.{fmt}")
async def kpi_download(
    fmt: str,
    staff: Annotated[Staff, Depends(supervisors)],  # checked before the dates: 401/403 first
    p: Annotated[Period, Depends(period)],
    runtime: Annotated[Runtime, Depends(get_runtime)],
    texts: Annotated[Translations, Depends(report_texts)],
) -> Response:
    if fmt not in ("csv", "xlsx", "json"):
        raise Problem(404, "formats: csv, xlsx, json")
    view = await _view(runtime, p, texts)
    if fmt == "json":
        return JSONResponse(view.report.to_json())
    name = f"kpi-{p.start}-{p.end}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(to_csv(view), media_type="text/csv; charset=utf-8", headers=headers)
    title = texts.gettext(p.lang, "Contact centre report") + f" {p.start} – {p.end}"
    return Response(to_xlsx(view, title), media_type=XLSX, headers=headers)
