"""The whole voicebot (``serve_sip``, the real call flow) on a free port, for tests that call
it with real peers: Kamailio, baresip and `kontakt voice call`."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import update

from kontakt.routing.models import Queue
from kontakt.runtime import Runtime
from kontakt.voice.server import serve_sip
from kontakt.voice.sip.message import SipMessage, parse


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (the SIP endpoint takes both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


async def sip_request(port: int, msg: SipMessage, wait_s: float = 0.5) -> SipMessage | None:
    """Send one request over UDP and return the final response (None when nobody answers)."""
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        here = sock.getsockname()[1]
        msg.set("Via", f"SIP/2.0/UDP 127.0.0.1:{here};branch=z9hG4bK{uuid.uuid4().hex[:12]};rport")
        await loop.sock_sendto(sock, msg.to_bytes(), ("127.0.0.1", port))
        with contextlib.suppress(TimeoutError):
            while True:
                reply = parse(await asyncio.wait_for(loop.sock_recv(sock, 65535), wait_s))
                if reply.status >= 200:
                    return reply
    return None


def request(method: str, uri: str, **headers: str) -> SipMessage:
    msg = SipMessage(method=method, uri=uri, headers=[
        ("Via", "placeholder"), ("Max-Forwards", "70"), ("From", "<sip:test@127.0.0.1>;tag=t1"),
        ("To", f"<{uri}>"), ("Call-ID", uuid.uuid4().hex), ("CSeq", f"1 {method}"),
    ])  # fmt: skip
    for name, value in headers.items():
        msg.add(name.replace("_", "-"), value)
    return msg


async def until_answered(port: int, msg: SipMessage, within_s: float = 60.0) -> SipMessage:
    """Repeat ``msg`` until a final response comes (a starting server, a starting proxy)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        reply = await sip_request(port, msg)
        if reply is not None:
            return reply
    raise TimeoutError(f"nothing answers SIP on 127.0.0.1:{port}")


@contextlib.asynccontextmanager
async def live_bot(runtime: Runtime, queue_host: str = "127.0.0.1:5090") -> AsyncIterator[int]:
    """``serve_sip`` on the runtime's database, every queue transferring to
    ``sip:queue-<id>@<queue_host>``; yields the SIP port once it answers OPTIONS."""
    async with runtime.transaction() as session:
        await session.execute(
            update(Queue).values(sip_uri="sip:queue-" + Queue.id + f"@{queue_host}")
        )
    port = free_port()
    settings = runtime.settings.model_copy(update={"sip_host": "127.0.0.1", "sip_port": port})
    stop = asyncio.Event()
    server = asyncio.create_task(serve_sip(settings, stop))
    try:
        ping = request("OPTIONS", f"sip:bot@127.0.0.1:{port}")
        ready = asyncio.create_task(until_answered(port, ping))
        await asyncio.wait({server, ready}, return_when=asyncio.FIRST_COMPLETED)
        if server.done():
            ready.cancel()
            server.result()  # serve_sip failed to start: raise its error
        await ready
        yield port
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
