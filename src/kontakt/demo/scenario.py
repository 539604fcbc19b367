"""The demo year's scenario: the seed's 2021 figures and the distribution parameters chosen
from them.

Nothing here is a total that ends up in the report. The figures set the *means* of the
distributions the generator draws from (arrivals per day, the patience and wait model, talk
and wrap-up times, language and topic shares); the report then counts and sums whatever
events the draws produced. Where the seed says nothing (how many outbound calls are picked
up, how long the voicebot talks), the parameters are stated assumptions, marked as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Seed:
    """Biuro Poznań Kontakt in 2021 (the seed's table and text)."""

    incoming: int = 644_344
    outgoing: int = 189_133
    answered: int = 570_203
    aht_incoming_s: float = 4 * 60 + 28
    aht_outgoing_s: float = 60 + 19
    handled_total_s: float = 32926 * 3600 + 48 * 60 + 42  # talk time of answered calls
    asa_s: float = 60 + 8
    booked_visits: int = 317_236
    chatbot_visits: int = 61_367
    chatbot_q4_share: float = 0.56  # "blisko 56% wejść odbyło się w czwartym kwartale"
    voicebot_transferred: int = 177_797
    english_cases: int = 1_989
    ukrainian_clients: int = 9_610


# --- assumptions (the seed gives no figure) ------------------------------------------------
OUTBOUND_PICKED_UP = 0.85  # share of outbound calls the callee answers
OUTBOUND_WRAP_S = 9.0  # mean after-call work of an outbound call (a survey form, a note)
VOICEBOT_SELF_SERVICE = 0.03  # share of voicebot calls it ends itself (benefit payment date)
VOICEBOT_SPEECH = 0.85  # share of identified topics it understood from speech (else keypad)
VOICEBOT_S = 35.0  # mean seconds with the voicebot before the transfer
TALK_SIGMA, WRAP_SIGMA = 0.75, 0.6  # lognormal shapes: a long right tail of difficult cases

# Topic shares: the 2018 split the issue quotes (general 26%, waste 18%, benefits 17.5%,
# transport and parking 15%, civil and registry matters 11.7%), the rest spread over the
# other topics with 2021's vaccination and COVID weight.
TOPIC_SHARES = {
    "general": 26.0, "waste": 18.0, "benefits": 17.5, "transport_parking": 15.0,
    "citizen_affairs": 7.0, "civil_registry": 4.7, "vaccination": 2.5, "covid": 1.5,
    "driving_vehicles": 1.5, "local_taxes": 1.2, "seniors": 0.8, "property": 0.6,
    "municipal_housing": 0.6, "business": 0.5, "education": 0.5, "streets": 0.4,
    "child_health": 0.3, "health_programs": 0.3, "environment": 0.3, "urban_planning": 0.3,
    "cemeteries": 0.3, "foreigners": 0.2,
}  # fmt: skip


@dataclass(frozen=True)
class Parameters:
    """Means and shares the generator draws with, for one year at ``scale``."""

    scale: float
    incoming: float  # expected calls offered to brokers
    outgoing: float
    answer_share: float
    asa_s: float
    talk_in_s: float
    wrap_in_s: float
    talk_out_s: float  # of outbound calls picked up
    wrap_out_s: float
    picked_up: float
    english: float  # share of incoming calls
    ukrainian: float
    voicebot: float  # share of incoming calls the voicebot identified and transferred
    self_served: float  # voicebot calls ended by it, per incoming call
    bookings: float
    visits: float
    visits_by_quarter: tuple[float, float, float, float]


def parameters(seed: Seed, scale: float) -> Parameters:
    """Reconciled as the issue shows: the total handling time of answered calls is their
    talk time, incoming and outgoing; handling time (AHT) = talk + after-call work."""
    talk_out_all = seed.aht_outgoing_s - OUTBOUND_WRAP_S  # per outbound call, picked up or not
    talk_in = (seed.handled_total_s - seed.outgoing * talk_out_all) / seed.answered
    answer_share = seed.answered / seed.incoming
    q4 = seed.chatbot_q4_share
    # The rest of the year grows towards the fourth quarter (the chatbot was new).
    rest = (1 - q4) * np.array([0.25, 0.32, 0.43])
    return Parameters(
        scale=scale,
        incoming=seed.incoming * scale,
        outgoing=seed.outgoing * scale,
        answer_share=answer_share,
        asa_s=seed.asa_s,
        talk_in_s=talk_in,
        wrap_in_s=seed.aht_incoming_s - talk_in,
        talk_out_s=talk_out_all / OUTBOUND_PICKED_UP,
        wrap_out_s=OUTBOUND_WRAP_S,
        picked_up=OUTBOUND_PICKED_UP,
        # Languages are counted among answered calls in the seed; the patience model does
        # not depend on language, so the same shares hold for incoming calls.
        english=seed.english_cases / seed.answered,
        ukrainian=seed.ukrainian_clients / seed.answered,
        voicebot=seed.voicebot_transferred / seed.incoming,
        self_served=seed.voicebot_transferred
        / seed.incoming
        * VOICEBOT_SELF_SERVICE
        / (1 - VOICEBOT_SELF_SERVICE),
        bookings=seed.booked_visits * scale,
        visits=seed.chatbot_visits * scale,
        visits_by_quarter=(float(rest[0]), float(rest[1]), float(rest[2]), q4),
    )


def lognormal_mu(mean: float, sigma: float) -> float:
    """The mu of a lognormal with this mean and sigma."""
    return math.log(mean) - sigma**2 / 2


def calibrate_waits(
    share: NDArray[np.float64], load: NDArray[np.float64], answer_share: float, asa_s: float
) -> tuple[float, float]:
    """(m, theta) of the wait and patience model.

    In a cell (a half hour of a day) with relative load f, the wait a broker would answer
    after is exponential with mean m·f, and the caller's patience is exponential with mean
    theta; the call is answered when the wait is shorter. Then P(answered) = theta/(theta+mf)
    and the mean wait of answered calls is m·f·theta/(m·f+theta). Over the year's cells
    (weighted by their share of arrivals) these must give the seed's answered share and ASA;
    both are monotone in m and theta, so nested bisection finds them.
    """

    def answered(m: float, theta: float) -> float:
        return float(np.sum(share * theta / (theta + m * load)))

    def asa(m: float, theta: float) -> float:
        p = theta / (theta + m * load)
        wait = m * load * theta / (m * load + theta)
        return float(np.sum(share * p * wait) / np.sum(share * p))

    def m_for(theta: float) -> float:
        lo, hi = 1e-3, 1e5
        for _ in range(100):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if answered(mid, theta) > answer_share else (lo, mid)
        return math.sqrt(lo * hi)

    lo, hi = 1.0, 1e6
    for _ in range(100):
        theta = math.sqrt(lo * hi)
        # More patience at the same answered share means longer waits are tolerated.
        lo, hi = (theta, hi) if asa(m_for(theta), theta) < asa_s else (lo, theta)
    theta = math.sqrt(lo * hi)
    return m_for(theta), theta
