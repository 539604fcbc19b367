"""A SIP user agent client for test calls: dial, cancel, ACK, hang up, and take the bot's
REFER like a transferee does (202, then NOTIFY sipfrag 100 and 200, RFC 3515 §2.4.4).

It shares the transports and the dialog with the bot's side; only the calling half of the
INVITE transaction (Timer A retransmits over UDP until a 1xx, Timer B gives up after 32 s,
CANCEL after a ring that lasts too long) is its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import Coroutine
from typing import Any

from kontakt.voice.sip.dialog import T1, Dialog, send_and_wait
from kontakt.voice.sip.message import SipError, SipMessage, parse, response
from kontakt.voice.sip.transport import Peer, SipTransport

ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY"


class SipCaller:
    def __init__(self, uri: str, peer: Peer) -> None:
        self.uri, self.peer = uri, peer
        self.local = local_address(peer.addr[0])
        self.sip = SipTransport(self.local, 0, self._received)
        self.invite_replies: asyncio.Queue[SipMessage] = asyncio.Queue()
        self.dialog: Dialog | None = None
        self.ack: SipMessage | None = None
        self.refer: SipMessage | None = None
        self.bye = asyncio.Event()
        self.bye_message: SipMessage | None = None  # the bot's BYE, for its X-Kontakt-Outcome
        self.transferred = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def sent_by(self) -> str:
        return f"{self.local}:{self.sip.port}"

    def invite(self, media_port: int) -> SipMessage:
        branch = "z9hG4bK" + secrets.token_hex(8)
        suffix = ";transport=tcp" if self.peer.transport == "tcp" else ""
        msg = SipMessage(method="INVITE", uri=self.uri)
        msg.add(
            "Via", f"SIP/2.0/{self.peer.transport.upper()} {self.sent_by()};branch={branch};rport"
        )
        msg.add("Max-Forwards", "70")
        msg.add("From", f"<sip:caller@{self.local}>;tag={secrets.token_hex(4)}")
        msg.add("To", f"<{self.uri}>")
        msg.add("Call-ID", f"{secrets.token_hex(8)}@{self.local}")
        msg.add("CSeq", "1 INVITE")
        msg.add("Contact", f"<sip:caller@{self.sent_by()}{suffix}>")
        msg.add("Allow", ALLOW)
        msg.add("User-Agent", "kontakt-caller")
        msg.add("Content-Type", "application/sdp")
        msg.body = offer(self.local, media_port)
        return msg

    def _received(self, data: bytes, peer: Peer) -> None:
        try:
            msg = parse(data)
        except SipError:
            return
        if not msg.is_request:
            if msg.get("CSeq").endswith("INVITE"):
                if msg.status >= 200 and self.ack is not None:
                    self.sip.send(self.ack, self.dialog.next_hop() if self.dialog else peer)
                else:
                    self.invite_replies.put_nowait(msg)
            elif self.dialog is not None:
                self.dialog.resolve(msg)
            return
        if msg.method == "ACK":
            return
        if self.dialog is None or msg.call_id != self.dialog.call_id:
            self.sip.send(response(msg, 481), peer)
            return
        if msg.method == "BYE":
            self.sip.send(response(msg, 200), peer)
            if not self.bye.is_set():
                self.bye_message = msg
            self.bye.set()
        elif msg.method == "REFER":
            self.sip.send(response(msg, 202), peer)
            if self.refer is None:
                self.refer = msg
                self._spawn(self._report_transfer(msg))
        elif msg.method in ("OPTIONS", "INFO", "NOTIFY"):
            self.sip.send(response(msg, 200), peer)
        else:
            self.sip.send(response(msg, 501), peer)

    async def _report_transfer(self, refer: SipMessage) -> None:
        """RFC 3515 §2.4.4: the transferee tells how its new call is going, by NOTIFY."""
        assert self.dialog is not None
        for frag, state in (("100 Trying", "active;expires=60"),
                            ("200 OK", "terminated;reason=noresource")):  # fmt: skip
            notify, branch = self.dialog.request("NOTIFY", self.sent_by())
            notify.add("Event", f"refer;id={refer.cseq[0]}")
            notify.add("Subscription-State", state)
            notify.add("Content-Type", "message/sipfrag;version=2.0")
            notify.body = f"SIP/2.0 {frag}\r\n".encode()
            await send_and_wait(self.dialog, notify, branch, self.sip.send)
        self.transferred.set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def dial(self, invite: SipMessage, deadline: float) -> SipMessage | None:
        """The INVITE's final response; CANCEL if none by ``deadline`` (None: no answer)."""
        loop = asyncio.get_running_loop()
        udp = self.peer.transport == "udp"
        sent_at, delay, provisional = loop.time(), T1, False
        self.sip.send(invite, self.peer)
        while loop.time() < deadline:
            if not provisional and loop.time() - sent_at > 64 * T1:
                return None  # Timer B: nobody there
            if not udp and not self.sip.connected(self.peer.addr):
                return None  # connection refused, or closed on us
            with contextlib.suppress(TimeoutError):
                reply = await asyncio.wait_for(self.invite_replies.get(), delay)
                if reply.status >= 200:
                    return reply
                provisional = True
            if udp and not provisional:
                self.sip.send(invite, self.peer)  # Timer A: UDP retransmits until a 1xx
            delay = min(delay * 2, 4.0, max(deadline - loop.time(), 0.01))
        if provisional:
            cancel = SipMessage(method="CANCEL", uri=invite.uri)
            for name in ("Via", "From", "To", "Call-ID"):
                cancel.add(name, invite.get(name))
            cancel.add("CSeq", f"{invite.cseq[0]} CANCEL")
            cancel.add("Max-Forwards", "70")
            self.sip.send(cancel, self.peer)
            with contextlib.suppress(TimeoutError):
                while (await asyncio.wait_for(self.invite_replies.get(), 2.0)).status < 200:
                    pass
        return None

    def confirm(self, invite: SipMessage, ok: SipMessage) -> Dialog:
        """ACK the 2xx (and again for each retransmission of it): the dialog is up."""
        dialog = self.dialog = Dialog.from_answer(invite, ok, self.peer)
        self.ack, _ = dialog.request("ACK", self.sent_by(), cseq=dialog.cseq)
        self.sip.send(self.ack, dialog.next_hop())
        return dialog

    def reject(self, invite: SipMessage, reply: SipMessage) -> None:
        """ACK a non-2xx final response: part of the INVITE transaction (§17.1.1.3)."""
        ack = SipMessage(method="ACK", uri=invite.uri)
        ack.add("Via", invite.get("Via"))
        ack.add("From", invite.get("From"))
        ack.add("To", reply.get("To"))
        ack.add("Call-ID", invite.call_id)
        ack.add("CSeq", f"{invite.cseq[0]} ACK")
        ack.add("Max-Forwards", "70")
        self.sip.send(ack, self.peer)

    async def hangup(self) -> None:
        if self.dialog is not None and not self.bye.is_set():
            bye, branch = self.dialog.request("BYE", self.sent_by())
            await send_and_wait(self.dialog, bye, branch, self.sip.send, timeout_s=4.0)

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.sip.close()


def offer(address: str, port: int) -> bytes:
    """Our SDP offer: PCMU, PCMA and telephone events, on one audio stream."""
    session = secrets.randbelow(10**9)
    lines = [
        "v=0", f"o=caller {session} 1 IN IP4 {address}", "s=kontakt caller",
        f"c=IN IP4 {address}", "t=0 0", f"m=audio {port} RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16", "a=ptime:20", "a=sendrecv",
    ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def local_address(host: str) -> str:
    """The address our packets to ``host`` leave from (no packet is sent to find it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((host, 5060))
        address: str = probe.getsockname()[0]
        return address
