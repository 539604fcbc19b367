"""Named scenarios the CLI can run, with what it takes to run them.

Only one so far: poznan-2021, whose staffing and patience are not given but calibrated
to the seed's efficiency and ASA before the year is simulated (see `calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kontakt.capacity import poznan
from kontakt.capacity.calibrate import COARSE_STEP, Calibration, calibrate
from kontakt.capacity.kpi import Kpis
from kontakt.capacity.simulation import simulate
from kontakt.capacity.staffing import Staffing, Target, recommend_staffing
from kontakt.hours import working_days

NAMES = ("poznan-2021",)


class UnknownScenario(ValueError):
    pass


@dataclass(frozen=True)
class ScenarioRun:
    name: str
    seed: int
    voicebot: bool
    days: int
    assumptions: poznan.Assumptions
    calibration: Calibration
    kpis: Kpis


def _check(name: str) -> None:
    if name not in NAMES:
        raise UnknownScenario(f"unknown scenario {name!r} (known: {', '.join(NAMES)})")


def run(
    name: str,
    *,
    seed: int = 1,
    voicebot: bool = True,
    every_nth_day: int = 1,
    assumptions: poznan.Assumptions | None = None,
) -> ScenarioRun:
    """Calibrate on the year with the voicebot, then simulate it with or without one.

    ``every_nth_day`` > 1 simulates only every n-th working day (a quick look: the shares
    hold, the counts shrink accordingly).
    """
    _check(name)
    a = assumptions or poznan.Assumptions()
    cal = calibrate(seed, every_nth_day=every_nth_day, assumptions=a)
    days = len(working_days(2021)[::every_nth_day])
    if voicebot:  # the calibration's last check ran this very year, seed and voicebot
        return ScenarioRun(name, seed, voicebot, days, a, cal, cal.kpis)
    sc = poznan.scenario(
        cal.beta, cal.patience_s, voicebot=False, every_nth_day=every_nth_day, assumptions=a
    )
    return ScenarioRun(name, seed, voicebot, days, a, cal, simulate(sc, seed).kpis())


def staff(
    name: str,
    target: Target,
    *,
    seed: int = 1,
    patience_s: float | None = None,
    replications: int = 20,
) -> tuple[Staffing, float]:
    """Agents per interval of an average Monday..Friday, and the patience used."""
    _check(name)
    if patience_s is None:
        # The coarse phase is enough for a patience estimate.
        patience_s = calibrate(seed, every_nth_day=COARSE_STEP).patience_s
    template = poznan.weekday_template(patience_s)
    return recommend_staffing(template, target, seed=seed, replications=replications), patience_s
