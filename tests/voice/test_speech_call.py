"""Calls to the whole voicebot over real SIP with espeak-ng speech: a spoken topic
confirmed on the keypad, a caller who says nothing (reprompts, then the general queue), and
a caller who rejects the guess and uses the menu. The 66-call routing measurement (22 topics
x 3 phrasings) is `python bench/voice.py --routing`; its figure is in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kontakt.calls.events import CallEnded, CallStarted, CallTransferred, TopicIdentified
from kontakt.events import EventRow
from kontakt.routing.models import Queue
from kontakt.runtime import Runtime
from kontakt.voice.caller import CallResult, place_call
from kontakt.voice.server import build_flow, warm_up
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.tts import EspeakTts

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
ROOT = Path(__file__).parents[2]
PARALLEL = 4


@pytest.fixture
async def bot(chat_runtime: Runtime) -> AsyncIterator[tuple[str, Runtime]]:
    settings = chat_runtime.settings.model_copy(
        update={"voice_dir": ROOT / "var" / "test-cache" / "voice"}
    )
    runtime = chat_runtime
    runtime.settings = settings
    async with runtime.transaction() as session:
        for queue in (await session.scalars(select(Queue))).all():
            await session.execute(
                update(Queue)
                .where(Queue.id == queue.id)
                .values(sip_uri=f"sip:queue-{queue.id}@127.0.0.1:5090")
            )
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05, max_calls=PARALLEL + 2)
    flow = build_flow(settings, runtime, ep)
    await asyncio.to_thread(warm_up, flow)
    ep.on_call = flow.handle
    await ep.start()
    try:
        yield f"sip:bot@127.0.0.1:{ep.port}", runtime
    finally:
        await ep.stop()


def _call_id(result: CallResult) -> str:
    assert result.refer is not None  # the REFER came inside the call's dialog
    return result.refer.get("Call-ID")


async def _events(runtime: Runtime, call_id: str) -> list[EventRow]:
    for _ in range(200):
        async with runtime.transaction() as session:
            rows = [r for r in (await session.scalars(select(EventRow).order_by(EventRow.id)))
                    if r.payload.get("call_id") == call_id]  # fmt: skip
        if rows and rows[-1].kind == CallEnded.kind:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the call has no call_ended event")


async def test_spoken_topic_confirmed_no_input_and_menu(
    bot: tuple[str, Runtime], tts_cache: Path
) -> None:
    target, runtime = bot
    tts = EspeakTts(cache_dir=tts_cache)
    said = "jak wyrobić nowy dowód osobisty"
    spoken, silent, rejected = await asyncio.gather(
        # Speaks after the welcome (so: Polish), then confirms with key 1.
        place_call(target, text=said, dtmf="_1", timeout_s=90, tts=tts),
        # Polish on the keypad, then says nothing: two reprompts, then the general queue.
        place_call(target, dtmf="1", timeout_s=90, tts=tts),
        # Speaks, answers "no" (key 2) to the guess, then asks for the menu and picks waste.
        place_call(target, text=said, dtmf="_203", timeout_s=90, tts=tts),
    )
    assert spoken.line() == "transferred queue=citizen topic=citizen_affairs method=speech"
    assert silent.line() == "transferred queue=general topic=- method=default"
    assert rejected.line() == "transferred queue=waste topic=waste method=keypad"
    for result in (spoken, silent, rejected):
        assert result.latency_s is None or result.latency_s < 5.0
    ok = await _events(runtime, _call_id(spoken))
    assert [r.kind for r in ok] == [
        CallStarted.kind,
        TopicIdentified.kind,
        CallTransferred.kind,
        CallEnded.kind,
    ]
    assert ok[1].payload["method"] == "speech" and ok[1].payload["topic"] == "citizen_affairs"
    assert 0 < ok[1].payload["confidence"] <= 1
    quiet = await _events(runtime, _call_id(silent))
    transferred = next(r for r in quiet if r.kind == CallTransferred.kind)
    assert (transferred.payload["queue"], transferred.payload["reason"]) == ("general", "no_input")
    assert not any(r.kind == TopicIdentified.kind for r in quiet)


async def test_a_no_to_the_first_guess_offers_the_second(
    bot: tuple[str, Runtime], tts_cache: Path
) -> None:
    """Parking at a cemetery is about cemeteries or about parking: the caller says no to the
    first guess and yes to the second, and is routed by speech to the second one."""
    target, runtime = bot
    tts = EspeakTts(cache_dir=tts_cache)
    result = await place_call(
        target, text="parking przy cmentarzu", dtmf="_21", timeout_s=90, tts=tts
    )
    # Without the second guess, key 2 would lead to a reprompt and key 1 to the keypad menu.
    assert result.refer_headers.get("X-Kontakt-Method") == "speech", result.line()
    events = await _events(runtime, _call_id(result))
    [identified] = [r for r in events if r.kind == TopicIdentified.kind]
    assert identified.payload["topic"] in ("cemeteries", "transport_parking")
    assert identified.payload["method"] == "speech"
    assert identified.payload["confidence"] < 0.5  # the runner-up's, not the first guess's


@pytest.fixture
def tts_cache() -> Path:
    path = ROOT / "var" / "test-cache" / "tts"
    path.mkdir(parents=True, exist_ok=True)
    return path
