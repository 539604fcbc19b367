"""The conversations table is a small projection for routing and listing.

What was said, and everything the dialogue remembers, lives in the event log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base

CHANNELS = ("web", "phone", "desk", "cli")


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    # bot | queue:<queue id> | agent:<user id>
    owner: Mapped[str] = mapped_column(String(64), default="bot")
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    started_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
