"""Bad SIP input over real UDP: the right error where one can be addressed, never a crash.

Each message has its own Call-ID and is followed by an OPTIONS "sentinel": the endpoint
handles datagrams in order, so everything that arrives before the sentinel's 200 is the
answer to that message (new calls ring for a minute, so no late 200 gets mixed in).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Callable

import numpy as np
import pytest

from kontakt.voice.caller import place_call
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.sip.message import SipMessage, parse
from tests.voice.test_sip_endpoint import udp

SEED, COUNT = 20_261_125, 10_000
SDP = (
    b"v=0\r\no=f 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n"
)
BAD_SDP = [
    b"", b"v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5000 RTP/AVP 96\r\n",
    SDP.replace(b"RTP/AVP 0 101", b"RTP/AVP 18").replace(b"a=rtpmap:0 PCMU", b"a=rtpmap:18 G729"),
    SDP.replace(b"RTP/AVP", b"RTP/SAVP"), SDP.replace(b"c=IN IP4 127.0.0.1\r\n", b""),
    SDP.replace(b"40000", b"70000"), SDP.replace(b"40000", b"abc"), SDP.replace(b"0 101", b"0 x"),
    SDP.replace(b"c=IN IP4 127.0.0.1", b"c=IN IP4"), b"\xff\xfe\x00garbage\r\n", b"hello world",
]  # fmt: skip
# What each clean message gets: a new call rings; the rest name dialogs that do not exist.
BASE = {"INVITE": [100, 180], "OPTIONS": [200], "BYE": [481], "INFO": [481],
        "NOTIFY": [481], "CANCEL": [481], "REINVITE": [481], "ACK": []}  # fmt: skip
ANSWERS = {100, 180, 200, 400, 415, 416, 420, 481, 482, 488, 501, 505}
SINGLE = ("From", "To", "Call-ID", "CSeq", "Content-Length", "Content-Type", "Max-Forwards")


def base(kind: str, call_id: str) -> bytes:
    method = "INVITE" if kind == "REINVITE" else kind
    to = "<sip:bot@127.0.0.1>" + (
        ";tag=nosuch" if kind in ("BYE", "INFO", "NOTIFY", "REINVITE") else ""
    )
    msg = SipMessage(method=method, uri="sip:bot@127.0.0.1", headers=[
        ("Via", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + call_id), ("Max-Forwards", "70"),
        ("From", "<sip:fuzz@127.0.0.1>;tag=f1"), ("To", to), ("Call-ID", call_id),
        ("CSeq", f"1 {method}"), ("Contact", "<sip:fuzz@127.0.0.1:5999>"),
    ])  # fmt: skip
    if method == "INVITE":
        msg.add("Content-Type", "application/sdp")
        msg.body = SDP
    return msg.to_bytes()


def lines_of(data: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def join(lines: list[bytes], body: bytes) -> bytes:
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def answerable(data: bytes) -> bool:
    """Whole Via, Call-ID and CSeq lines survive: an error response can be addressed."""
    return all(re.search(rb"\r\n" + name + rb": [^\r\n]*\r\n", data)
               for name in (b"Via", b"Call-ID", b"CSeq"))  # fmt: skip


Expected = list[int] | None  # exact statuses, or None: any of ANSWERS


HOW = ["bitflip", "truncate", "duplicate", "drop", "length", "huge", "sdp", "method", "utf8",
       "version", "cseq", "scheme", "require", "garbage", "response", "clean"]  # fmt: skip
METHODS = ["SUBSCRIBE", "PUBLISH", "MESSAGE", "UPDATE", "PRACK", "REFER", "invite"]


def mutate(rng: random.Random, call_id: str) -> tuple[str, bytes, Expected]:
    """A clean message of some kind, mutated one way, and what the endpoint must answer."""
    how = rng.choice(HOW)
    kind = "INVITE" if how == "sdp" else rng.choice(list(BASE))
    data = base(kind, call_id)
    normal, ack = BASE[kind], kind == "ACK"
    lines, body = lines_of(data)
    if how == "bitflip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return how, bytes(out), None
    if how == "truncate":
        out = data[: rng.randrange(1, len(data))]
        return how, out, [] if ack else ([400] if answerable(out) else None)
    if how in ("duplicate", "drop"):
        i = rng.randrange(1, len(lines))
        name = lines[i].split(b":")[0].decode()
        if how == "duplicate":
            bad = name in SINGLE
            return (
                how,
                join([*lines[: i + 1], lines[i], *lines[i + 1 :]], body),
                ([] if ack else [400] if bad else normal),
            )
        rest = [*lines[:i], *lines[i + 1 :]]
        if name in ("Via", "Call-ID", "CSeq"):
            expected: Expected = []  # cannot be answered
        elif name in ("From", "To") or (
            kind in ("INVITE", "REINVITE") and name in ("Contact", "Content-Type")
        ):
            expected = [400]
        else:
            expected = normal  # Max-Forwards, Content-Length (a datagram ends the body)...
        return how, join(rest, body), [] if ack else expected
    if how == "length":
        value = rng.choice([b"abc", b"-1", b"99999", b"1e3", b"", b"0x10", b"%d" % (len(body) + 1)])
        out = re.sub(rb"Content-Length: \d+", b"Content-Length: " + value, data)
        return how, out, [] if ack else [400]
    if how == "huge":
        pad = b"X-Huge: " + b"a" * rng.randint(20_000, 60_000)
        many = [b"X-H%d: %d" % (n, n) for n in range(rng.randint(100, 2000))]
        extra = [pad] if rng.random() < 0.5 else many
        return how, join([lines[0], *extra, *lines[1:]], body), normal
    if how == "sdp":
        bad = rng.choice(BAD_SDP)
        out = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(bad), join(lines, bad))
        return how, out, [488]
    if how == "method":
        method = rng.choice([*METHODS, "X-" + "".join(rng.choices("ABCDEFGH", k=5))])
        old = lines[0].split(b" ")[0]
        lines[0] = method.encode() + lines[0][len(old) :]
        lines = [re.sub(rb"^CSeq: 1 \S+", b"CSeq: 1 " + method.encode(), ln) for ln in lines]
        return how, join(lines, body), [501]
    if how == "utf8":
        junk = b"Subject: caf\xe9 \xff\xfe" + bytes(rng.randrange(128, 256) for _ in range(4))
        return how, join([*lines[:2], junk, *lines[2:]], body), [] if ack else [400]
    if how == "version":
        lines[0] = lines[0].replace(b"SIP/2.0", rng.choice([b"SIP/3.0", b"SIP/1.0"]))
        return how, join(lines, body), [] if ack else [505]
    if how == "cseq" and not ack:
        lines = [re.sub(rb"^CSeq: 1 \S+", b"CSeq: 1 ACK", ln) for ln in lines]
        return how, join(lines, body), [400]
    if how == "scheme":
        lines[0] = lines[0].replace(b"sip:bot@127.0.0.1", b"tel:+48618785300")
        return how, join(lines, body), [] if ack else [416]
    if how == "require" and kind != "CANCEL":
        return how, join([*lines, b"Require: 100rel, timer"], body), [] if ack else [420]
    if how == "garbage":
        return how, bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000))), []
    if how == "response":
        return how, data.replace(lines[0], b"SIP/2.0 200 OK", 1), []
    return "clean", data, normal


@pytest.fixture
async def endpoint() -> AsyncIterator[SipEndpoint]:
    ep = SipEndpoint("127.0.0.1", 0, max_calls=COUNT, ring_s=60)
    await ep.start()
    yield ep
    await ep.stop()


Send = Callable[[bytes], None]


async def exchange(
    send: Send, inbox: asyncio.Queue[bytes], data: bytes, n: int
) -> list[SipMessage]:
    """Send ``data`` and its sentinel; the responses that came before the sentinel's."""
    send(data)
    send(base("OPTIONS", f"sentinel-{n}"))
    replies = []
    while True:
        reply = parse(await asyncio.wait_for(inbox.get(), 5))
        if reply.call_id == f"sentinel-{n}":
            return replies
        replies.append(reply)


