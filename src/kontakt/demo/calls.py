"""One working day of the demo's phone calls, as call records (the same records a city's
call distributor exports; ``kontakt.calls.records.events_for`` turns them into events).

Inbound: arrivals spread over the half-hours; a language and a topic; some through the
voicebot; a wait a broker would answer after and the caller's patience (the shorter wins);
talk and wrap-up times. Outbound: each running campaign's calls within 9:00–18:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from kontakt.calls.records import CallRecord
from kontakt.demo import calendar
from kontakt.demo.scenario import (
    TALK_SIGMA,
    VOICEBOT_S,
    VOICEBOT_SPEECH,
    WRAP_SIGMA,
    Parameters,
    lognormal_mu,
)
from kontakt.routing.catalog import QueueDoc

AGENTS = 60  # brokers in the demo's call records
GENERAL = "general"
UKRAINIAN_QUEUE = "foreigners"  # where the voicebot sends Ukrainian speakers


class Quasi:
    """Quasi-random uniforms (a Weyl sequence): the counts of each category stay within a
    few calls of their shares, so a share as small as 1,989 English calls among 644,344
    comes out as planned instead of ±2 % of sampling noise."""

    def __init__(self, start: float, step: float) -> None:
        self.next, self.step = start, step

    def take(self, n: int) -> NDArray[np.float64]:
        values: NDArray[np.float64] = (self.next + self.step * np.arange(n, dtype=np.float64)) % 1.0
        self.next = (self.next + self.step * n) % 1.0
        return values


@dataclass(frozen=True)
class Routing:
    """Which queue takes a topic in a language, as the desk routes (content/queues.yaml)."""

    queues: tuple[QueueDoc, ...]

    def queue(self, topic: str, language: str) -> str:
        if language == "uk" and any(q.id == UKRAINIAN_QUEUE for q in self.queues):
            return UKRAINIAN_QUEUE
        for q in self.queues:
            if topic in q.topics and language in q.languages:
                return q.id
        return GENERAL


@dataclass
class DayPlan:
    day: date
    expected_inbound: float
    load: NDArray[np.float64]  # relative load of each half-hour, for the wait model
    campaigns: list[tuple[str, str, float]]  # (campaign id, topic, expected calls)


class CallMaker:
    def __init__(
        self,
        rng: np.random.Generator,
        p: Parameters,
        wait_model: tuple[float, float],
        topics: dict[str, float],
        routing: Routing,
    ) -> None:
        self.rng, self.p, self.routing = rng, p, routing
        self.m, self.theta = wait_model
        self.topic_ids = list(topics)
        shares = np.array(list(topics.values()), dtype=float)
        self.topic_cum = np.cumsum(shares / shares.sum())
        self.lang_seq = Quasi(rng.random(), (5**0.5 - 1) / 2)
        self.topic_seq = Quasi(rng.random(), 2**0.5 - 1)
        self.slot_p = calendar.slot_shares()

    def _lognormal(self, mean: float, sigma: float, n: int) -> NDArray[np.float64]:
        return self.rng.lognormal(lognormal_mu(mean, sigma), sigma, n)

    def _languages(self, n: int) -> list[str]:
        u = self.lang_seq.take(n)
        en, uk = self.p.english, self.p.ukrainian
        return ["en" if x < en else "uk" if x < en + uk else "pl" for x in u]

    def inbound(self, plan: DayPlan) -> list[CallRecord]:
        rng, p = self.rng, self.p
        n = int(rng.poisson(plan.expected_inbound))
        slots = np.sort(rng.choice(len(self.slot_p), n, p=self.slot_p))
        seconds = np.sort(calendar.office_seconds(rng, slots))
        langs = self._languages(n)
        topic_idx = np.minimum(
            np.searchsorted(self.topic_cum, self.topic_seq.take(n)), len(self.topic_ids) - 1
        )
        bot = rng.random(n) < p.voicebot
        speech = rng.random(n) < VOICEBOT_SPEECH
        bot_s = np.rint(self._lognormal(VOICEBOT_S, 0.4, n))
        could = rng.exponential(self.m * plan.load[slots])  # when a broker would answer
        patience = rng.exponential(self.theta, n)
        answered = could <= patience
        waited = np.rint(np.where(answered, could, patience))
        talk = np.maximum(np.rint(self._lognormal(p.talk_in_s, TALK_SIGMA, n)), 1)
        wrap = np.rint(self._lognormal(p.wrap_in_s, WRAP_SIGMA, n))
        agents = rng.integers(1, AGENTS + 1, n)
        base = calendar.midnight_utc(plan.day)
        stamp = f"{plan.day:%Y%m%d}"
        out = []
        for i in range(n):
            topic, lang, ok = self.topic_ids[topic_idx[i]], langs[i], bool(answered[i])
            out.append(
                CallRecord(
                    call_id=f"demo-{stamp}-{i:05d}",
                    direction="inbound",
                    started_at=base + timedelta(seconds=float(seconds[i])),
                    language=lang,
                    queue=self.routing.queue(topic, lang),
                    topic=topic,
                    bot_s=float(bot_s[i]) if bot[i] else 0.0,
                    bot_method=("speech" if speech[i] else "keypad") if bot[i] else "",
                    waited_s=float(waited[i]),
                    answered=ok,
                    talk_s=float(talk[i]) if ok else 0.0,
                    wrap_s=float(wrap[i]) if ok else 0.0,
                    agent=f"b{agents[i]:02d}" if ok else "",
                )
            )
        return out + self._self_served(plan, stamp)

    def _self_served(self, plan: DayPlan, stamp: str) -> list[CallRecord]:
        """Calls the voicebot ends itself (a benefit's payment date): never queued."""
        rng = self.rng
        n = int(rng.poisson(plan.expected_inbound * self.p.self_served))
        slots = rng.choice(len(self.slot_p), n, p=self.slot_p)
        seconds = calendar.office_seconds(rng, slots)
        bot_s = np.rint(self._lognormal(VOICEBOT_S * 1.5, 0.4, n))
        base = calendar.midnight_utc(plan.day)
        return [
            CallRecord(
                call_id=f"demo-{stamp}-s{i:04d}",
                direction="inbound",
                started_at=base + timedelta(seconds=float(seconds[i])),
                language=lang,
                topic="benefits",
                bot_s=float(bot_s[i]),
                self_service="benefit_payment_date",
            )
            for i, lang in enumerate(self._languages(n))
        ]

    def outbound(self, plan: DayPlan) -> list[CallRecord]:
        rng, p = self.rng, self.p
        base = calendar.midnight_utc(plan.day)
        out = []
        for campaign, topic, expected in plan.campaigns:
            n = int(rng.poisson(expected))
            seconds = np.sort(9 * 3600 + rng.uniform(0, 9 * 3600, n))
            picked = rng.random(n) < p.picked_up
            ring = np.rint(np.where(picked, self._lognormal(12.0, 0.5, n), rng.uniform(25, 40, n)))
            talk = np.maximum(np.rint(self._lognormal(p.talk_out_s, 0.7, n)), 1)
            wrap = np.rint(self._lognormal(p.wrap_out_s, 0.5, n))
            agents = rng.integers(1, AGENTS + 1, n)
            for i in range(n):
                out.append(
                    CallRecord(
                        call_id=f"demo-{plan.day:%Y%m%d}-{campaign}-{i:05d}",
                        direction="outbound",
                        started_at=base + timedelta(seconds=float(seconds[i])),
                        topic=topic,
                        waited_s=float(ring[i]),
                        answered=bool(picked[i]),
                        talk_s=float(talk[i]) if picked[i] else 0.0,
                        wrap_s=float(wrap[i]),
                        agent=f"b{agents[i]:02d}",
                        campaign=campaign,
                    )
                )
        return out
