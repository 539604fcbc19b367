"""``content/services.yaml``: the units and bookable services, validated and imported.

The file is reviewed like the articles, so validation is strict and every error is one line
naming the file and the field.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.models import Closure, Service, Unit
from kontakt.knowledge.content import ContentError, load_taxonomy, read_yaml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pl: str = Field(min_length=2, max_length=200)
    uk: str = Field(min_length=2, max_length=200)
    en: str = Field(min_length=2, max_length=200)


class Keywords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pl: list[str] = Field(min_length=1)
    uk: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)

    @field_validator("pl", "uk", "en")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(v.lower().split()) for v in value]
        if any(len(v) < 2 for v in cleaned):
            raise ValueError("keywords must have at least 2 characters")
        return cleaned


def parse_range(value: str) -> tuple[time, time]:
    match = _RANGE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a HH:MM-HH:MM range")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise ValueError(f"{value!r} ends before it starts")
    return start, end


class UnitDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    org_unit: str
    name: Names
    address: str = Field(max_length=300)
    check_at: str = Field(pattern=r"^https://")
    timezone: str = "Europe/Warsaw"
    hours: dict[str, list[str]]
    closures: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekday {sorted(unknown)[0]!r}; use {', '.join(WEEKDAYS)}")
        for ranges in value.values():
            spans = sorted(parse_range(r) for r in ranges)
            for (_, end), (start, _) in itertools.pairwise(spans):
                if start < end:
                    raise ValueError("opening hours of one day overlap")
        return value


class ServiceDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    name: Names
    topic: str
    article: str | None = None
    duration_min: int = Field(ge=5, le=240)
    capacity: int = Field(ge=1, le=100)
    book_ahead_days: int = Field(ge=1, le=365)
    units: list[str] = Field(min_length=1)
    keywords: Keywords


class CatalogDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: list[UnitDoc] = Field(min_length=1)
    services: list[ServiceDoc] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> CatalogDoc:
        unit_ids = [u.id for u in self.units]
        if len(set(unit_ids)) != len(unit_ids):
            raise ValueError("unit ids must be unique")
        service_ids = [s.id for s in self.services]
        if len(set(service_ids)) != len(service_ids):
            raise ValueError("service ids must be unique")
        for service in self.services:
            missing = set(service.units) - set(unit_ids)
            if missing:
                raise ValueError(f"service {service.id!r} names unknown unit {min(missing)!r}")
        return self


def load_catalog(root: Path, article_ids: set[str] | None = None) -> CatalogDoc:
    """Read and check ``root/services.yaml`` against the topics, units and articles."""
    path = root / "services.yaml"
    raw: Any = read_yaml(path)
    try:
        doc = CatalogDoc.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        raise ContentError(path, message, field=loc or None) from None
    taxonomy = load_taxonomy(root)
    topics, org_units = taxonomy.topic_ids(), {u.id for u in taxonomy.units}
    for i, unit in enumerate(doc.units):
        if unit.org_unit not in org_units:
            raise ContentError(path, f"unknown org unit {unit.org_unit!r}", f"units.{i}.org_unit")
    for i, service in enumerate(doc.services):
        if service.topic not in topics:
            raise ContentError(path, f"unknown topic {service.topic!r}", f"services.{i}.topic")
        if article_ids is not None and service.article and service.article not in article_ids:
            raise ContentError(
                path, f"unknown article {service.article!r}", f"services.{i}.article"
            )
    return doc


def hours_json(unit: UnitDoc) -> dict[str, Any]:
    return {day: [list(r.split("-")) for r in unit.hours.get(day, [])] for day in WEEKDAYS}


async def import_catalog(session: AsyncSession, doc: CatalogDoc) -> tuple[int, int]:
    """Make the tables match the file. Units and services no longer in it are deactivated,
    never deleted, because past reservations still point at them."""
    units = {u.id: u for u in (await session.scalars(select(Unit))).all()}
    for pos, udoc in enumerate(doc.units):
        unit = units.get(udoc.id) or Unit(id=udoc.id)
        unit.position = pos
        unit.org_unit = udoc.org_unit
        unit.names = udoc.name.model_dump()
        unit.address = udoc.address
        unit.check_at = udoc.check_at
        unit.timezone = udoc.timezone
        unit.hours = hours_json(udoc)
        unit.active = True
        session.add(unit)
    for gone in set(units) - {u.id for u in doc.units}:
        units[gone].active = False
    await session.flush()
    # Closures from the file replace earlier file closures; ones staff added keep their reason.
    await session.execute(delete(Closure).where(Closure.reason == "content"))
    existing = {(c.unit_id, c.day) for c in (await session.scalars(select(Closure))).all()}
    for udoc in doc.units:
        for day in udoc.closures:
            if (udoc.id, day) not in existing:
                session.add(Closure(unit_id=udoc.id, day=day, reason="content"))
    services = {s.id: s for s in (await session.scalars(select(Service))).all()}
    for pos, sdoc in enumerate(doc.services):
        service = services.get(sdoc.id) or Service(id=sdoc.id)
        service.position = pos
        service.names = sdoc.name.model_dump()
        service.topic = sdoc.topic
        service.article_id = sdoc.article
        service.duration_min = sdoc.duration_min
        service.capacity = sdoc.capacity
        service.book_ahead_days = sdoc.book_ahead_days
        service.units = list(sdoc.units)
        service.keywords = sdoc.keywords.model_dump()
        service.active = True
        session.add(service)
    for gone in set(services) - {s.id for s in doc.services}:
        services[gone].active = False
    await session.flush()
    return len(doc.units), len(doc.services)
