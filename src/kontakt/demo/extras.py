"""The demo year's campaigns, booked visits and chatbot visits.

Campaigns: the fourteen phone surveys and fourteen information campaigns of the seed's year,
named after what the seed says the office informed about (seniors' services, vaccination,
waste, taxes, the Ukrainian consulate's duty hours). Booked visits: confirmations the
brokers made at the desk, over the office day. Chatbot visits: widget conversations, day
and night, growing towards the fourth quarter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from kontakt.booking.catalog import CatalogDoc
from kontakt.booking.events import BookingConfirmed
from kontakt.bulk_events import Pending
from kontakt.conversations.events import ConversationStarted
from kontakt.demo import calendar
from kontakt.hours import WARSAW, is_working_day

# (type, name, topic, first day "MM-DD", weeks). Sizes are drawn per run.
# fmt: off
CAMPAIGNS = (
    ("survey", "Badanie satysfakcji klientów Wydziału Spraw Obywatelskich", "citizen_affairs",
     "01-18", 6),
    ("survey", "Ankieta: ocena odbioru odpadów komunalnych", "waste", "02-08", 5),
    ("survey", "Badanie potrzeb seniorów – Poznańska Złota Karta", "seniors", "03-01", 4),
    ("survey", "Ankieta: Poznański Budżet Obywatelski", "general", "03-22", 4),
    ("survey", "Badanie opinii o komunikacji miejskiej", "transport_parking", "04-12", 5),
    ("survey", "Ankieta dla przedsiębiorców: wsparcie w pandemii", "business", "05-04", 3),
    ("survey", "Badanie zadowolenia klientów Poznańskiego Centrum Świadczeń", "benefits",
     "05-24", 4),
    ("survey", "Ankieta: dostępność punktów szczepień", "vaccination", "06-14", 3),
    ("survey", "Badanie: strefa płatnego parkowania", "transport_parking", "08-30", 4),
    ("survey", "Ankieta: zieleń miejska i ochrona środowiska", "environment", "09-13", 4),
    ("survey", "Badanie satysfakcji najemców lokali komunalnych", "municipal_housing", "10-04", 4),
    ("survey", "Ankieta: potrzeby rodzin z małymi dziećmi", "child_health", "10-18", 3),
    ("survey", "Badanie: oferta edukacyjna poznańskich szkół", "education", "11-08", 3),
    ("survey", "Ankieta: jakość obsługi infolinii 61 646 33 44", "general", "11-29", 3),
    ("information", "Transport seniorów na szczepienie 70+", "vaccination", "02-01", 12),
    ("information", "Rejestracja na szczepienia – Stadion Miejski", "vaccination", "03-15", 10),
    ("information", "Rejestracja na szczepienia – MTP", "vaccination", "04-19", 10),
    ("information", "Nowe stawki opłat za odpady", "waste", "01-11", 4),
    ("information", "Termin płatności podatku od nieruchomości", "local_taxes", "03-01", 3),
    ("information", "Przekształcenie użytkowania wieczystego – opłaty", "property", "02-15", 4),
    ("information", "Punkt Opieki Farmaceutycznej 70+", "seniors", "05-10", 6),
    ("information", "Złota Rączka dla Seniora", "seniors", "06-07", 6),
    ("information", "Taksówka dla Seniora", "seniors", "07-05", 6),
    ("information", "Mycie okien w domu Seniora", "seniors", "09-06", 5),
    ("information", "Punkt opieki post COVID 60+", "covid", "09-20", 8),
    ("information", "Szczepienie przeciw grypie 60+", "health_programs", "10-11", 8),
    ("information", "Mobilna pielęgnacja paznokci u stóp Seniora", "seniors", "10-25", 6),
    ("information", "Dyżury konsularne Ambasady Ukrainy", "foreigners", "11-15", 4),
)
# fmt: on

# Booked visits by service: 2021 was the year the office registered residents for COVID-19
# vaccination, so vaccination and the transport to it dominate (an assumption).
SERVICE_SHARES = {
    "vaccination": 38.0, "vaccination-transport-70-plus": 5.0,
    "vaccination-transport-disabled": 1.0, "id-card-application": 15.0, "id-card-pickup": 8.0,
    "residence-registration": 7.0, "vehicle-registration": 12.0, "driving-licence": 6.0,
    "civil-marriage-date": 1.0, "benefit-800-plus-consultation": 3.0,
    "local-tax-consultation": 2.0, "large-family-card": 2.0,
}  # fmt: skip
VISIT_LANGUAGES = (("pl", 0.9), ("uk", 0.07), ("en", 0.03))


@dataclass(frozen=True)
class PlannedCampaign:
    id: str
    type: str
    name: str
    topic: str
    created: datetime
    days: tuple[date, ...]  # working days it calls on
    weight: float


def plan_campaigns(year: int, rng: np.random.Generator, topics: set[str]) -> list[PlannedCampaign]:
    out = []
    for i, (kind, name, topic, first, weeks) in enumerate(CAMPAIGNS, start=1):
        start = date.fromisoformat(f"{year}-{first}")
        days = tuple(
            d for d in (start + timedelta(days=k) for k in range(weeks * 7))
            if d.year == year and is_working_day(d)
        )  # fmt: skip
        created = datetime.combine(start - timedelta(days=7), time(10), WARSAW).astimezone(UTC)
        out.append(
            PlannedCampaign(
                f"{year}-{'s' if kind == 'survey' else 'i'}{i:02d}", kind, name,
                topic if topic in topics else "general", created, days,
                float(rng.lognormal(0, 0.5)) * (1.6 if kind == "information" else 1.0),
            )
        )  # fmt: skip
    return out


def _time_uuid(at: datetime, rng: np.random.Generator) -> uuid.UUID:
    """A UUIDv7 (time first), so conversation ids land in order in the events index."""
    ms = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(rng.bytes(10), "big")
    value = (ms << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62)
    return uuid.UUID(int=value | (rand & ((1 << 62) - 1)))


class ExtrasMaker:
    def __init__(self, rng: np.random.Generator, catalog: CatalogDoc) -> None:
        self.rng = rng
        by_id = {s.id: s for s in catalog.services}
        picked = [(by_id[s], w) for s, w in SERVICE_SHARES.items() if s in by_id]
        if not picked:  # another city's catalog: every service alike
            picked = [(s, 1.0) for s in catalog.services]
        self.services = [s for s, _ in picked]
        weights = np.array([w for _, w in picked])
        self.service_p = weights / weights.sum()
        self.slot_p = calendar.slot_shares()

    def bookings(self, day: date, expected: float) -> list[Pending]:
        """Visits the brokers booked on this working day, each for a later working day."""
        rng = self.rng
        n = int(rng.poisson(expected))
        seconds = np.sort(
            calendar.office_seconds(rng, rng.choice(len(self.slot_p), n, p=self.slot_p))
        )
        which = rng.choice(len(self.services), n, p=self.service_p)
        lead = rng.integers(1, 22, n)
        quarter = rng.integers(0, 32, n)  # a quarter-hour from 8:00 to 15:45
        langs = rng.choice(3, n, p=[w for _, w in VISIT_LANGUAGES])
        base = calendar.midnight_utc(day)
        out = []
        for i in range(n):
            service = self.services[which[i]]
            unit = service.units[int(rng.integers(len(service.units)))]
            visit_day = day + timedelta(days=int(lead[i]))
            while not is_working_day(visit_day):
                visit_day += timedelta(days=1)
            start = datetime.combine(visit_day, time(8), WARSAW) + timedelta(
                minutes=15 * int(quarter[i])
            )
            event = BookingConfirmed(
                rng.bytes(16).hex(), unit, service.id, start.astimezone(UTC).isoformat(), "desk",
                VISIT_LANGUAGES[langs[i]][0],
            )  # fmt: skip
            out.append(Pending(base + timedelta(seconds=float(seconds[i])), None, event))
        return out

    def visits(self, day: date, expected: float) -> list[Pending]:
        """Chatbot visits of one calendar day (weekends too): a widget conversation each."""
        rng = self.rng
        n = int(rng.poisson(expected))
        hours = np.array(calendar.WEB_HOURS)
        local = np.sort(rng.choice(24, n, p=hours / hours.sum()) * 3600 + rng.uniform(0, 3600, n))
        langs = rng.choice(3, n, p=[w for _, w in VISIT_LANGUAGES])
        midnight = datetime.combine(day, time(0), WARSAW)
        out = []
        for i in range(n):
            # Local wall time to UTC one by one: weekends include the nights the clock changes.
            at = (midnight + timedelta(seconds=float(local[i]))).astimezone(UTC)
            event = ConversationStarted(
                "web", VISIT_LANGUAGES[langs[i]][0], "https://www.poznan.pl/"
            )
            out.append(Pending(at, _time_uuid(at, rng), event))
        return out
