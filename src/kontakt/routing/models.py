"""Tables of the brokers' desk: queues, agents' profiles and the entries waiting in queues.

An open entry is unique per conversation (a resident is never queued twice) and an open
callback unique per phone number (a callback is never duplicated); both are partial unique
indexes, so the database refuses duplicates even when two workers race.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base, JSONType

OPEN = ("waiting", "assigned")
AGENT_STATES = ("available", "busy", "wrap_up", "break", "offline")


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, Any]] = mapped_column(JSONType)
    languages: Mapped[list[str]] = mapped_column(JSONType)
    topics: Mapped[list[str]] = mapped_column(JSONType)
    hours: Mapped[dict[str, Any]] = mapped_column(JSONType)
    overflow_after_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    overflow_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sip_uri: Mapped[str] = mapped_column(String(300), default="")

    def name(self, lang: str) -> str:
        return str(self.names.get(lang) or self.names["pl"])


class Agent(Base):
    """A staff user's desk profile: what they can answer and what they are doing now."""

    __tablename__ = "agents"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    queues: Mapped[list[str]] = mapped_column(JSONType)
    languages: Mapped[list[str]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16), default="offline")
    state_since: Mapped[datetime]
    # When the agent last became free: the longest-idle qualified agent answers next.
    idle_since: Mapped[datetime | None] = mapped_column(nullable=True)


class QueueEntry(Base):
    __tablename__ = "queue_entries"
    __table_args__ = (
        Index(
            "uq_queue_entry_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'assigned')"),
            postgresql_where=text("status IN ('waiting', 'assigned')"),
        ),
        Index(
            "uq_queue_entry_callback",
            "callback_phone",
            unique=True,
            sqlite_where=text("kind = 'callback' AND status IN ('waiting', 'assigned')"),
            postgresql_where=text("kind = 'callback' AND status IN ('waiting', 'assigned')"),
        ),
        Index("ix_queue_entries_queue_status", "queue_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # chat | callback | call
    channel: Mapped[str] = mapped_column(String(16))
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id"))
    language: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # waiting | assigned | done | abandoned
    # The place in line: arrival time, kept across overflow, transfer and office opening.
    enqueued_at: Mapped[datetime]
    # A callback left outside office hours waits, invisible, until the office opens.
    ready_at: Mapped[datetime]
    offered_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    wrap_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    callback_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    callback_when: Mapped[str] = mapped_column(String(100), default="")
