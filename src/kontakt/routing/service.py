"""The brokers' desk without HTTP: handoff from the bot, queues, ACD, answering, transfer,
wrap-up, callbacks and overflow. Every step records its event in the caller's transaction.

A conversation's ``owner`` follows bot → ``queue:<id>`` → ``agent:<user id>`` → bot; while a
human owns it, the dialogue engine stays silent.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.catalog import WEEKDAYS
from kontakt.clock import Clock
from kontakt.conversations.models import Conversation
from kontakt.events import record
from kontakt.hours import WARSAW, is_public_holiday
from kontakt.live import announce
from kontakt.routing.acd import AgentView, EntryView, estimated_wait_s, next_agent, qualified
from kontakt.routing.events import (
    AgentReplied,
    AgentStateChanged,
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactCompleted,
    ContactOffered,
    ContactTransferred,
)
from kontakt.routing.models import AGENT_STATES, OPEN, Agent, Queue, QueueEntry

GENERAL = "general"
# What a contact is, by the channel its conversation came from: the KPI report counts calls
# (``contact="call"``) apart from chats, whichever door they came in by.
CONTACT_BY_CHANNEL = {"web": "chat", "phone": "call"}
# Until the desk has history, a contact is assumed to take this long (the seed's 2021 average
# handling time of incoming calls is 4:28).
DEFAULT_HANDLE_S = 268.0


class DeskError(Exception):
    status = 409

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status


class Desk:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    # --- queues ----------------------------------------------------------------------------

    async def queues(self) -> list[Queue]:
        return list((await self.session.scalars(select(Queue).order_by(Queue.position))).all())

    async def queue_for(self, topic: str | None, language: str) -> Queue:
        """The topic's queue when it serves the language; otherwise the general queue."""
        queues = await self.queues()
        if not queues:
            raise DeskError("no queues are configured; run: kontakt desk import", 503)
        by_id = {q.id: q for q in queues}
        for q in queues:
            if topic in q.topics and language in q.languages:
                return q
        # The general brokers' queue speaks every service language.
        return by_id.get(GENERAL) or queues[0]

    def opening(self, queue: Queue) -> tuple[bool, datetime | None]:
        """Whether the queue is staffed now (its hours, public holidays closed), and when it
        opens next if not."""
        now = self.clock.now()
        local = now.astimezone(WARSAW)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            if is_public_holiday(day):
                continue
            for start, end in queue.hours.get(WEEKDAYS[day.weekday()], []):
                opens = datetime.combine(day, time.fromisoformat(start), WARSAW)
                closes = (
                    datetime.combine(day + timedelta(days=1), time(0), WARSAW)
                    if end == "24:00"
                    else datetime.combine(day, time.fromisoformat(end), WARSAW)
                )
                if opens <= now < closes:
                    return True, None
                if now < opens:
                    return False, opens
        return False, None

    async def entry(self, entry_id: uuid.UUID) -> QueueEntry:
        found = await self.session.get(QueueEntry, entry_id, populate_existing=True)
        if found is None:
            raise DeskError("no such queue entry", 404)
        return found

    async def open_entry(self, conversation_id: uuid.UUID) -> QueueEntry | None:
        stmt = select(QueueEntry).where(
            QueueEntry.conversation_id == conversation_id, QueueEntry.status.in_(OPEN)
        )
        return (await self.session.scalars(stmt)).first()

    async def waiting(self, queue_ids: list[str] | None = None) -> list[QueueEntry]:
        """Entries that can be answered now, in line order (arrival, not last move)."""
        now = self.clock.now()
        stmt = select(QueueEntry).where(QueueEntry.status == "waiting", QueueEntry.ready_at <= now)
        if queue_ids is not None:
            stmt = stmt.where(QueueEntry.queue_id.in_(queue_ids))
        stmt = stmt.order_by(QueueEntry.enqueued_at, QueueEntry.id)
        return list((await self.session.scalars(stmt)).all())

    async def position(self, entry: QueueEntry) -> int:
        ahead = await self.session.scalar(
            select(func.count())
            .select_from(QueueEntry)
            .where(
                QueueEntry.queue_id == entry.queue_id,
                QueueEntry.status == "waiting",
                QueueEntry.ready_at <= self.clock.now(),
                QueueEntry.enqueued_at < entry.enqueued_at,
            )
        )
        return int(ahead or 0) + 1

    async def estimated_wait(self, entry: QueueEntry) -> float:
        serving = await self.session.scalar(
            select(func.count())
            .select_from(Agent)
            .where(Agent.state.in_(("available", "busy", "wrap_up")))
        )
        return estimated_wait_s(await self.position(entry), int(serving or 0), DEFAULT_HANDLE_S)

    # --- from the bot to a queue -------------------------------------------------------------

    async def handoff(self, conversation: Conversation, *, reason: str = "requested") -> QueueEntry:
        """Queue the conversation (once: asking again returns the same place in line)."""
        existing = await self.open_entry(conversation.id)
        if existing is not None:
            return existing
        queue = await self.queue_for(conversation.topic, conversation.language)
        now = self.clock.now()
        entry = QueueEntry(
            id=uuid.uuid4(),
            conversation_id=conversation.id,
            kind=CONTACT_BY_CHANNEL.get(conversation.channel, conversation.channel),
            channel=conversation.channel,
            queue_id=queue.id,
            language=conversation.language,
            topic=conversation.topic,
            status="waiting",
            enqueued_at=now,
            ready_at=now,
        )
        self.session.add(entry)
        conversation.owner = f"queue:{queue.id}"
        await self._offered(entry, reason)
        await self.session.flush()
        await self.offer(entry)
        announce(self.session, "desk")
        return entry

    async def _offered(self, entry: QueueEntry, reason: str) -> None:
        await record(
            self.session,
            ContactOffered(
                str(entry.id), entry.queue_id, entry.channel, entry.kind, entry.language,
                entry.topic, reason,
            ),
            at=self.clock.now(),
            conversation_id=entry.conversation_id,
        )  # fmt: skip

    async def offer(self, entry: QueueEntry) -> int | None:
        """Point the entry at the agent who should answer next (ACD); None when nobody is free."""
        agents = [_view(a) for a in (await self.session.scalars(select(Agent))).all()]
        chosen = next_agent(EntryView(entry.queue_id, entry.language), agents)
        entry.offered_to = chosen.user_id if chosen else None
        return entry.offered_to

    async def callback(
        self,
        phone: str,
        *,
        language: str,
        topic: str | None,
        when: str = "",
        conversation_id: uuid.UUID | None = None,
        channel: str = "web",
    ) -> tuple[QueueEntry, bool]:
        """A callback request; returns (entry, created). The same phone never queues twice."""
        queue = await self.queue_for(topic, language)
        now = self.clock.now()
        open_now, next_open = self.opening(queue)
        ready = now if open_now else (next_open or now)
        values = {
            "id": uuid.uuid4(), "conversation_id": conversation_id, "kind": "callback",
            "channel": channel, "queue_id": queue.id, "language": language, "topic": topic,
            "status": "waiting", "enqueued_at": now, "ready_at": ready,
            "callback_phone": phone, "callback_when": when[:100], "note": "",
        }  # fmt: skip
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(QueueEntry).values(**values).on_conflict_do_nothing().returning(QueueEntry.id)
        created = (await self.session.execute(stmt)).first() is not None
        if not created:
            same = await self.session.scalars(
                select(QueueEntry).where(
                    QueueEntry.kind == "callback",
                    QueueEntry.callback_phone == phone,
                    QueueEntry.status.in_(OPEN),
                )
            )
            found = same.first()
            if found is None:
                raise DeskError("the callback could not be stored; please try again")
            return found, False
        entry = await self.entry(values["id"])  # type: ignore[arg-type]
        await record(
            self.session,
            CallbackRequested(str(entry.id), queue.id, language, ready.isoformat()),
            at=now,
            conversation_id=conversation_id,
        )
        await self._offered(entry, "callback")
        announce(self.session, "desk")
        return entry, True

    async def abandon(self, conversation: Conversation) -> None:
        """The resident left the line (closed the chat, hung up, or said "anuluj")."""
        entry = await self.open_entry(conversation.id)
        if entry is None or entry.status != "waiting":
            return
        now = self.clock.now()
        entry.status, entry.ended_at = "abandoned", now
        conversation.owner = "bot"
        announce(self.session, "desk")
        await record(
            self.session,
            ContactAbandoned(
                str(entry.id),
                entry.queue_id,
                _seconds(now - entry.ready_at),
                entry.kind,
                entry.language,
            ),
            at=now,
            conversation_id=conversation.id,
        )

    # --- agents -------------------------------------------------------------------------------

    async def agent(self, user_id: int, name: str = "") -> Agent:
        """The user's desk profile, created on first use (all queues, Polish)."""
        found = await self.session.get(Agent, user_id, populate_existing=True)
        if found is None:
            # Two first requests of a new agent may race: the database keeps one profile.
            values = {
                "user_id": user_id,
                "display_name": name or f"agent {user_id}",
                "queues": [q.id for q in await self.queues()],
                "languages": ["pl"],
                "state": "offline",
                "state_since": self.clock.now(),
            }
            dialect = self.session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            await self.session.execute(insert(Agent).values(**values).on_conflict_do_nothing())
            found = await self.session.get(Agent, user_id, populate_existing=True)
            assert found is not None
        return found

    async def set_state(self, agent: Agent, state: str) -> None:
        if state not in AGENT_STATES:
            raise DeskError(f"unknown state {state!r}", 422)
        if state == agent.state:
            return
        now = self.clock.now()
        previous = agent.state
        agent.state, agent.state_since = state, now
        if state == "available":
            agent.idle_since = now
        announce(self.session, "desk")
        await record(self.session, AgentStateChanged(str(agent.user_id), state, previous), at=now)

    async def accept(self, entry_id: uuid.UUID, agent: Agent) -> QueueEntry:
        entry = await self.entry(entry_id)
        if not qualified(_view(agent), EntryView(entry.queue_id, entry.language)):
            raise DeskError("this contact is for another queue or language", 403)
        now = self.clock.now()
        won = (
            await self.session.execute(
                update(QueueEntry)
                .where(QueueEntry.id == entry_id, QueueEntry.status == "waiting")
                .values(status="assigned", agent_id=agent.user_id, assigned_at=now)
                .returning(QueueEntry.id)
                .execution_options(synchronize_session=False)
            )
        ).first()
        if won is None:
            raise DeskError("another agent has already taken this contact")
        entry = await self.entry(entry_id)
        await self.set_state(agent, "busy")
        if entry.conversation_id is not None:
            conversation = await self.session.get(Conversation, entry.conversation_id)
            if conversation is not None:
                conversation.owner = f"agent:{agent.user_id}"
        await record(
            self.session,
            ContactAnswered(
                str(entry.id),
                entry.queue_id,
                str(agent.user_id),
                _seconds(now - entry.ready_at),
                entry.kind,
                entry.language,
            ),
            at=now,
            conversation_id=entry.conversation_id,
        )
        return entry

    def _own(self, entry: QueueEntry, agent: Agent) -> None:
        if entry.status != "assigned" or entry.agent_id != agent.user_id:
            raise DeskError("this contact is not yours", 403)

    async def reply(self, entry: QueueEntry, agent: Agent, text: str) -> None:
        self._own(entry, agent)
        clean = text.strip()
        if not clean or len(clean) > 4000:
            raise DeskError("a reply has 1 to 4,000 characters", 422)
        await record(
            self.session,
            AgentReplied(agent.display_name, clean),
            at=self.clock.now(),
            conversation_id=entry.conversation_id,
        )
        announce(self.session, f"conv:{entry.conversation_id}")
        announce(self.session, "desk")

    async def transfer(
        self, entry: QueueEntry, agent: Agent, to_queue: str, note: str
    ) -> QueueEntry:
        self._own(entry, agent)
        return await self._move(entry, to_queue, by=agent.display_name, note=note, agent=agent)

    async def _move(
        self, entry: QueueEntry, to_queue: str, *, by: str, note: str, agent: Agent | None = None
    ) -> QueueEntry:
        target = await self.session.get(Queue, to_queue)
        if target is None:
            raise DeskError(f"no queue {to_queue!r}", 422)
        if target.id == entry.queue_id:
            raise DeskError("the contact is already in this queue", 422)
        now = self.clock.now()
        entry.status, entry.ended_at = "transferred", now
        await self.session.flush()  # frees the one-open-entry-per-conversation slot
        moved = QueueEntry(
            id=uuid.uuid4(), conversation_id=entry.conversation_id, kind=entry.kind,
            channel=entry.channel, queue_id=target.id, language=entry.language,
            topic=entry.topic, status="waiting", enqueued_at=entry.enqueued_at,
            ready_at=entry.ready_at, callback_phone=entry.callback_phone,
            callback_when=entry.callback_when, note=note[:2000],
        )  # fmt: skip
        self.session.add(moved)
        announce(self.session, "desk")
        if entry.conversation_id is not None:
            conversation = await self.session.get(Conversation, entry.conversation_id)
            if conversation is not None:
                conversation.owner = f"queue:{target.id}"
        await record(
            self.session,
            ContactTransferred(
                str(entry.id), entry.queue_id, target.id, by, note[:2000], str(moved.id)
            ),
            at=now,
            conversation_id=entry.conversation_id,
        )
        if agent is not None:
            await self._complete(entry, agent, "transferred", wrap_code=entry.topic or GENERAL)
        await self.session.flush()
        await self.offer(moved)
        return moved

    async def end(self, entry: QueueEntry, agent: Agent) -> None:
        """The conversation with the resident is over; the agent now does the wrap-up."""
        self._own(entry, agent)
        if entry.wrap_started_at is None:
            entry.wrap_started_at = self.clock.now()
            await self.set_state(agent, "wrap_up")

    async def wrap_up(
        self, entry: QueueEntry, agent: Agent, wrap_code: str, *, to_bot: bool = False
    ) -> None:
        """Close the contact with a topic code; the conversation goes back to the bot."""
        self._own(entry, agent)
        topics = {t for q in await self.queues() for t in q.topics}
        if wrap_code not in topics:
            raise DeskError(f"unknown wrap-up code {wrap_code!r}; use a topic id", 422)
        await self._complete(entry, agent, "returned_to_bot" if to_bot else "closed", wrap_code)

    async def _complete(
        self, entry: QueueEntry, agent: Agent, outcome: str, wrap_code: str
    ) -> None:
        now = self.clock.now()
        ended = entry.wrap_started_at or now
        start = entry.assigned_at or ended
        if entry.status == "assigned":
            entry.status = "done"
        entry.ended_at = ended
        if entry.conversation_id is not None and outcome != "transferred":
            conversation = await self.session.get(Conversation, entry.conversation_id)
            if conversation is not None:
                conversation.owner = "bot"
            announce(self.session, f"conv:{entry.conversation_id}")
        await record(
            self.session,
            ContactCompleted(
                str(entry.id), entry.queue_id, str(agent.user_id), _seconds(ended - start),
                _seconds(now - ended), wrap_code, outcome, entry.kind, entry.language,
            ),
            at=now,
            conversation_id=entry.conversation_id,
        )  # fmt: skip
        await self.set_state(agent, "available")

    async def overflow(self) -> int:
        """Move contacts that waited too long to their overflow queue, keeping their place."""
        now = self.clock.now()
        moved = 0
        for queue in await self.queues():
            if queue.overflow_after_s is None or queue.overflow_to is None:
                continue
            limit = now - timedelta(seconds=queue.overflow_after_s)
            stmt = select(QueueEntry).where(
                QueueEntry.queue_id == queue.id,
                QueueEntry.status == "waiting",
                QueueEntry.ready_at <= limit,
            )
            for entry in (await self.session.scalars(stmt)).all():
                await self._move(entry, queue.overflow_to, by="overflow", note="")
                moved += 1
        return moved


def _view(agent: Agent) -> AgentView:
    return AgentView(agent.user_id, agent.queues, agent.languages, agent.state, agent.idle_since)


def _seconds(delta: timedelta) -> float:
    return round(max(0.0, delta.total_seconds()), 3)
