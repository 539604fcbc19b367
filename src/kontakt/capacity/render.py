"""Plain-text (Markdown-table) renderings of runs, staffing plans and the validation.

The same functions print to the terminal and write docs/validation.md, so the document
cannot drift from what the command shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kontakt.capacity import poznan
from kontakt.capacity.scenarios import ScenarioRun
from kontakt.capacity.staffing import Staffing
from kontakt.capacity.validation import Holdout
from kontakt.capacity.validation_stats import Figures, Validation


def clock(seconds: float) -> str:
    """1:08 style for waits, 32926:48:42 style for long totals."""
    if not math.isfinite(seconds):
        return "∞"
    s = round(seconds)
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def hhmm(seconds: float) -> str:
    """Time of day: 27000 -> 07:30."""
    m = round(seconds) // 60
    return f"{m // 60:02d}:{m % 60:02d}"


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(head), "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|"] + [
        line(r) for r in rows
    ]


def scenario_run(r: ScenarioRun) -> list[str]:
    k, c = r.kpis, r.calibration
    out = [
        f"scenario {r.name}, {'with' if r.voicebot else 'WITHOUT'} the voicebot, seed {r.seed}, "
        f"{r.days} working days",
        f"assumed: voicebot saves {r.assumptions.voicebot_saving_s:g} s of talk per identified "
        f"call ({_pct(r.assumptions.identify_share)} of queued calls) and serves "
        f"{_pct(r.assumptions.self_serve_share)} of callers itself; talk cv "
        f"{r.assumptions.talk_cv:g}; {r.assumptions.multilingual_agents} multilingual agents",
        f"staffing: n = R + β√R per interval, β = {c.beta:.3f}; mean patience "
        f"{c.patience_s:.0f} s (exponential); found in {c.runs} simulation runs, the last "
        f"giving, with the voicebot, efficiency {_pct(c.efficiency)} and ASA {c.asa_s:.1f} s "
        f"(seed: {_pct(poznan.EFFICIENCY)}, {clock(poznan.ASA_S)})",
        "",
        *table(
            ["KPI", "value"],
            [
                ["calls_incoming", f"{k.calls_incoming:,}"],
                ["calls_answered", f"{k.calls_answered:,}"],
                ["efficiency", _pct(k.efficiency)],
                ["aht_incoming_s", f"{k.aht_incoming_s:.1f} ({clock(k.aht_incoming_s)})"],
                ["asa_s", f"{k.asa_s:.1f} ({clock(k.asa_s)})"],
                [
                    "handled_time_total_s",
                    f"{k.handled_time_total_s:,.0f} ({clock(k.handled_time_total_s)})",
                ],
                ["service_level (20 s)", _pct(k.service_level)],
                ["abandon_rate (> 5 s)", _pct(k.abandon_rate)],
                ["abandoned / short_abandons", f"{k.abandoned:,} / {k.short_abandons:,}"],
                ["mean_wait_s (all queued)", f"{k.mean_wait_s:.1f}"],
                ["occupancy", _pct(k.occupancy)],
                ["agent_hours (scheduled)", f"{k.agent_hours:,.0f}"],
                ["voicebot_identified", f"{k.voicebot_identified:,}"],
                ["voicebot_served", f"{k.voicebot_served:,}"],
            ],
        ),
        "",
        *table(
            ["hour", "incoming", "answered", "ASA", "SL 20 s", "abandoned", "agents"],
            [
                [
                    f"{h.hour:02d}",
                    f"{h.calls_incoming:,}",
                    f"{h.calls_answered:,}",
                    clock(h.asa_s),
                    _pct(h.service_level),
                    _pct(h.abandon_rate),
                    f"{h.agents:.1f}",
                ]
                for h in k.hours
            ],
        ),
    ]
    if not r.voicebot:
        out += ["", f"for comparison, the seed: ASA {clock(poznan.ASA_2020_S)} in 2020 (before "
                f"the voicebot), {clock(poznan.ASA_S)} in 2021 (with it)"]  # fmt: skip
    return out


def staffing(plan: Staffing, patience_s: float) -> list[str]:
    days = list(dict.fromkeys(r.day for r in plan.rows))
    slots = list(dict.fromkeys((r.start_s, r.end_s) for r in plan.rows))
    cell = {(r.day, r.start_s): r for r in plan.rows}
    rows = []
    for start, end in slots:
        row = [f"{hhmm(start)}–{hhmm(end)}"]
        for d in days:
            r = cell[(d, start)]
            row.append(f"{r.agents} ({r.erlang_agents})")
        rows.append(row)
    worst = min(plan.rows, key=lambda r: r.service_level)
    return [
        f"agents per interval for {plan.target} (Erlang-A minimum in brackets; mean patience "
        f"{patience_s:.0f} s), checked by simulation in {plan.rounds} runs",
        "",
        *table(["time", *days], rows),
        "",
        f"lowest simulated service level: {_pct(worst.service_level)} ({worst.day} "
        f"{hhmm(worst.start_s)}); agent-hours per week: "
        f"{sum(r.agents * (r.end_s - r.start_s) / 3600 for r in plan.rows):.0f}",
    ]


def _fig(f: Figures, what: str) -> str:
    if what == "asa":
        return clock(f.asa_s) if math.isfinite(f.asa_s) else f"∞ ({f.unstable_cells})"
    return f"{100 * (f.within_20 if what == 'w20' else f.abandon):.1f}"


def validation(v: Validation) -> list[str]:
    models = ("observed", "sim", "erlang_a", "erlang_c")
    if len(v.patience_km_s) == 1:
        callers = f"one class, Kaplan-Meier mean {v.patience_km_s[0]:.0f} s"
    else:
        rule = "first come, first served" if v.callers == "fifo" else "head starts"
        callers = (
            f"priority classes ({rule}), Kaplan-Meier means "
            f"{'/'.join(f'{m:.0f}' for m in v.patience_km_s)} s, head starts "
            f"{'/'.join(f'{h:.0f}' for h in v.head_starts_s)} s"
        )
    out = [
        f"staffing input: {v.staffing}; patience: exponential mean {v.patience_exp_s:.0f} s "
        f"(Erlang-A); simulated callers: {callers}; {v.replications} simulation runs; hours "
        f"with ≥ {v.min_calls} calls; dropped {v.dropped[0]} PHANTOM rows and "
        f"{v.dropped[1]} hang-ups before the queue",
    ]
    for what, title in (("abandon", "abandoned, % of calls reaching the queue"),
                        ("asa", "ASA, m:ss (∞: Erlang-C overloaded in that many day-hours)"),
                        ("w20", "answered within 20 s, % of answered")):  # fmt: skip
        rows = [
            [f"{r.hour:02d}" if r.hour is not None else "all", f"{r.calls:,}",
             f"{r.agents:.1f}", f"{r.aht_s:.0f}", *(_fig(r.figures[m], what) for m in models)]
            for r in (*v.rows, v.total)
        ]  # fmt: skip
        out += ["", title, "", *table(["hour", "calls", "agents", "AHT s", *models], rows)]
    out += ["", "errors (mean over the hours above; 'month': on the totals)", ""]
    out += table(ERROR_HEAD, _error_rows(v))
    if v.classes:
        out += ["", "queued callers (waited or hung up) per priority class", ""]
        seen, sim = v.classes["observed"], v.classes["sim"]
        out += table(
            ["priority", "head start s", "queued: observed", "sim", "ASA: observed", "sim",
             "abandoned %: observed", "sim"],
            [
                [str(i), f"{h:.0f}", f"{a.queued:,.0f}", f"{b.queued:,.0f}", clock(a.asa_s),
                 clock(b.asa_s), f"{100 * a.abandon:.1f}", f"{100 * b.abandon:.1f}"]
                for i, (h, a, b) in enumerate(zip(v.head_starts_s, seen, sim, strict=True))
            ],
        )  # fmt: skip
    return out


ERROR_HEAD = ["model", "abandon MAE, pts", "ASA mean rel. error", "ASA, call-weighted",
              "≤20 s MAE, pts", "month: abandon, pts", "month: ASA"]  # fmt: skip


def _error_rows(v: Validation) -> list[list[str]]:
    return [
        [m, f"{e.abandon_mae_pts:.1f}", _rel(e.asa_mape, e.asa_infinite_hours),
         _rel(e.asa_weighted, 0), f"{e.within_20_mae_pts:.1f}", f"{e.abandon_total_pts:+.1f}",
         f"{100 * e.asa_total_rel:+.0f} %" if math.isfinite(e.asa_total_rel) else "∞"]
        for m, e in v.errors.items()
    ]  # fmt: skip


def holdout(checks: Sequence[Holdout]) -> list[str]:
    """The error table of each (fit half, check half) pair; Erlang-C fits nothing."""
    v = checks[0].validation
    rows = [
        [c.fit, c.check, *row]
        for c in checks
        for row in _error_rows(c.validation)
        if row[0] != "erlang_c"
    ]
    return [
        f"held-out check: patience curves, head starts and class mix (and Erlang-A's "
        f"patience) fitted on one half of the month, compared on the other and on itself; "
        f"staffing input: {v.staffing}; {v.replications} simulation runs; hours with ≥ "
        f"{v.min_calls} calls in the half",
        "",
        *table(["fit on", "check on", *ERROR_HEAD], rows),
    ]


def _rel(x: float, infinite: int) -> str:
    text = f"{100 * x:.1f} %" if math.isfinite(x) else "—"
    return f"{text} (∞ in {infinite} h)" if infinite else text
