"""The Poznań 2021 scenario: the seed's yearly figures turned into a year of intervals.

Facts from the seed (the contact office's 2021 report) are marked SEED; everything else is
an assumption, stated here and in docs/validation.md, because the report gives yearly
totals only. Arrivals per interval are the yearly incoming calls spread over the working
days (Mon–Fri 7:30–20:00, Polish public holidays closed, as `kontakt.hours` knows them) by
month, weekday and hour-of-day weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from scipy.optimize import brentq
from scipy.stats import norm

from kontakt.capacity.distributions import Exponential, Lognormal
from kontakt.capacity.scenario import AgentGroup, CallType, Day, Interval, Scenario, Voicebot
from kontakt.hours import working_days

# SEED: the 2021 table and the text about the voicebot.
INCOMING = 644_344
ANSWERED = 570_203
EFFICIENCY = 0.8849
ASA_S = 68.0  # 01:08
ASA_2020_S = 118.0  # 01:58, the year before the voicebot
AHT_S = 268.0  # 04:28
TALK_S = 182.0  # reconciles the seed's total handling time (see docs/metrics.md)
VOICEBOT_TRANSFERRED = 177_797
UKRAINIAN_CLIENTS = 9_610
ENGLISH_CASES = 1_989

# ASSUMPTIONS: relative arrival rates. Hour-of-day: a morning peak, a long afternoon
# tail, typical of municipal lines; the 7:30 row is the rate per hour in its half hour.
HOUR_WEIGHTS = {
    7.5: 0.55, 8: 1.20, 9: 1.45, 10: 1.45, 11: 1.35, 12: 1.25, 13: 1.15,
    14: 1.05, 15: 0.95, 16: 0.75, 17: 0.55, 18: 0.40, 19: 0.30,
}  # fmt: skip
WEEKDAY_WEIGHTS = (1.15, 1.02, 1.00, 0.97, 0.86)  # Monday .. Friday
# 2021: vaccination registration in the first half, quieter summer holidays.
MONTH_WEIGHTS = (1.15, 1.00, 1.05, 1.10, 1.05, 0.95, 0.90, 0.85, 0.95, 1.00, 1.00, 0.95)


@dataclass(frozen=True)
class Assumptions:
    """What the seed does not say; each one is a documented guess."""

    talk_cv: float = 1.0  # lognormal talk times; the bank log's is 1.2
    after_call_work_cv: float = 0.5
    voicebot_saving_s: float = 30.0  # talk an identified call saves the broker
    self_serve_share: float = 0.03  # callers the bot answers itself (payment dates ...)
    multilingual_agents: int = 2  # brokers speaking Polish, Ukrainian and English

    @property
    def identify_share(self) -> float:
        return VOICEBOT_TRANSFERRED / INCOMING  # SEED: of the calls that reached brokers


def interval_loads(year: int = 2021) -> list[tuple[date, list[tuple[float, float, float]]]]:
    """(day, [(start_s, end_s, expected incoming calls)]) summing to the seed's total."""
    raw = []
    for day in working_days(year):
        scale = MONTH_WEIGHTS[day.month - 1] * WEEKDAY_WEIGHTS[day.weekday()]
        rows = []
        for hour, weight in HOUR_WEIGHTS.items():
            start = hour * 3600
            end = (math.floor(hour) + 1) * 3600
            rows.append((start, end, scale * weight * (end - start) / 3600))
        raw.append((day, rows))
    total = sum(calls for _, rows in raw for _, _, calls in rows)
    k = INCOMING / total
    return [(day, [(s, e, c * k) for s, e, c in rows]) for day, rows in raw]


def talk_without_bot(a: Assumptions) -> float:
    """Mean talk before the voicebot's saving, so that with it the mean is the seed's.

    The saving is capped at 90 % of a call's talk (see draw.MIN_TALK_SHARE), so the mean
    saving is E[min(s, 0.9 T)] for lognormal T, from the lognormal partial expectation.
    """
    sigma = math.sqrt(math.log1p(a.talk_cv**2))

    def mean_with_bot(m: float) -> float:
        mu = math.log(m) - sigma**2 / 2
        cut = math.log(a.voicebot_saving_s / 0.9)
        below = m * norm.cdf((cut - mu - sigma**2) / sigma)  # E[T; 0.9T < s]
        above = 1.0 - norm.cdf((cut - mu) / sigma)  # P(0.9T ≥ s)
        saving = 0.9 * below + a.voicebot_saving_s * above
        return float(m - a.identify_share * saving - TALK_S)

    return float(brentq(mean_with_bot, TALK_S, TALK_S + a.voicebot_saving_s + 1.0))


