"""What the desk and the wallboard show, as plain JSON-ready data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from kontakt.conversations.events import BotReplied, FlowStateChanged, MessageReceived
from kontakt.events import EventRow, read
from kontakt.hours import WARSAW
from kontakt.routing.events import AgentReplied, ContactAbandoned, ContactAnswered
from kontakt.routing.models import Agent, QueueEntry
from kontakt.routing.service import Desk

# Service level as in docs/metrics.md: answered within 20 s over answered plus abandoned
# after the short-abandon threshold of 5 s.
SL_TARGET_S = 20.0
SHORT_ABANDON_S = 5.0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def agent_view(desk: Desk, agent: Agent) -> dict[str, Any]:
    stmt = select(QueueEntry).where(
        QueueEntry.agent_id == agent.user_id, QueueEntry.status == "assigned"
    )
    current = (await desk.session.scalars(stmt)).first()
    return {
        "user_id": agent.user_id,
        "name": agent.display_name,
        "state": agent.state,
        "state_since": _iso(agent.state_since),
        "queues": agent.queues,
        "languages": agent.languages,
        "current": str(current.id) if current else None,
    }


async def _entry_row(
    desk: Desk, entry: QueueEntry, agent: Agent | None, position: int | None = None
) -> dict[str, Any]:
    now = desk.clock.now()
    return {
        "id": str(entry.id),
        "queue": entry.queue_id,
        "kind": entry.kind,
        "language": entry.language,
        "topic": entry.topic,
        "waiting_s": round((now - entry.ready_at).total_seconds()),
        "position": position if position is not None else await desk.position(entry),
        "offered_to_me": agent is not None and entry.offered_to == agent.user_id,
        "callback_phone": entry.callback_phone,
        "callback_when": entry.callback_when,
        "note": entry.note,
    }


async def queue_view(desk: Desk, agent: Agent, limit: int = 50) -> dict[str, Any]:
    # ``waiting`` is already in line order, so a contact's position is its rank in its queue
    # (counted before the language filter: others ahead in line still go first).
    rank: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for entry in await desk.waiting(list(agent.queues)):
        rank[entry.queue_id] = rank.get(entry.queue_id, 0) + 1
        if entry.language in agent.languages and len(rows) < limit:
            rows.append(await _entry_row(desk, entry, agent, rank[entry.queue_id]))
    return {"entries": rows, "waiting": sum(rank.values())}


async def contact_view(desk: Desk, entry: QueueEntry) -> dict[str, Any]:
    """The contact with everything the bot learnt: transcript, topic, language, booking."""
    transcript: list[dict[str, Any]] = []
    booking: dict[str, Any] | None = None
    if entry.conversation_id is not None:
        for row in await read(desk.session, conversation_id=entry.conversation_id):
            p = row.payload
            if row.kind == MessageReceived.kind:
                transcript.append({"id": row.id, "at": _iso(row.at), "who": "resident",
                                   "text": p["text"], "language": p["language"]})  # fmt: skip
            elif row.kind == BotReplied.kind and p.get("text"):
                transcript.append({"id": row.id, "at": _iso(row.at), "who": "bot",
                                   "text": p["text"], "language": p["language"]})  # fmt: skip
            elif row.kind == AgentReplied.kind:
                transcript.append({"id": row.id, "at": _iso(row.at), "who": "agent",
                                   "name": p["agent"], "text": p["text"]})  # fmt: skip
            elif row.kind == FlowStateChanged.kind and p.get("flow") == "booking":
                booking = p.get("state")
    fields = None
    if booking:
        keys = ("mode", "step", "service_id", "unit_id", "chosen", "name", "code")
        fields = {k: booking[k] for k in keys if booking.get(k)}
    return {
        **(await _entry_row(desk, entry, None)),
        "status": entry.status,
        "agent_id": entry.agent_id,
        "conversation_id": str(entry.conversation_id) if entry.conversation_id else None,
        "transcript": transcript,
        "booking": fields,
    }


@lru_cache(maxsize=4)
def _glossary(path: Path, mtime: float) -> tuple[dict[str, str], ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple({k: str(v) for k, v in item.items()} for item in raw if isinstance(item, dict))


def glossary(content_dir: Path) -> list[dict[str, str]]:
    path = content_dir / "glossary.yaml"
    if not path.is_file():
        return []
    return list(_glossary(path, path.stat().st_mtime))


async def wallboard(desk: Desk) -> dict[str, Any]:
    now = desk.clock.now()
    local = now.astimezone(WARSAW)
    day_start = datetime.combine(local.date(), time(0), WARSAW)
    waiting = await desk.waiting()
    queues = []
    for q in await desk.queues():
        mine = [e for e in waiting if e.queue_id == q.id]
        longest = max(((now - e.ready_at).total_seconds() for e in mine), default=0.0)
        queues.append({"id": q.id, "name": q.name("pl"), "waiting": len(mine),
                       "longest_wait_s": round(longest)})  # fmt: skip
    agents = (await desk.session.scalars(select(Agent))).all()
    by_state: dict[str, int] = {}
    for a in agents:
        by_state[a.state] = by_state.get(a.state, 0) + 1
    rows = await desk.session.scalars(
        select(EventRow).where(
            EventRow.kind.in_([ContactAnswered.kind, ContactAbandoned.kind]),
            EventRow.at >= day_start,
            EventRow.at < day_start + timedelta(days=1),
        )
    )
    answered = within = abandoned = short = 0
    for row in rows:
        if row.kind == ContactAnswered.kind:
            answered += 1
            within += row.payload["wait_s"] <= SL_TARGET_S
        elif row.kind == ContactAbandoned.kind:
            if row.payload["wait_s"] < SHORT_ABANDON_S:
                short += 1
            else:
                abandoned += 1
    base = answered + abandoned
    return {
        "at": now.isoformat(),
        "queues": queues,
        "agents": by_state,
        "today": {"answered": answered, "abandoned": abandoned, "short_abandoned": short},
        "service_level": {
            "target_s": SL_TARGET_S,
            "value": round(within / base, 4) if base else None,
        },
    }
