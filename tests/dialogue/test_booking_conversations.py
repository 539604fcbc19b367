"""The scripted booking conversations of booking_conversations.yaml, through the chat API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from kontakt.app import create_app
from kontakt.booking.models import Reservation
from kontakt.i18n import Translations
from kontakt.runtime import Runtime

CASES = yaml.safe_load((Path(__file__).parent / "booking_conversations.yaml").read_text())
WARSAW = ZoneInfo("Europe/Warsaw")


def test_there_are_enough_conversations_in_every_language() -> None:
    langs = [c["turns"][0]["expect"].get("language", "pl") for c in CASES]
    assert len(CASES) >= 15
    assert {lang: langs.count(lang) for lang in ("uk", "en")} == {"uk": 2, "en": 3}


@pytest.fixture
async def booking_chat(chat_runtime: Runtime) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings = chat_runtime.settings.model_copy(update={"chat_rate_limit": "1000/60"})
    app = create_app(settings, runtime=chat_runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, chat_runtime


async def _visit(runtime: Runtime, public_id: str) -> Reservation:
    async with runtime.transaction() as session:
        found = (
            await session.scalars(select(Reservation).where(Reservation.public_id == public_id))
        ).first()
    assert found is not None
    return found


def _check(reply: dict[str, Any], expect: dict[str, Any], said: str) -> None:
    where = f"after {said!r}: {reply['type']}/{reply['reason']}: {reply['text']!r}"
    for key in ("type", "reason", "language"):
        if key in expect:
            assert reply[key] == expect[key], where
    for part in expect.get("contains", []):
        assert part.lower() in reply["text"].lower(), f"{part!r} missing {where}"
    if "suggestions" in expect:
        assert len(reply["suggestions"]) == expect["suggestions"], where


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_booking_conversation(
    booking_chat: tuple[httpx.AsyncClient, Runtime], case: dict[str, Any]
) -> None:
    client, runtime = booking_chat
    conv = (await client.post("/api/v1/conversations", json={"language": "pl"})).json()
    url = f"/api/v1/conversations/{conv['id']}/messages"
    reply: dict[str, Any] = {}
    code = ""
    for turn in case["turns"]:
        if "press" in turn:
            wanted = turn["press"].lower()
            button = next(
                (s for s in reply.get("suggestions", []) if wanted in s["label"].lower()), None
            )
            assert button is not None, f"no button {turn['press']!r} in {reply['suggestions']}"
            body = {"text": button["label"], "choice": button["article_id"]}
            said = turn["press"]
        else:
            said = str(turn["say"]).replace("{code}", code)
            body = {"text": said}
        resp = await client.post(url, json=body)
        assert resp.status_code == 200, resp.text
        reply = resp.json()
        expect = turn["expect"]
        _check(reply, expect, said)
        if turn.get("resumes"):
            lead = Translations("kontakt").gettext(reply["language"], "Back to your booking:")
            assert lead in reply["text"], reply["text"]
        if reply["type"] == "booked":
            assert reply["public_id"]
            if reply["reason"] != "cancelled":
                code = reply["code"]
                assert len(code) == 6 and code in reply["text"]
        if "visit" in expect:
            visit = await _visit(runtime, reply["public_id"])
            want = expect["visit"]
            assert visit.status == want.get("status", "confirmed")
            if "service" in want:
                assert visit.service_id == want["service"]
            if "unit" in want:
                assert visit.unit_id == want["unit"]
            if "start" in want:
                assert visit.start.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M") == want["start"]
    if "held_after" in case:
        async with runtime.transaction() as session:
            held = await session.scalar(
                select(func.count()).select_from(Reservation).where(Reservation.status == "held")
            )
        assert held == case["held_after"]
