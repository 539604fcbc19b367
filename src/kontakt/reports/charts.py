"""Charts as inline SVG, drawn on the server: no script, no build step, printable, and
readable by screen readers (each chart has a title and a description, and the same numbers
are in the tables beside it).

Colours keep at least 4.5:1 contrast against white, so bars and their labels stay legible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from kontakt.reports.kpi_view import KpiView, fmt

COLOURS = ("#00557f", "#a14d00", "#2e6b30")  # blue, brown, green
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _nice_max(value: float) -> float:
    """A round axis maximum (1, 2 or 5 × a power of ten) at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return float(factor * step)
    return float(10 * step)


def columns(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: Callable[[float], str],
) -> Markup:
    """Vertical bars, one group per label and one bar per series, with a legend."""
    width, height, left, bottom, top = 720, 260, 70, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = _nice_max(max((v or 0.0 for _, vals in series for v in vals), default=0.0))
    group = plot_w / max(len(labels), 1)
    bar = max(group * 0.8 / max(len(series), 1), 1.0)
    parts = [_open(chart_id, title, width, height, _describe(labels, series, label))]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d0d0d0"/><text x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" {FONT}>{escape(label(value))}</text>')  # fmt: skip
    for gi, name in enumerate(labels):
        x0 = left + gi * group + group * 0.1
        for si, (_, values) in enumerate(series):
            v = values[gi] or 0.0
            h = plot_h * v / top_value
            parts.append(f'<rect x="{x0 + si * bar:.1f}" y="{top + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[si % 3]}"/>')  # fmt: skip
        parts.append(f'<text x="{left + gi * group + group / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle" {FONT}>{escape(name)}</text>')  # fmt: skip
    for si, (name, _) in enumerate(series):
        x = left + si * 170
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[si % 3]}"/>'
                     f'<text x="{x + 18}" y="16" {FONT}>{escape(name)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def bars(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], label: Callable[[float], str]
) -> Markup:
    """Horizontal bars, one per item, with its value at the end."""
    row, left, width = 22, 260, 720
    height = row * len(items) + 10
    top_value = max((v for _, v in items), default=0.0) or 1.0
    room = width - left - 90
    parts = [_open(chart_id, title, width, height, _describe_items(items, label))]
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        w = room * value / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" {FONT}>'
                     f'{escape(name[:40])}</text><rect x="{left}" y="{y + 3}" width="{w:.1f}" '
                     f'height="{row - 6}" fill="{COLOURS[0]}"/><text x="{left + w + 6:.1f}" '
                     f'y="{y + 14}" {FONT}>{escape(label(value))}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _open(chart_id: str, title: str, width: int, height: int, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def _describe(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: Callable[[float], str],
) -> str:
    parts = []
    for name, values in series:
        points = ", ".join(
            f"{lab} {label(v or 0.0)}" for lab, v in zip(labels, values, strict=True)
        )
        parts.append(f"{name}: {points}")
    return "; ".join(parts)


def _describe_items(items: Sequence[tuple[str, float]], label: Callable[[float], str]) -> str:
    return ", ".join(f"{name} {label(v)}" for name, v in items)


def _language(t: Callable[..., str], code: str) -> str:
    label = t(f"language:{code}")
    return code if label == f"language:{code}" else label


def charts(view: KpiView, t: Callable[..., str]) -> dict[str, Markup]:
    """The four charts of the /reports page."""
    r = view.report

    def count(v: float) -> str:
        return fmt(v, "count")

    def mmss(v: float) -> str:
        return fmt(v, "mmss")

    months = [m.month for m in r.by_month]
    topics = [(x.name or x.topic or "–", float(x.handled)) for x in r.by_topic if x.handled]
    languages = [(_language(t, x.language), float(x.incoming + x.outgoing)) for x in r.by_language]
    return {
        "months": columns(
            "chart-months", t("Calls per month"), months,
            [(t("Incoming"), [m.incoming for m in r.by_month]),
             (t("Answered"), [m.answered for m in r.by_month]),
             (t("Outgoing"), [m.outgoing for m in r.by_month])], count,
        ),
        "hours": columns(
            "chart-hours", t("Average wait by hour of day"),
            [f"{h.hour:02d}" for h in r.by_hour],
            [(t("Average wait"), [h.asa_s for h in r.by_hour])], mmss,
        ),
        "topics": bars("chart-topics", t("Answered incoming calls by topic"), topics, count),
        "languages": bars("chart-languages", t("Calls by language"), languages, count),
    }  # fmt: skip
