"""The voicebot's SIP user agent server (UDP and TCP): answers calls and keeps their dialogs.

INVITE gets 100 Trying, 180 Ringing and, after a short ring, 200 OK with our SDP answer
(retransmitted until the ACK, RFC 3261 §13.3.1.4); a re-INVITE puts the call on hold or
takes it off; BYE and CANCEL end it; OPTIONS answers keep-alives from proxies; DTMF arrives as
RFC 4733 events or SIP INFO. Over ``max_calls`` a new call gets 486 Busy Here. Responses go
back to where the request came from (on its connection, over TCP), and Record-Route is
copied, so it works behind Kamailio. What a call *does* (prompts, listening, transfer) is the
``on_call`` coroutine's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from kontakt.voice.dtmf import parse_sip_info
from kontakt.voice.g711 import codec_for
from kontakt.voice.rtp_session import RtpSession
from kontakt.voice.sdp import AudioOffer, SdpError, build_answer, parse_offer
from kontakt.voice.sip.dialog import T1, Dialog, send_and_wait
from kontakt.voice.sip.message import (
    SipError,
    SipMessage,
    header_line,
    param,
    parse,
    response,
    salvage_response,
)
from kontakt.voice.sip.screen import ALLOW, screen
from kontakt.voice.sip.transport import Peer, SipTransport

log = logging.getLogger("kontakt.voice.sip")


@dataclass
class Call:
    call_id: str
    local_tag: str
    invite: SipMessage
    source: Peer
    offer: AudioOffer
    rtp: RtpSession
    state: str = "ringing"  # ringing | confirmed | ended
    digits: list[str] = field(default_factory=list)
    digit_event: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    on_hold: bool = False
    ack: asyncio.Event = field(default_factory=asyncio.Event)
    dialog: Dialog | None = None
    # The INVITE transaction's latest response, sent again if the INVITE is retransmitted.
    last_response: SipMessage | None = None
    # The transferee's NOTIFY reports (sipfrag status codes) while a REFER is under way.
    transfer_reports: asyncio.Queue[int] = field(default_factory=asyncio.Queue)

    def add_digit(self, digit: str) -> None:
        self.digits.append(digit)
        self.digit_event.set()


OnCall = Callable[[Call], Awaitable[None]]


class SipEndpoint:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5060,
        *,
        max_calls: int = 20,
        ring_s: float = 0.3,
        on_call: OnCall | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.max_calls = max_calls
        self.ring_s = ring_s
        self.on_call = on_call
        self.calls: dict[str, Call] = {}
        self.transport = SipTransport(host, port, self._received)
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen on UDP and TCP, on one port (a free one for port 0)."""
        await self.transport.start()
        self.port = self.transport.port

    async def stop(self) -> None:
        for call in list(self.calls.values()):
            self._end(call)
        for task in list(self._tasks):
            task.cancel()
        self.transport.close()

    def _send(self, msg: SipMessage, peer: Peer) -> None:
        self.transport.send(msg, peer)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def contact(self, transport: str) -> str:
        suffix = ";transport=tcp" if transport == "tcp" else ""
        return f"sip:bot@{self.host}:{self.port}{suffix}"

    def _received(self, data: bytes, peer: Peer) -> None:
        try:
            msg = parse(data)
        except SipError as exc:
            log.info("unreadable SIP message from %s: %s", peer.addr, exc)
            reply = salvage_response(data, exc.status, str(exc))
            if reply is not None:
                self._send(reply, peer)
            return
        if not msg.is_request:
            call = self.calls.get(msg.call_id)
            if call is not None and call.dialog is not None:
                call.dialog.resolve(msg)
            return
        error = screen(msg)
        if error is not None:
            self._send(error, peer)
            return
        handler = {
            "INVITE": self._invite, "ACK": self._ack, "BYE": self._bye, "CANCEL": self._cancel,
            "OPTIONS": self._options, "INFO": self._info, "NOTIFY": self._notify,
        }[msg.method]  # fmt: skip
        try:
            handler(msg, peer)
        except SipError as exc:
            self._send(response(msg, exc.status, reason=str(exc)[:100]), peer)

    def _in_dialog(self, msg: SipMessage, peer: Peer) -> Call | None:
        """The call a mid-dialog request belongs to (Call-ID and our tag), else 481."""
        call = self.calls.get(msg.call_id)
        if call is None or param(msg.get("To"), "tag") != call.local_tag:
            self._send(response(msg, 481), peer)
            return None
        return call

    def _options(self, msg: SipMessage, peer: Peer) -> None:
        reply = response(msg, 200)
        reply.add("Allow", ALLOW)
        reply.add("Accept", "application/sdp")
        self._send(reply, peer)

    def _invite(self, msg: SipMessage, peer: Peer) -> None:
        if param(msg.get("To"), "tag"):
            call = self._in_dialog(msg, peer)
            if call is not None:
                self._reinvite(call, msg, peer)
            return
        existing = self.calls.get(msg.call_id)
        if existing is not None:
            branch = param((msg.get_all("Via") or [""])[0], "branch")
            first = param((existing.invite.get_all("Via") or [""])[0], "branch")
            if branch != first:  # same call, another transaction: a forked copy (§8.2.2.2)
                self._send(response(msg, 482), peer)
            elif existing.last_response is not None:  # a retransmission: say it again
                self._send(existing.last_response, peer)
            return
        if len(self.calls) >= self.max_calls:
            busy = response(msg, 486)
            busy.add("Retry-After", "30")
            self._send(busy, peer)
            return
        try:
            offer = parse_offer(msg.body)
            pt, _ = offer.codec_pt()
        except SdpError as exc:
            self._send(response(msg, 488, reason=str(exc)[:100]), peer)
            return
        codec = codec_for(pt)
        assert codec is not None
        self._send(response(msg, 100), peer)
        call = Call(msg.call_id, secrets.token_hex(6), msg, peer, offer,
                    RtpSession(codec, offer.dtmf_pt()))  # fmt: skip
        call.rtp.on_digit = call.add_digit
        call.rtp.remote = (offer.address, offer.port)
        call.dialog = Dialog.from_invite(msg, call.local_tag, peer, self.contact(peer.transport))
        self.calls[msg.call_id] = call
        call.last_response = response(msg, 180, to_tag=call.local_tag)
        self._send(call.last_response, peer)
        self._spawn(self._answer(call))

    async def _answer(self, call: Call) -> None:
        await asyncio.sleep(self.ring_s)
        if call.state != "ringing":
            return  # cancelled while ringing
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: call.rtp, local_addr=(self.host, 0))
        ok = call.last_response = self._ok(call, call.invite, version=1)
        for attempt in range(7):
            self._send(ok, call.source)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(call.ack.wait(), min(T1 * 2**attempt, 4.0))
                break
            if call.state == "ended":
                return
        else:
            log.info("no ACK for call %s; hanging up", call.call_id)
            self._end(call)
            return
        call.state = "confirmed"
        if self.on_call is not None:
            self._spawn(self._run(call))

    async def _run(self, call: Call) -> None:
        assert self.on_call is not None
        try:
            await self.on_call(call)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s failed", call.call_id)
        if call.state == "confirmed":  # a flow that ended (or broke) must not hold the line
            await self.hangup(call)

    def _ok(self, call: Call, request: SipMessage, *, version: int) -> SipMessage:
        ok = response(request, 200, to_tag=call.local_tag)
        ok.add("Contact", f"<{self.contact(call.source.transport)}>")
        ok.add("Allow", ALLOW)
        ok.add("Content-Type", "application/sdp")
        session_id = abs(hash(call.call_id)) % 10**9
        ok.body = build_answer(
            call.offer, address=self.host, port=call.rtp.port, session_id=session_id,
            version=version,
        )  # fmt: skip
        return ok

    def _reinvite(self, call: Call, msg: SipMessage, peer: Peer) -> None:
        try:
            offer = parse_offer(msg.body)
            offer.codec_pt()
        except SdpError as exc:
            self._send(response(msg, 488, reason=str(exc)[:100]), peer)
            return
        if call.rtp.transport is None:  # still ringing: no media of ours to describe yet
            self._send(response(msg, 491), peer)
            return
        call.offer = offer
        call.on_hold = offer.on_hold
        call.rtp.muted = offer.on_hold
        if not offer.on_hold:
            call.rtp.remote = (offer.address, offer.port)
        self._send(self._ok(call, msg, version=msg.cseq[0] + 1), peer)

    def _ack(self, msg: SipMessage, peer: Peer) -> None:
        call = self.calls.get(msg.call_id)
        if call is not None:
            call.ack.set()

    def _bye(self, msg: SipMessage, peer: Peer) -> None:
        call = self._in_dialog(msg, peer)
        if call is not None:
            self._send(response(msg, 200, to_tag=call.local_tag), peer)
            self._end(call)

    def _cancel(self, msg: SipMessage, peer: Peer) -> None:
        call = self.calls.get(msg.call_id)
        if call is None or call.state != "ringing":
            self._send(response(msg, 481), peer)
            return
        self._send(response(msg, 200, to_tag=call.local_tag), peer)
        self._send(response(call.invite, 487, to_tag=call.local_tag), call.source)
        self._end(call)

    def _info(self, msg: SipMessage, peer: Peer) -> None:
        call = self._in_dialog(msg, peer)
        if call is None:
            return
        digit = parse_sip_info(msg.body.decode(errors="replace"), msg.get("Content-Type"))
        if digit:
            call.add_digit(digit)
        self._send(response(msg, 200, to_tag=call.local_tag), peer)

    def _notify(self, msg: SipMessage, peer: Peer) -> None:
        call = self._in_dialog(msg, peer)
        if call is None:
            return
        self._send(response(msg, 200, to_tag=call.local_tag), peer)
        frag = msg.body.decode(errors="replace").strip().split("\r\n")[0].split()
        if msg.get("Event").startswith("refer") and len(frag) >= 2 and frag[1].isdigit():
            call.transfer_reports.put_nowait(int(frag[1]))

    async def hangup(self, call: Call, extra_headers: Mapping[str, str] | None = None) -> bool:
        """End the call from our side (BYE); True when the caller confirmed.
        ``extra_headers`` ride on the BYE, e.g. what the call achieved (X-Kontakt-Outcome)."""
        if call.dialog is None or call.state == "ended":
            return False
        bye, branch = call.dialog.request("BYE", self._sent_by())
        for name, value in (extra_headers or {}).items():
            bye.add(*header_line(name, value))
        reply = await send_and_wait(call.dialog, bye, branch, self._send)
        self._end(call)
        return reply is not None and reply.status < 300

    async def transfer(
        self,
        call: Call,
        target: str,
        *,
        wait_s: float = 30.0,
        extra_headers: Mapping[str, str] | None = None,
    ) -> bool:
        """Blind transfer (REFER, RFC 3515): True once the transferee reports 2xx, after which
        the bot leaves the call; False leaves the caller with the bot (for another try).
        ``extra_headers`` ride on the REFER, e.g. the queue and topic for the agent's side."""
        if call.dialog is None or call.state != "confirmed":
            return False
        refer, branch = call.dialog.request("REFER", self._sent_by())
        refer.add("Refer-To", f"<{target}>")
        refer.add("Referred-By", f"<{self.contact('udp')}>")
        for name, value in (extra_headers or {}).items():
            refer.add(*header_line(name, value))
        reply = await send_and_wait(call.dialog, refer, branch, self._send)
        if reply is None or reply.status >= 300:
            return False
        try:
            async with asyncio.timeout(wait_s):
                while True:
                    status = await call.transfer_reports.get()
                    if status >= 300:
                        return False
                    if status >= 200:
                        break
        except TimeoutError:
            return False
        await self.hangup(call)
        return True

    def _sent_by(self) -> str:
        return f"{self.host}:{self.port}"

    def _end(self, call: Call) -> None:
        call.state = "ended"
        call.rtp.close()
        call.ended.set()
        self.calls.pop(call.call_id, None)
