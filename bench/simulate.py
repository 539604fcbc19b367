"""How long the capacity simulator takes: one Poznań year, the calibration, the validation.

    python bench/simulate.py [--repeat 3]

The year is the poznan-2021 scenario (254 working days, about 643,000 calls reaching the
brokers, 20,000 more served by the voicebot), staffed as `kontakt simulate` calibrates it.
Each figure is the best of ``--repeat`` runs (the machine may be shared: the load average
is printed with the results). Data for the validation: ../shared/data/callcenter.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from kontakt.capacity import bank, poznan, scenarios
from kontakt.capacity.calibrate import calibrate
from kontakt.capacity.simulation import simulate
from kontakt.capacity.staffing import Target
from kontakt.capacity.validation import holdout, validate

DATA = Path(__file__).resolve().parents[2] / "shared/data/callcenter"
T = TypeVar("T")


def best(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - t0)
    assert result is not None
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    load_before = os.getloadavg()[0]
    cal = calibrate(1)
    rows = []
    for bot in (True, False):
        sc = poznan.scenario(cal.beta, cal.patience_s, voicebot=bot)
        secs, result = best(repeat, partial(simulate, sc, 1))
        k = result.kpis()
        calls = k.calls_incoming + k.voicebot_served
        rows.append(
            (f"one year, {'with' if bot else 'without'} the voicebot: simulate()",
             f"{secs:.1f} s ({calls:,} calls, {1e6 * secs / calls:.1f} µs per call)")
        )  # fmt: skip
    secs, _ = best(1, lambda: scenarios.run("poznan-2021", seed=1))
    rows.append(("`kontakt simulate` (calibration + the year)", f"{secs:.1f} s"))
    secs, _ = best(1, lambda: scenarios.staff("poznan-2021", Target(0.8, 20.0), seed=1))
    rows.append(("`kontakt simulate staff --target 80/20` (calibration + checks)", f"{secs:.1f} s"))
    secs, log = best(repeat, lambda: bank.load(DATA))
    rows.append(("read the bank log (33,344 rows)", f"{secs:.2f} s"))
    for proxy in ("servers", "presence"):
        secs, _ = best(1, partial(validate, log, staffing=proxy, replications=10))
        rows.append((f"validation, {proxy} staffing, 10 simulation runs", f"{secs:.1f} s"))
    secs, _ = best(1, partial(holdout, log, staffing="presence", replications=10))
    rows.append(("held-out check (4 half-month validations, 10 runs each)", f"{secs:.1f} s"))
    print(f"load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    print("| measure | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
