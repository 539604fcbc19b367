"""The SIP endpoint over real UDP: a scripted caller in the test, and SIPp as a real peer."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator

import numpy as np
import pytest

from kontakt.voice.dtmf import TelephoneEvent
from kontakt.voice.rtp import RtpPacket
from kontakt.voice.rtp import parse as parse_rtp
from kontakt.voice.sdp import parse_offer
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.sip.message import SipMessage, param, parse

TONE = (np.sin(np.arange(8000) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16)  # 1 s


class Udp(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait(data)


async def udp() -> tuple[asyncio.DatagramTransport, Udp, int]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
    return transport, proto, transport.get_extra_info("sockname")[1]


class Caller:
    """A minimal UAC: enough SIP to place, hold, signal and end one call."""

    def __init__(self, server_port: int) -> None:
        self.server = ("127.0.0.1", server_port)
        self.call_id = uuid.uuid4().hex
        self.tag = uuid.uuid4().hex[:8]
        self.cseq = 0
        self.to_tag = ""
        self.record_route = "<sip:127.0.0.1:5999;lr>"

    async def open(self) -> None:
        self.sip, self.sip_in, self.port = await udp()
        self.rtp, self.rtp_in, self.rtp_port = await udp()

    def close(self) -> None:
        self.sip.close()
        self.rtp.close()

    def request(self, method: str, body: bytes = b"", ctype: str = "", event: str = "") -> None:
        if method not in ("ACK", "CANCEL"):
            self.cseq += 1
        to = "<sip:bot@127.0.0.1>" + (f";tag={self.to_tag}" if self.to_tag else "")
        msg = SipMessage(method=method, uri=f"sip:bot@127.0.0.1:{self.server[1]}", headers=[
            ("Via", f"SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex[:10]}"),
            ("Record-Route", self.record_route),
            ("From", f"<sip:caller@127.0.0.1>;tag={self.tag}"), ("To", to),
            ("Call-ID", self.call_id), ("CSeq", f"{self.cseq} {method}"),
            ("Contact", f"<sip:caller@127.0.0.1:{self.port}>"), ("Max-Forwards", "70"),
        ])  # fmt: skip
        if ctype:
            msg.add("Content-Type", ctype)
        if event:
            msg.add("Event", event)
        msg.body = body
        self.sip.sendto(msg.to_bytes(), self.server)

    def sdp(self, direction: str = "sendrecv") -> bytes:
        return (
            f"v=0\r\no=c 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {self.rtp_port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            f"a=rtpmap:101 telephone-event/8000\r\na={direction}\r\n"
        ).encode()

    async def next_request(self, wait_s: float = 5) -> SipMessage:
        while True:
            msg = parse(await asyncio.wait_for(self.sip_in.queue.get(), wait_s))
            if msg.is_request:
                return msg

    def answer(self, request: SipMessage, status: int) -> None:
        from kontakt.voice.sip.message import response

        self.sip.sendto(response(request, status).to_bytes(), self.server)

    async def expect(self, status: int, wait_s: float = 5) -> SipMessage:
        while True:
            msg = parse(await asyncio.wait_for(self.sip_in.queue.get(), wait_s))
            if msg.status == status:
                if param(msg.get("To"), "tag"):
                    self.to_tag = param(msg.get("To"), "tag") or ""
                return msg
            assert msg.status < 200, f"expected {status}, got {msg.status}"


@pytest.fixture
async def endpoint() -> AsyncIterator[SipEndpoint]:
    async def greet(call: Call) -> None:
        await call.rtp.play(TONE)

    ep = SipEndpoint("127.0.0.1", 0, max_calls=1, ring_s=0.2, on_call=greet)
    await ep.start()
    yield ep
    await ep.stop()


async def test_call_with_greeting_dtmf_hold_and_bye(endpoint: SipEndpoint) -> None:
    caller = Caller(endpoint.port)
    await caller.open()
    try:
        caller.request("INVITE", caller.sdp(), "application/sdp")
        await caller.expect(180)
        ok = await caller.expect(200)
        assert ok.get_all("Record-Route") == ["<sip:127.0.0.1:5999;lr>"]
        answer = parse_offer(ok.body)
        assert answer.codec_pt() == (0, "PCMU") and answer.dtmf_pt() == 101
        caller.request("ACK")

        first = parse_rtp(await asyncio.wait_for(caller.rtp_in.queue.get(), 5))
        assert first.payload_type == 0 and first.marker and len(first.payload) == 160
        following = [parse_rtp(await asyncio.wait_for(caller.rtp_in.queue.get(), 5))
                     for _ in range(10)]  # fmt: skip
        assert [p.sequence for p in following] == [
            (first.sequence + i) % 65536 for i in range(1, 11)
        ]
        assert following[-1].timestamp - first.timestamp == 1600  # 20 ms of 8 kHz each
        call = endpoint.calls[caller.call_id]
        assert call.state == "confirmed"

        # A keypad press as RFC 4733 events: start, then the end packet three times.
        bot_rtp = ("127.0.0.1", answer.port)
        for i, end in enumerate([False, False, True, True, True]):
            event = TelephoneEvent(1, end, 10, 160 * (i + 1)).to_bytes()
            packet = RtpPacket(101, 100 + i, 8000, 1234, event, marker=i == 0)
            caller.rtp.sendto(packet.to_bytes(), bot_rtp)
        await asyncio.wait_for(call.digit_event.wait(), 5)
        assert call.digits == ["1"]
        caller.request("INFO", b"Signal=5\r\nDuration=160\r\n", "application/dtmf-relay")
        await caller.expect(200)
        assert call.digits == ["1", "5"]

        caller.request("INVITE", caller.sdp("sendonly"), "application/sdp")
        held = await caller.expect(200)
        assert "a=recvonly" in held.body.decode() and call.on_hold
        caller.request("ACK")
        await asyncio.sleep(0.1)
        while not caller.rtp_in.queue.empty():
            caller.rtp_in.queue.get_nowait()
        await asyncio.sleep(0.2)
        assert caller.rtp_in.queue.empty()  # on hold: the bot sends nothing

        caller.request("BYE")
        await caller.expect(200)
        assert caller.call_id not in endpoint.calls
    finally:
        caller.close()


async def test_options_cancel_busy_and_bad_requests(endpoint: SipEndpoint) -> None:
    a, b = Caller(endpoint.port), Caller(endpoint.port)
    await a.open()
    await b.open()
    try:
        a.request("OPTIONS")
        assert "INVITE" in (await a.expect(200)).get("Allow")
        a.to_tag = ""  # OPTIONS makes no dialog

        a.request("INVITE", a.sdp(), "application/sdp")
        await a.expect(180)
        b.request("INVITE", b.sdp(), "application/sdp")  # over max_calls=1
        await b.expect(486)
        a.request("CANCEL")
        await a.expect(200)
        await a.expect(487)
        assert endpoint.calls == {}

        b.call_id, b.to_tag = uuid.uuid4().hex, ""
        b.request("INVITE", b"v=0\r\nm=video 1 RTP/AVP 96\r\n", "application/sdp")
        await b.expect(488)
        b.request("SUBSCRIBE")
        await b.expect(501)
        b.request("BYE")
        await b.expect(481)
        broken = f"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{b.port}\r\n"
        broken += "Call-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"
        b.sip.sendto(broken.encode(), b.server)
        await b.expect(400)
    finally:
        a.close()
        b.close()


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp (apt sip-tester) is missing")
async def test_sipp_calls_and_hangs_up(endpoint: SipEndpoint) -> None:
    endpoint.max_calls = 5
    proc = await asyncio.create_subprocess_exec(
        "sipp", "-sn", "uac", f"127.0.0.1:{endpoint.port}", "-m", "3", "-l", "3",
        "-i", "127.0.0.1", "-p", str(_free_udp_port()), "-timeout", "20", "-nostdin",
        "-trace_err", "-error_file", "/dev/null",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert await asyncio.wait_for(proc.wait(), 30) == 0
    assert endpoint.calls == {}


async def test_blind_transfer_with_refer_and_notify() -> None:
    results: list[bool] = []
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05)

    async def transfer(call: Call) -> None:
        results.append(await ep.transfer(call, "sip:queue-citizen@127.0.0.1:5090"))

    ep.on_call = transfer
    await ep.start()
    caller = Caller(ep.port)
    await caller.open()
    try:
        caller.record_route = f"<sip:127.0.0.1:{caller.port};lr>"  # the "proxy" is the caller
        caller.request("INVITE", caller.sdp(), "application/sdp")
        await caller.expect(200)
        caller.request("ACK")
        refer = await caller.next_request()
        assert refer.method == "REFER"
        assert refer.get("Refer-To") == "<sip:queue-citizen@127.0.0.1:5090>"
        assert refer.get_all("Route") == [caller.record_route]
        assert param(refer.get("From"), "tag") == caller.to_tag
        caller.answer(refer, 202)
        for frag in ("SIP/2.0 100 Trying", "SIP/2.0 200 OK"):
            caller.request("NOTIFY", frag.encode(), "message/sipfrag;version=2.0", "refer")
            await caller.expect(200)
        bye = await caller.next_request()
        assert bye.method == "BYE"
        caller.answer(bye, 200)
        for _ in range(50):
            if results:
                break
            await asyncio.sleep(0.05)
        assert results == [True]
        assert ep.calls == {}
    finally:
        caller.close()
        await ep.stop()
