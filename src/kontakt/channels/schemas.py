"""Typed request and response bodies of the chat API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

UiLang = Literal["pl", "uk", "en"]


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: UiLang = "pl"
    page: str = Field("", max_length=300, description="The page the widget was opened on.")


class ConversationCreated(BaseModel):
    id: uuid.UUID
    language: str
    greeting: str


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., description="What the resident typed (1-2000 characters).")
    choice: str | None = Field(
        None,
        max_length=80,
        description="The article_id of a clicked button (an article or an offered option).",
    )
    client_id: str | None = Field(
        None,
        max_length=64,
        description="Optional id chosen by the client; a retried message with the same id is "
        "answered again without being stored twice.",
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("the message contains a NUL character")
        if not value.strip():
            raise ValueError("the message is empty")
        if len(value) > 2000:
            raise ValueError(f"the message has {len(value)} characters; the limit is 2000")
        return value


class Citation(BaseModel):
    article_id: str
    title: str
    url: str
    source: str
    unit: str


class Suggestion(BaseModel):
    article_id: str = Field(description="The article id, or the option value to send back.")
    label: str
    kind: Literal["article", "option"] = "article"


class Action(BaseModel):
    kind: str
    label: str
    value: str = ""


class OutcomeOut(BaseModel):
    """The bot's reply: the Outcome of handle_turn as JSON."""

    type: Literal["answer", "ask", "transfer", "end", "booked"]
    reason: str
    text: str
    language: str
    topic: str | None = None
    article_id: str | None = None
    speakable: str = ""
    note: str = ""
    citations: list[Citation] = []
    suggestions: list[Suggestion] = []
    actions: list[Action] = []
    ask_feedback: bool = False
    score: float | None = None
    queue: str | None = None
    position: int | None = None
    wait_s: float | None = None
    # Set on "booked" outcomes (a visit booked, moved or cancelled).
    code: str | None = None
    public_id: str | None = None
    service: str | None = None
    unit: str | None = None
    address: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    ics_url: str | None = None


class TurnOut(BaseModel):
    at: datetime
    text: str
    language: str
    reply: OutcomeOut | None


class ConversationOut(BaseModel):
    id: uuid.UUID
    channel: str
    language: str
    status: str
    owner: str
    topic: str | None
    started_at: datetime
    turns: list[TurnOut]


class AgentMessage(BaseModel):
    id: int
    at: datetime
    name: str
    text: str


class UpdatesOut(BaseModel):
    owner: Literal["bot", "queue", "agent"]
    messages: list[AgentMessage]
    last: int


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: UiLang


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article_id: str = Field(..., max_length=80)
    helpful: bool


def outcome_out(data: dict[str, Any]) -> OutcomeOut:
    return OutcomeOut.model_validate(data)
