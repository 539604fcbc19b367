"""Outbound campaigns: phone surveys and information campaigns the city orders from the
contact office. A campaign is the event that created it; its calls are outbound calls that
name it (``CallStarted.campaign``). There is no table: the list is read from events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.calls.events import CallStarted
from kontakt.clock import Clock
from kontakt.events import Event, EventRow, event_type, record

CAMPAIGN_TYPES = ("survey", "information")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_POLISH = str.maketrans("ąćęłńóśźż", "acelnoszz")


class CampaignError(Exception):
    pass


@event_type
@dataclass(frozen=True)
class CampaignCreated(Event):
    kind: ClassVar[str] = "campaign_created"
    campaign: str  # the id outbound calls name
    type: str  # survey | information ("kind" is taken: every event has a kind)
    name: str
    description: str = ""
    created_by: str = ""


@dataclass(frozen=True)
class Campaign:
    id: str
    type: str
    name: str
    description: str
    created_at: datetime
    calls: int


def slug(name: str) -> str:
    """An id from a name: "Badanie satysfakcji 2021" -> "badanie-satysfakcji-2021"."""
    text = name.lower().translate(_POLISH)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80]


async def create_campaign(
    session: AsyncSession,
    *,
    kind: str,
    name: str,
    clock: Clock,
    campaign_id: str = "",
    description: str = "",
    actor: str = "",
    ordered: datetime | None = None,
) -> CampaignCreated:
    """Record a campaign. ``ordered``: when the city ordered it, for campaigns entered after
    the fact (their calls imported from call records); the report counts campaigns by it."""
    name = " ".join(name.split())
    now = clock.now()
    if ordered is not None and ordered > now:
        raise CampaignError("a campaign cannot be ordered in the future")
    if kind not in CAMPAIGN_TYPES:
        raise CampaignError(f"campaign kind {kind!r}: use survey or information")
    if not 3 <= len(name) <= 200:
        raise CampaignError("a campaign name has 3 to 200 characters")
    cid = campaign_id or slug(name)
    if not _ID.match(cid):
        raise CampaignError(f"campaign id {cid!r}: lowercase letters, digits and hyphens")
    if cid in await campaign_ids(session):
        raise CampaignError(f"campaign {cid!r} already exists")
    event = CampaignCreated(cid, kind, name, description.strip()[:2000], actor)
    await record(session, event, at=ordered or now)
    return event


async def campaign_ids(session: AsyncSession) -> set[str]:
    stmt = select(EventRow.payload["campaign"].as_string()).where(
        EventRow.kind == CampaignCreated.kind
    )
    return {str(c) for c in (await session.scalars(stmt)).all()}


async def campaigns(session: AsyncSession) -> list[Campaign]:
    """Every campaign in the order created, with the outbound calls placed for it."""
    # Grouped by the label: PostgreSQL would not match a repeated JSON expression.
    campaign = EventRow.payload["campaign"].as_string().label("campaign")
    calls_stmt = (
        select(campaign, func.count())
        .where(EventRow.kind == CallStarted.kind, EventRow.payload["campaign"].as_string() != "")
        .group_by(campaign)
    )
    calls = {str(c): int(n) for c, n in (await session.execute(calls_stmt)).all()}
    rows = await session.scalars(
        select(EventRow).where(EventRow.kind == CampaignCreated.kind).order_by(EventRow.id)
    )
    out = []
    for row in rows:
        p = row.payload
        out.append(
            Campaign(
                p["campaign"],
                p["type"],
                p["name"],
                p.get("description", ""),
                row.at,
                calls.get(p["campaign"], 0),
            )
        )
    return out
