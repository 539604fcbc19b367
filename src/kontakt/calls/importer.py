"""Bringing call records into the event log, once each.

A record already imported (its contact is in the log) is skipped, so importing the same
export twice, or overlapping exports, counts every call once. A call whose voicebot part was
recorded live (a CallStarted with the same call id: the SIP Call-ID the distributor keeps)
gets only the distributor's part, under the live call's conversation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.bulk_events import Pending, append_events
from kontakt.calls.campaigns import campaign_ids
from kontakt.calls.events import CallStarted
from kontakt.calls.records import CallRecord, conversation_id, entry_id, events_for
from kontakt.events import EventRow
from kontakt.routing.events import ContactCompleted, ContactOffered
from kontakt.routing.models import Queue
from kontakt.topics.models import Topic


class CallImportError(Exception):
    pass


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # already in the log
    joined_live: int  # the voicebot's part was recorded live
    events: int


Known = tuple[dict[str, uuid.UUID], set[str]]


async def _known(session: AsyncSession, records: Sequence[CallRecord]) -> Known:
    """Call ids already started (-> their conversation) and contact entries already in the
    log, around the records' time span (the (kind, at) index keeps this a range scan)."""
    lo = min(r.started_at for r in records) - timedelta(days=1)
    hi = max(r.started_at for r in records) + timedelta(days=2)
    call_id = EventRow.payload["call_id"].as_string()
    started = await session.execute(
        select(call_id, EventRow.conversation_id).where(
            EventRow.kind == CallStarted.kind, EventRow.at >= lo, EventRow.at < hi
        )
    )
    live = {str(c): conv for c, conv in started.all() if conv is not None}
    entry = EventRow.payload["entry"].as_string()
    entries = await session.scalars(
        select(entry).where(
            EventRow.kind.in_([ContactOffered.kind, ContactCompleted.kind]),
            EventRow.at >= lo,
            EventRow.at < hi,
        )
    )
    return live, {str(e) for e in entries.all()}


async def check_references(session: AsyncSession, records: Sequence[CallRecord]) -> None:
    """Campaigns must exist; queues and topics must be this city's when it has any set up."""
    known_campaigns = await campaign_ids(session)
    queues = set((await session.scalars(select(Queue.id))).all())
    topics = set((await session.scalars(select(Topic.id))).all())
    for r in records:
        if r.campaign and r.campaign not in known_campaigns:
            raise CallImportError(
                f"call {r.call_id}: no campaign {r.campaign!r}; create it first: "
                "kontakt campaign create"
            )
        if queues and r.queue and r.direction == "inbound" and r.queue not in queues:
            raise CallImportError(f"call {r.call_id}: no queue {r.queue!r} (kontakt desk import)")
        if topics and r.topic and r.topic not in topics:
            raise CallImportError(
                f"call {r.call_id}: no topic {r.topic!r} (see content/topics.yaml)"
            )


async def import_records(session: AsyncSession, records: Sequence[CallRecord]) -> ImportResult:
    """All records in the caller's transaction: all of them are imported, or none."""
    if not records:
        return ImportResult(0, 0, 0, 0)
    await check_references(session, records)
    live, entries = await _known(session, records)
    counts = {"imported": 0, "skipped": 0, "joined": 0}

    def pending() -> Iterator[Pending]:
        for r in records:
            has_entry = r.direction == "outbound" or bool(r.queue)
            if (has_entry and entry_id(r) in entries) or (not has_entry and r.call_id in live):
                counts["skipped"] += 1
                continue
            joined = r.direction == "inbound" and r.call_id in live
            counts["joined" if joined else "imported"] += 1
            conversation = live[r.call_id] if joined else conversation_id(r)
            for timed in events_for(r, bot_recorded=joined):
                yield Pending(timed.at, conversation, timed.event)

    written = await append_events(session, pending())
    return ImportResult(counts["imported"], counts["skipped"], counts["joined"], written)
