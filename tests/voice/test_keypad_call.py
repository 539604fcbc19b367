"""A whole call on the keypad path: language, topic, and a transfer to the queue's SIP URI."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kontakt.calls.events import CallEnded, CallStarted, CallTransferred, TopicIdentified
from kontakt.events import EventRow
from kontakt.routing.models import Queue
from kontakt.runtime import Runtime
from kontakt.voice.call_flow import CallFlow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.tts import EspeakTts
from tests.voice.test_sip_endpoint import Caller

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
QUEUE_URI = "sip:queue-citizen@127.0.0.1:5090"


async def test_keypad_language_topic_and_transfer(chat_runtime: Runtime, tmp_path: Path) -> None:
    async with chat_runtime.transaction() as session:
        await session.execute(update(Queue).where(Queue.id == "citizen").values(sip_uri=QUEUE_URI))
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05)
    # No speech engines: the keypad path, as for a language without recognition.
    ep.on_call = CallFlow(chat_runtime, ep, EspeakTts(cache_dir=tmp_path), {}, None).handle
    await ep.start()
    caller = Caller(ep.port)
    await caller.open()
    try:
        caller.record_route = f"<sip:127.0.0.1:{caller.port};lr>"
        caller.request("INVITE", caller.sdp(), "application/sdp")
        await caller.expect(200)
        caller.request("ACK")
        # A caller who knows the menu: Polish (1), then civic affairs (1), typed ahead.
        for digit in ("1", "1"):
            caller.request("INFO", f"Signal={digit}\r\nDuration=160\r\n".encode(),
                           "application/dtmf-relay")  # fmt: skip
            await caller.expect(200)
        refer = await caller.next_request(wait_s=30)
        assert refer.method == "REFER" and refer.get("Refer-To") == f"<{QUEUE_URI}>"
        caller.answer(refer, 202)
        caller.request("NOTIFY", b"SIP/2.0 200 OK", "message/sipfrag;version=2.0", "refer")
        await caller.expect(200)
        bye = await caller.next_request(wait_s=10)
        assert bye.method == "BYE"
        caller.answer(bye, 200)
        rows = await _call_events(chat_runtime)
        call_id = rows[0].payload["call_id"]
        assert [r.kind for r in rows] == [
            CallStarted.kind,
            TopicIdentified.kind,
            CallTransferred.kind,
            CallEnded.kind,
        ]
        assert rows[1].payload == {
            "call_id": call_id,
            "topic": "citizen_affairs",
            "method": "keypad",
            "confidence": None,
        }
        assert rows[2].payload == {"call_id": call_id, "queue": "citizen", "sip_uri": QUEUE_URI,
                                   "ok": True, "reason": "topic"}  # fmt: skip
        assert rows[3].payload["ended_by"] == "transfer"
    finally:
        caller.close()
        await ep.stop()


SCENARIO = Path(__file__).parent / "sipp" / "keypad_transfer.xml"
TAXES_URI = "sip:queue-taxes@127.0.0.1:5090"


@pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp (apt sip-tester) is missing")
async def test_sipp_caller_with_rfc4733_dtmf_is_transferred(
    chat_runtime: Runtime, tmp_path: Path
) -> None:
    from tests.voice.test_sip_endpoint import _free_udp_port

    async with chat_runtime.transaction() as session:
        await session.execute(update(Queue).where(Queue.id == "taxes").values(sip_uri=TAXES_URI))
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05)
    ep.on_call = CallFlow(chat_runtime, ep, EspeakTts(cache_dir=tmp_path), {}, None).handle
    await ep.start()
    try:
        proc = await asyncio.create_subprocess_exec(
            "sipp", f"127.0.0.1:{ep.port}", "-sf", str(SCENARIO), "-m", "1",
            "-i", "127.0.0.1", "-p", str(_free_udp_port()), "-mi", "127.0.0.1",
            "-mp", str(_free_udp_port()), "-timeout", "40", "-nostdin",
            "-trace_err", "-error_file", str(tmp_path / "sipp_errors.log"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        code = await asyncio.wait_for(proc.wait(), 60)
        errors = tmp_path / "sipp_errors.log"
        assert code == 0, errors.read_text() if errors.exists() else code
        rows = await _call_events(chat_runtime)
        assert [(r.payload["queue"], r.payload["ok"]) for r in rows if r.kind == "call_transferred"
                ] == [("taxes", True)]  # fmt: skip
    finally:
        await ep.stop()


async def _call_events(runtime: Runtime) -> list[EventRow]:
    """The call's events, once CallEnded is in (the flow records it after the BYE)."""
    kinds = [CallStarted.kind, TopicIdentified.kind, CallTransferred.kind, CallEnded.kind]
    for _ in range(200):
        async with runtime.transaction() as session:
            rows = list(
                (
                    await session.scalars(
                        select(EventRow).where(EventRow.kind.in_(kinds)).order_by(EventRow.id)
                    )
                ).all()
            )
        if rows and rows[-1].kind == CallEnded.kind:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"no call_ended event: {[r.kind for r in rows]}")


def test_every_voice_prompt_is_translated() -> None:
    from kontakt.i18n import Translations
    from kontakt.voice import prompts

    msgids = prompts.ALL
    texts = Translations("kontakt")
    for lang in ("pl", "uk", "en"):
        missing = [m for m in msgids if m not in texts.catalog(lang)]
        assert missing == [], (lang, missing)


def test_menu_keys_reach_every_queue_across_pages() -> None:
    from kontakt.voice.keypad import menu_keys

    ids = ["general", *(f"q{i}" for i in range(1, 12))]
    keys = {q: menu_keys(ids, q) for q in ids}
    # Eight queues on the first page, the rest behind 9; 0 is the general queue on each page.
    assert keys["general"] == "0"
    assert [keys[f"q{i}"] for i in range(1, 12)] == [
        "1", "2", "3", "4", "5", "6", "7", "8", "91", "92", "93"
    ]  # fmt: skip
    with pytest.raises(ValueError):
        menu_keys(ids, "nowhere")
