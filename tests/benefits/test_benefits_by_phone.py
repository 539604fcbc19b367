"""The benefit payment date through the whole voicebot, by keypad alone: `kontakt voice call`'s
caller dials the real call flow (``serve_sip``), picks Polish and the benefits item of the
menu, asks for the date, keys in a case number and a PESEL, hears the date and is let go."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from kontakt.calls.events import CallEnded, CallTransferred, SelfServiceCompleted
from kontakt.events import read
from kontakt.runtime import Runtime
from kontakt.voice.caller import place_call
from tests.benefits.helpers import load, sample
from tests.voice.live_bot import live_bot

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


async def _kinds(runtime: Runtime) -> list[str]:
    async with runtime.transaction() as session:
        return [row.kind for row in await read(session)]


async def _ended(runtime: Runtime) -> None:
    """Once the bot has recorded the call's end (after its BYE)."""
    async with asyncio.timeout(30):
        while True:
            if CallEnded.kind in await _kinds(runtime):
                return
            await asyncio.sleep(0.05)


async def test_the_payment_date_by_keypad_through_the_whole_call(chat_runtime: Runtime) -> None:
    await load(chat_runtime, sample())
    async with live_bot(chat_runtime) as port:
        # 1 Polish; 4 the menu's benefits item, typed at the topic question; 1 "the payment
        # date"; the case number ŚW/0101/2026 as its digits, and Anna's PESEL.
        result = await place_call(
            f"sip:bot@127.0.0.1:{port}", dtmf="141[01012026#][85031412347#]", barge_in=True,
            timeout_s=120,
        )  # fmt: skip
        await _ended(chat_runtime)
    assert result.line() == "ended by bot outcome=benefit_date"
    kinds = await _kinds(chat_runtime)
    assert SelfServiceCompleted.kind in kinds
    assert CallTransferred.kind not in kinds  # served by the bot: nobody was needed