async def test_ten_thousand_mutated_messages(
    endpoint: SipEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kontakt.voice.sip")
    loop_errors: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, ctx: loop_errors.append(ctx))
    sock, proto, _ = await udp()
    rng = random.Random(SEED)
    wrong, ringing, started = [], set(), time.perf_counter()
    try:
        send = lambda data: sock.sendto(data, ("127.0.0.1", endpoint.port))  # noqa: E731
        for n in range(COUNT):
            # A flipped bit must not turn one message's Call-ID into another's: n twice.
            how, data, expected = mutate(rng, f"fz{n}x{n * 7919 % 100_003}")
            replies = await exchange(send, proto.queue, data, n)
            statuses = [r.status for r in replies]
            ringing |= {r.call_id for r in replies if r.status == 180}
            ok = statuses == expected if expected is not None else set(statuses) <= ANSWERS
            if not ok:
                wrong.append((n, how, statuses, expected, data[:200]))
        elapsed = time.perf_counter() - started
        for call_id in ringing:  # every call the fuzz opened is still ringing: cancel it
            cancel = parse(base("CANCEL", call_id))
            cancel.set("Via", f"SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK{call_id}")
            assert [r.status for r in await exchange(send, proto.queue, cancel.to_bytes(), -1)] == [
                200,
                487,
            ]
    finally:
        sock.close()
    assert not wrong, (len(wrong), wrong[:5])
    assert loop_errors == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert endpoint.calls == {}
    print(f"{COUNT} mutated messages in {elapsed:.1f} s, {len(ringing)} calls opened")

    # And the endpoint still takes a normal call.
    async def hang_up(call: Call) -> None:
        await call.rtp.play(np.full(1600, 3000, dtype=np.int16))
        await endpoint.hangup(call)

    endpoint.ring_s, endpoint.on_call = 0.05, hang_up
    result = await place_call(f"sip:bot@127.0.0.1:{endpoint.port}", timeout_s=10)
    assert result.line() == "ended by bot"