def call_types(a: Assumptions) -> tuple[CallType, ...]:
    talk = Lognormal(talk_without_bot(a), a.talk_cv)
    work = Lognormal(AHT_S - TALK_S, a.after_call_work_cv)
    uk, en = UKRAINIAN_CLIENTS / INCOMING, ENGLISH_CASES / INCOMING
    return (
        CallType("polish", talk, 1.0 - uk - en, language="pl", after_call_work=work),
        CallType("ukrainian", talk, uk, language="uk", after_call_work=work),
        CallType("english", talk, en, language="en", after_call_work=work),
    )


GROUPS = (
    AgentGroup("brokers", languages=frozenset({"pl"})),
    AgentGroup("multilingual", languages=frozenset({"pl", "uk", "en"})),
)


def _voicebot(a: Assumptions, on: bool) -> Voicebot:
    return Voicebot(a.identify_share, a.voicebot_saving_s, a.self_serve_share) if on else Voicebot()


def sqrt_staffing(load: float, beta: float) -> int:
    """Square-root staffing n = R + β√R (Halfin-Whitt); β < 0 is allowed with impatience."""
    return max(1, round(load + beta * math.sqrt(load)))


def scenario(
    beta: float,
    patience_s: float,
    *,
    voicebot: bool = True,
    assumptions: Assumptions | None = None,
    every_nth_day: int = 1,
) -> Scenario:
    """The year, staffed by the square-root rule on each interval's offered load.

    The staffing is planned on the 2021 load *with* the voicebot, and kept as it is when
    the voicebot is switched off: that is the question "what would the same office have
    looked like without it?". ``every_nth_day`` thins the year for quick calibration runs.
    """
    a = assumptions or Assumptions()
    to_line = 1.0 / (1.0 - a.self_serve_share)  # callers dialling, before the bot
    days = []
    for i, (day, rows) in enumerate(interval_loads()):
        if i % every_nth_day:
            continue
        intervals = []
        for start, end, calls in rows:
            rate = calls / (end - start)
            n = sqrt_staffing(rate * AHT_S, beta)
            multi = min(a.multilingual_agents, n)
            intervals.append(Interval(start, end, calls * to_line, (n - multi, multi)))
        days.append(Day(day.isoformat(), tuple(intervals)))
    return Scenario(
        name="poznan-2021" if voicebot else "poznan-2021-without-voicebot",
        call_types=call_types(a),
        groups=GROUPS,
        days=tuple(days),
        patience=Exponential(patience_s),
        voicebot=_voicebot(a, voicebot),
    )


def weekday_template(patience_s: float, *, voicebot: bool = True) -> Scenario:
    """Monday..Friday, each interval at its mean load over the year: the staffing question.

    Head counts are placeholders (0 brokers, the multilingual ones) that the staffing
    planner replaces; the multilingual agents stay as assumed.
    """
    a = Assumptions()
    to_line = 1.0 / (1.0 - a.self_serve_share)
    sums: dict[int, list[float]] = {}
    counts: dict[int, int] = {}
    bounds: list[tuple[float, float]] = []
    for day, rows in interval_loads():
        wd = day.weekday()
        sums.setdefault(wd, [0.0] * len(rows))
        counts[wd] = counts.get(wd, 0) + 1
        for i, (_, _, calls) in enumerate(rows):
            sums[wd][i] += calls
        bounds = [(s, e) for s, e, _ in rows]
    names = ("Mon", "Tue", "Wed", "Thu", "Fri")
    days = tuple(
        Day(
            names[wd],
            tuple(
                Interval(s, e, sums[wd][i] / counts[wd] * to_line, (0, a.multilingual_agents))
                for i, (s, e) in enumerate(bounds)
            ),
        )
        for wd in sorted(sums)
    )
    return Scenario(
        name="poznan-2021-week",
        call_types=call_types(a),
        groups=GROUPS,
        days=days,
        patience=Exponential(patience_s),
        voicebot=_voicebot(a, voicebot),
    )
