"""SIP over TCP (RFC 3261 §18): a whole call, and the stream's framing and guards."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator

import numpy as np
import pytest

from kontakt.voice.caller import place_call
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.sip.message import SipMessage, parse

TONE = (np.sin(np.arange(4000) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16)  # 0.5 s
QUEUE = "sip:queue-waste@127.0.0.1:5090"


class SilentTts:
    """The caller's voice: a 0.4 s tone stands in for speech (no espeak-ng needed)."""

    def synthesize(self, text: str, lang: str) -> np.ndarray:
        return TONE[:3200]


@pytest.fixture
async def endpoint() -> AsyncIterator[SipEndpoint]:
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05)
    await ep.start()
    yield ep
    await ep.stop()


async def test_call_over_tcp_keys_speech_refer_and_bye(endpoint: SipEndpoint) -> None:
    seen: list[object] = []

    async def flow(call: Call) -> None:
        await call.rtp.play(TONE)
        while not call.digits:
            call.digit_event.clear()
            await call.digit_event.wait()
        await call.rtp.play(TONE)  # the menu; the caller speaks after it
        before = call.rtp.received
        await asyncio.sleep(1.5)
        seen.extend([call.source.transport, call.digits, call.rtp.received - before > 20])
        await call.rtp.play(TONE)
        headers = {"X-Kontakt-Queue": "waste", "X-Kontakt-Method": "speech"}
        seen.append(await endpoint.transfer(call, QUEUE, extra_headers=headers))

    endpoint.on_call = flow
    result = await place_call(
        f"sip:bot@127.0.0.1:{endpoint.port}", text="wywóz śmieci", dtmf="3",
        transport="tcp", timeout_s=20, tts=SilentTts(),
    )  # fmt: skip
    assert result.line() == "transferred queue=waste topic=- method=speech"
    assert result.refer_to == f"<{QUEUE}>"
    assert result.refer is not None and result.refer.get("Via").startswith("SIP/2.0/TCP ")
    assert seen == ["tcp", ["3"], True, True]
    assert [s.kind for s in result.steps] == ["key", "speech"]
    assert result.latency_s is not None and 0 < result.latency_s < 1.5
    assert np.abs(result.bot_audio).max() > 4000  # the bot's tones were recorded
    assert endpoint.calls == {}


def options(call_id: str, body: bytes = b"", length: str | None = None) -> bytes:
    msg = SipMessage(method="OPTIONS", uri="sip:bot@127.0.0.1", headers=[
        ("Via", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK" + uuid.uuid4().hex[:10]),
        ("From", "<sip:t@127.0.0.1>;tag=1"), ("To", "<sip:bot@127.0.0.1>"),
        ("Call-ID", call_id), ("CSeq", "1 OPTIONS"),
    ], body=body)  # fmt: skip
    data = msg.to_bytes()
    if length is not None:
        data = re.sub(rb"Content-Length: \d+", f"Content-Length: {length}".encode(), data)
    return data


async def read_response(reader: asyncio.StreamReader) -> SipMessage:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
    return parse(head + await reader.readexactly(length))


async def closed(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(), 5) == b""


@contextlib.asynccontextmanager
async def connection(
    port: int,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_stream_framing_split_and_coalesced(endpoint: SipEndpoint) -> None:
    async with connection(endpoint.port) as (reader, writer):
        first = options("a", body=b"hello")  # a body the framing must not lose or misread
        for i in range(0, len(first), 7):  # trickled in 7-byte pieces
            writer.write(first[i : i + 7])
            await writer.drain()
            await asyncio.sleep(0)
        assert (await read_response(reader)).call_id == "a"
        writer.write(b"\r\n\r\n")  # a keep-alive ping between messages gets a CRLF pong
        assert await asyncio.wait_for(reader.readexactly(2), 5) == b"\r\n"
        writer.write(options("b") + options("c"))  # two in one segment
        replies = [await read_response(reader) for _ in range(2)]
        assert [(r.status, r.call_id) for r in replies] == [(200, "b"), (200, "c")]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (options("big", length="70000"), 413),  # the body would be over the limit
        (options("nolen").replace(b"Content-Length: 0\r\n", b""), 400),  # no framing on TCP
        (options("hdr")[:-4] + b"\r\nX-Pad: " + b"a" * 70_000, 513),  # headers never end
    ],
)
async def test_stream_guards_answer_and_close(
    endpoint: SipEndpoint, data: bytes, status: int
) -> None:
    async with connection(endpoint.port) as (reader, writer):
        writer.write(data)
        assert (await read_response(reader)).status == status
        assert await closed(reader)


async def test_incomplete_message_times_out(endpoint: SipEndpoint) -> None:
    endpoint.transport.partial_timeout_s = 0.3
    async with connection(endpoint.port) as (reader, writer):

        async def trickle() -> None:  # a byte every 0.1 s (slowloris) never completes it
            for byte in options("slow"):
                writer.write(bytes([byte]))
                await asyncio.sleep(0.1)

        started = asyncio.get_running_loop().time()
        slow = asyncio.create_task(trickle())
        assert await closed(reader)
        slow.cancel()
        assert asyncio.get_running_loop().time() - started < 1
        assert endpoint.transport.streams == {}
