"""``kontakt simulate``: the capacity simulator, staffing and the real-data validation."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from kontakt.cli_support import fail, out

# The numeric stack (numpy, scipy, simpy) is imported inside the commands, so that every
# other `kontakt` command starts without paying for it.

simulate_app = typer.Typer(
    help="Simulate the contact center (SimPy), recommend staffing, validate on real data.",
    invoke_without_command=True,
)

FORMATS = ("text", "json")
DEFAULT_DATA = Path("../shared/data/callcenter")


def _format(value: str) -> str:
    if value not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {value!r}")
    return value


def _finite(value: Any) -> Any:
    """JSON has no infinity: an unbounded wait (Erlang-C overloaded) becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _print_json(data: dict[str, Any]) -> None:
    out.print(json.dumps(_finite(data), ensure_ascii=False, indent=2), markup=False)


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        out.print(line, markup=False)


@simulate_app.callback(invoke_without_command=True)
def simulate_command(
    ctx: typer.Context,
    scenario: str = typer.Option("poznan-2021", help="Scenario to simulate."),
    without_voicebot: bool = typer.Option(
        False, "--without-voicebot", help="The same year and staffing, no voicebot."
    ),
    seed: int = typer.Option(1, help="Random seed; the same seed gives the same run."),
    every_nth_day: int = typer.Option(
        1, min=1, help="Simulate only every n-th working day (a quick look)."
    ),
    voicebot_saving: float = typer.Option(
        30.0, min=0.0, help="Assumed talk seconds the voicebot saves per identified call."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Calibrate the scenario to its published figures, then simulate its year."""
    if ctx.invoked_subcommand is not None:
        return
    from kontakt.capacity import render, scenarios
    from kontakt.capacity.poznan import Assumptions

    _format(fmt)
    try:
        result = scenarios.run(
            scenario,
            seed=seed,
            voicebot=not without_voicebot,
            every_nth_day=every_nth_day,
            assumptions=Assumptions(voicebot_saving_s=voicebot_saving),
        )
    except scenarios.UnknownScenario as exc:
        fail(str(exc))
    if fmt == "json":
        _print_json(
            {
                "scenario": result.name,
                "seed": result.seed,
                "voicebot": result.voicebot,
                "days": result.days,
                "assumptions": asdict(result.assumptions),
                "calibration": asdict(result.calibration),
                **result.kpis.as_dict(),
            }
        )
    else:
        _print_lines(render.scenario_run(result))


@simulate_app.command("staff")
def staff_command(
    target: str = typer.Option("80/20", help="Service level: percent answered / seconds."),
    scenario: str = typer.Option("poznan-2021", help="Scenario whose load to staff."),
    seed: int = typer.Option(1, help="Random seed of the checking simulations."),
    patience: float = typer.Option(
        None, min=1.0, help="Mean patience in seconds (default: calibrated to the scenario)."
    ),
    replications: int = typer.Option(20, min=1, help="Simulated copies of each weekday per check."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Recommend agents per interval for a service-level target (Erlang-A, then simulated)."""
    from kontakt.capacity import render, scenarios
    from kontakt.capacity.staffing import Target

    _format(fmt)
    try:
        goal = Target.parse(target)
        plan, used = scenarios.staff(
            scenario, goal, seed=seed, patience_s=patience, replications=replications
        )
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        _print_json({"target": str(plan.target), "patience_s": used, **asdict(plan)})
    else:
        _print_lines(render.staffing(plan, used))


@simulate_app.command("validate")
def validate_command(
    data: Path = typer.Option(DEFAULT_DATA, help="Folder (or file) of the bank call log."),
    agents: str = typer.Option(
        "both", help="Staffing estimate: servers (README proxy), presence, or both."
    ),
    replications: int = typer.Option(10, min=1, help="Simulation runs to average."),
    seed: int = typer.Option(1, help="Random seed of the first run."),
    callers: str = typer.Option(
        "classes",
        help="Callers in the sim: classes (priority classes, head starts), fifo (the same "
        "classes, first come first served) or pooled (one class).",
    ),
    held_out: bool = typer.Option(
        False, "--holdout", help="Also fit on each half of the month and check on the other."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Compare the simulation, Erlang-A and Erlang-C with a real month, hour by hour."""
    from kontakt.capacity import bank, render
    from kontakt.capacity.validation import Callers, Staffing, holdout, validate

    _format(fmt)
    known: dict[str, tuple[Staffing, ...]] = {
        "servers": ("servers",),
        "presence": ("presence",),
        "both": ("servers", "presence"),
    }
    if agents not in known:
        fail(f"--agents must be servers, presence or both, not {agents!r}")
    proxies = known[agents]
    kinds: dict[str, Callers] = {"classes": "classes", "fifo": "fifo", "pooled": "pooled"}
    if callers not in kinds:
        fail(f"--callers must be classes, fifo or pooled, not {callers!r}")
    who = kinds[callers]
    try:
        log = bank.load(data)
    except bank.DataError as exc:
        fail(str(exc))
    results = [
        validate(log, staffing=p, replications=replications, seed=seed, callers=who)
        for p in proxies
    ]
    checks = [
        holdout(log, staffing=p, replications=replications, seed=seed, callers=who)
        for p in (proxies if held_out else ())
    ]
    if fmt == "json":
        _print_json(
            {
                "data": str(data),
                "results": [asdict(v) for v in results],
                "holdout": [[asdict(c) for c in check] for check in checks],
            }
        )
        return
    for i, v in enumerate(results):
        if i:
            out.print("")
        _print_lines(render.validation(v))
    for check in checks:
        out.print("")
        _print_lines(render.holdout(check))