def swap(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new)


INVITE, OPT = base("INVITE", "one"), base("OPTIONS", "e")
ERRORS = {
    "malformed header line": (swap(OPT, b"Max-Forwards: 70", b"Max Forwards"), [400]),
    "two Call-IDs": (swap(OPT, b"Call-ID: e", b"Call-ID: e\r\nCall-ID: f"), [400]),
    "unknown method": (swap(OPT, b"OPTIONS", b"FROBNICATE"), [501]),
    "no common codec": (swap(INVITE, b"RTP/AVP 0 101", b"RTP/AVP 9 101"), [488]),
    "not SDP": (swap(INVITE, b"application/sdp", b"text/plain"), [415]),
    "unknown dialog": (base("BYE", "nosuch"), [481]),
    "SIP/3.0": (swap(OPT, b"SIP/2.0\r\n", b"SIP/3.0\r\n"), [505]),
    "tel: URI": (swap(OPT, b"sip:bot@", b"tel:+48"), [416]),
    "Require": (swap(OPT, b"Max-Forwards", b"Require: 100rel\r\nMax-Forwards"), [420]),
    "a bad ACK is never answered": (swap(base("ACK", "e"), b"CSeq: 1 ACK", b"CSeq: x"), []),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ERRORS))
async def test_each_error_class(endpoint: SipEndpoint, name: str) -> None:
    data, statuses = ERRORS[name]
    sock, proto, _ = await udp()
    try:
        send = lambda d: sock.sendto(d, ("127.0.0.1", endpoint.port))  # noqa: E731
        assert [r.status for r in await exchange(send, proto.queue, data, 0)] == statuses
    finally:
        sock.close()


async def test_dialog_errors_while_ringing(endpoint: SipEndpoint) -> None:
    sock, proto, _ = await udp()
    try:
        send = lambda d: sock.sendto(d, ("127.0.0.1", endpoint.port))  # noqa: E731

        async def statuses(data: bytes) -> list[int]:
            return [r.status for r in await exchange(send, proto.queue, data, 0)]

        ringing = await exchange(send, proto.queue, INVITE, 0)
        assert [r.status for r in ringing] == [100, 180]
        tag = ringing[1].get("To").split("tag=")[1]
        assert await statuses(INVITE) == [180]  # a retransmission hears the same again
        assert await statuses(swap(INVITE, b"branch=z9hG4bKone", b"branch=z9hG4bKtwo")) == [482]
        assert await statuses(swap(base("BYE", "one"), b"tag=nosuch", b"tag=other")) == [481]
        reinvite = swap(base("REINVITE", "one"), b"tag=nosuch", f"tag={tag}".encode())
        assert await statuses(reinvite) == [491]  # no media of ours yet to renegotiate
        assert await statuses(base("CANCEL", "one")) == [200, 487]
        assert await statuses(base("CANCEL", "one")) == [481]
        assert endpoint.calls == {}
    finally:
        sock.close()
