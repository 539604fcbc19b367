"""SIP transports (RFC 3261 §18): UDP and TCP on one port, as a SIP user agent listens.

Both hand whole messages (bytes) and the ``Peer`` they came from to one callback; the user
agent parses them and answers through ``send(msg, peer)``. A UDP peer is an address. A TCP
peer is a connection: a response goes back on the connection its request came on, and a
request to an address we hold a connection to reuses it, so a caller (or a proxy) that never
accepts connections of its own still gets our BYE and REFER. Only when there is none do we
connect.

TCP is a byte stream, so messages are framed by their Content-Length (mandatory on streams).
A peer cannot hold memory or a connection hostage: a message over ``max_message`` bytes is
answered 513 (headers) or 413 (body) and the connection closed; a message that stays
incomplete for ``partial_timeout_s`` (slowloris) closes the connection; and at most
``max_connections`` are open at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from kontakt.voice.sip.message import MAX_MESSAGE, SipMessage, salvage_response

log = logging.getLogger("kontakt.voice.sip")
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$", re.I | re.M)
_VIA_SENT_BY = re.compile(r"SIP/2\.0/\w+\s+([^\s;:]+)(?::(\d+))?", re.I)


@dataclass(frozen=True)
class Peer:
    """Where a message came from, and so where its answer goes."""

    transport: str  # "udp" | "tcp"
    addr: tuple[str, int]


OnMessage = Callable[[bytes, Peer], None]


class FrameError(ValueError):
    """The stream cannot be read on: answer ``status`` if possible, then close."""

    def __init__(self, message: str, status: int, data: bytes) -> None:
        super().__init__(message)
        self.status, self.data = status, data


class StreamFramer:
    """Cuts a TCP byte stream into SIP messages by their Content-Length."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self.max_message = max_message
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Every message completed by ``data``; raises FrameError when the stream is lost."""
        self.buffer += data
        out: list[bytes] = []
        while True:
            # CRLFs between messages are keep-alives (RFC 5626 §3.5.1), not part of any.
            while self.buffer[:2] == b"\r\n":
                del self.buffer[:2]
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > self.max_message:
                    raise FrameError("headers too large", 513, bytes(self.buffer))
                return out
            head = bytes(self.buffer[:end])
            lengths = _CONTENT_LENGTH.findall(head)
            if len(lengths) != 1 or not lengths[0].isdigit():
                why = "no Content-Length" if not lengths else "bad Content-Length"
                raise FrameError(f"{why} on a stream transport", 400, head + b"\r\n\r\n")
            total = end + 4 + int(lengths[0])
            if total > self.max_message:
                raise FrameError("message too large", 413, head + b"\r\n\r\n")
            if len(self.buffer) < total:
                return out
            out.append(bytes(self.buffer[:total]))
            del self.buffer[:total]


class SipStream(asyncio.Protocol):
    """One TCP connection, accepted or opened by us; writes wait until it is connected."""

    def __init__(self, owner: SipTransport, peer: Peer) -> None:
        self.owner, self.peer = owner, peer
        self.framer = StreamFramer(owner.max_message)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._backlog: list[bytes] = []
        self._partial: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        if not self.peer.addr[0]:  # accepted: now we know who called
            self.peer = Peer("tcp", transport.get_extra_info("peername")[:2])
            if not self.owner.adopt(self):
                self.close()
                return
        for data in self._backlog:
            self.transport.write(data)
        self._backlog.clear()

    def write(self, data: bytes) -> None:
        if self.transport is None:
            self._backlog.append(data)
        elif not self.closed:
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        if data == b"\r\n\r\n" and not self.framer.buffer:
            self.write(b"\r\n")  # RFC 5626 §4.4.1: a double-CRLF ping gets a CRLF pong
            return
        try:
            messages = self.framer.feed(data)
        except FrameError as exc:
            log.info("closing SIP/TCP from %s: %s", self.peer.addr, exc)
            reply = salvage_response(exc.data, exc.status, str(exc))
            if reply is not None:
                self.write(reply.to_bytes())
            self.close()
            return
        for message in messages:
            self.owner.deliver(message, self.peer)
        self._watch_partial(restart=bool(messages))

    def _watch_partial(self, *, restart: bool) -> None:
        """A message must be complete within ``partial_timeout_s`` of its first byte, however
        slowly it trickles in; a stream between messages has no deadline."""
        if self._partial is not None and (restart or not self.framer.buffer):
            self._partial.cancel()
            self._partial = None
        if self.framer.buffer and self._partial is None and not self.closed:
            loop = asyncio.get_running_loop()
            self._partial = loop.call_later(self.owner.partial_timeout_s, self._too_slow)

    def _too_slow(self) -> None:
        log.info("closing SIP/TCP from %s: incomplete message timed out", self.peer.addr)
        self.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self.connection_lost(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._partial is not None:
            self._partial.cancel()
        if self.owner.streams.get(self.peer.addr) is self:
            del self.owner.streams[self.peer.addr]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: SipTransport) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if data.strip():  # a bare CRLF is a keep-alive
            self.owner.deliver(data, Peer("udp", addr[:2]))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable from a peer that left: nothing to do, and never fatal.
        log.debug("SIP/UDP error: %s", exc)


class SipTransport:
    def __init__(
        self,
        host: str,
        port: int,
        on_message: OnMessage,
        *,
        max_message: int = MAX_MESSAGE,
        partial_timeout_s: float = 10.0,
        max_connections: int = 1000,
    ) -> None:
        self.host, self.port = host, port
        self.on_message = on_message
        self.max_message = max_message
        self.partial_timeout_s = partial_timeout_s
        self.max_connections = max_connections
        self.streams: dict[tuple[str, int], SipStream] = {}
        self.udp: asyncio.DatagramTransport | None = None
        self.server: asyncio.Server | None = None
        self._connecting: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen on UDP and TCP with one port number (a free one for port 0)."""
        loop = asyncio.get_running_loop()
        for _attempt in range(20):
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self), local_addr=(self.host, self.port)
            )
            port: int = udp.get_extra_info("sockname")[1]
            try:
                self.server = await loop.create_server(self._accept, self.host, port)
            except OSError:
                udp.close()
                if self.port:
                    raise  # the configured port is taken for TCP: say so, do not move
                continue  # the free UDP port is taken for TCP: try another one
            self.udp, self.port = udp, port
            return
        raise OSError(f"no port free for both UDP and TCP on {self.host}")

    def _accept(self) -> SipStream:
        return SipStream(self, Peer("tcp", ("", 0)))

    def adopt(self, stream: SipStream) -> bool:
        """Keep an accepted connection, unless too many are open already."""
        if len(self.streams) >= self.max_connections:
            log.warning("SIP/TCP: %d connections open; refusing %s", len(self.streams), stream.peer)
            return False
        self.streams[stream.peer.addr] = stream
        return True

    def deliver(self, data: bytes, peer: Peer) -> None:
        """The user agent's handler is a boundary: one bad message must not stop the socket
        (asyncio closes a transport whose protocol raises)."""
        try:
            self.on_message(data, peer)
        except Exception:
            log.exception("SIP message from %s could not be handled", peer.addr)

    def send(self, msg: SipMessage, peer: Peer) -> None:
        data = msg.to_bytes()
        if peer.transport == "udp":
            if self.udp is not None:
                self.udp.sendto(data, peer.addr)
            return
        stream = self.streams.get(peer.addr)
        if stream is None or stream.closed:
            stream = self._connect(peer.addr if msg.is_request else _sent_by(msg, peer))
        stream.write(data)

    def connected(self, addr: tuple[str, int]) -> bool:
        stream = self.streams.get(addr)
        return stream is not None and not stream.closed

    def _connect(self, addr: tuple[str, int]) -> SipStream:
        """A new connection; writes queue until it is up (or are dropped if it fails)."""
        stream = SipStream(self, Peer("tcp", addr))
        self.streams[addr] = stream

        async def connect() -> None:
            loop = asyncio.get_running_loop()
            try:
                await loop.create_connection(lambda: stream, addr[0], addr[1])
            except OSError as exc:
                log.info("SIP/TCP: cannot connect to %s: %s", addr, exc)
                stream.connection_lost(exc)

        task = asyncio.ensure_future(connect())
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)
        return stream

    def close(self) -> None:
        for task in list(self._connecting):
            task.cancel()
        for stream in list(self.streams.values()):
            stream.close()
        if self.server is not None:
            self.server.close()
        if self.udp is not None:
            self.udp.close()


def _sent_by(response: SipMessage, peer: Peer) -> tuple[str, int]:
    """RFC 3261 §18.2.2: the request's connection is gone, so answer its Via sent-by."""
    vias = response.get_all("Via")
    match = _VIA_SENT_BY.match(vias[0]) if vias else None
    if match is None:
        return peer.addr
    with contextlib.suppress(ValueError):
        return match.group(1), int(match.group(2) or 5060)
    return peer.addr
