"""A call's dialog (RFC 3261 §12) and the requests sent inside it: BYE, REFER, NOTIFY, ACK.

Either side can build it: the bot (UAS) from the INVITE it answers, a caller (UAC) from the
2xx to its INVITE. A request goes to the peer's Contact through the route set that
Record-Route built (so a proxy like Kamailio stays on the path), with our tag in From and a
CSeq of our own. Over TCP it goes on the connection the dialog came on where that reaches
the next hop, since callers behind NAT or SIPp accept no connections; responses are matched
to their request by the Via branch.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from kontakt.voice.sip.message import SipMessage, param
from kontakt.voice.sip.transport import Peer

_HOSTPORT = re.compile(r"sips?:(?:[^@;>]+@)?([^:;>]+)(?::(\d+))?")
T1, T2 = 0.5, 4.0


def uri_of(value: str) -> str:
    """The URI of a name-addr ("Bot" <sip:bot@h>;tag=x) or of a bare addr-spec."""
    if "<" in value:
        return value[value.find("<") + 1 : value.find(">")].strip()
    return value.split(";")[0].strip()


def hop_of(uri: str, default: Peer) -> Peer:
    """Where a SIP URI (or route) points: host, port and transport (;transport=tcp)."""
    match = _HOSTPORT.search(uri)
    if match is None:
        return default
    transport = (param(uri if "<" not in uri else uri_of(uri), "transport") or "").lower()
    if transport not in ("udp", "tcp"):
        transport = default.transport
    return Peer(transport, (match.group(1), int(match.group(2) or 5060)))


@dataclass
class Dialog:
    call_id: str
    local_tag: str
    local_uri: str  # our URI in From of the requests we send
    remote: str  # the peer's name-addr with its tag (To of the requests we send)
    target: str  # the peer's Contact URI
    routes: list[str]  # the route set, first hop first
    origin: Peer  # where the dialog's INVITE (or its 2xx) came from
    contact: str = ""  # our Contact URI
    cseq: int = 100
    # Over TCP, send on the origin connection: true when it leads to our next hop.
    reuse_origin: bool = True
    pending: dict[str, asyncio.Future[SipMessage]] = field(default_factory=dict)

    @classmethod
    def from_invite(cls, invite: SipMessage, local_tag: str, origin: Peer, contact: str) -> Dialog:
        """The answering side: the route set is Record-Route as received."""
        routes = invite.get_all("Record-Route")
        # Without a proxy that record-routes, the origin is the caller only if no proxy
        # forwarded the INVITE (one Via); otherwise its Contact is reached directly.
        direct = len(invite.get_all("Via")) == 1
        return cls(
            call_id=invite.call_id,
            local_tag=local_tag,
            local_uri=uri_of(invite.get("To")),
            remote=invite.get("From"),
            target=uri_of(invite.get("Contact")) or invite.uri,
            routes=routes,
            origin=origin,
            contact=contact,
            reuse_origin=bool(routes) or direct,
        )

    @classmethod
    def from_answer(cls, invite: SipMessage, ok: SipMessage, origin: Peer) -> Dialog:
        """The calling side: the route set is the 2xx's Record-Route reversed."""
        return cls(
            call_id=invite.call_id,
            local_tag=param(invite.get("From"), "tag") or "",
            local_uri=uri_of(invite.get("From")),
            remote=ok.get("To"),
            target=uri_of(ok.get("Contact")) or invite.uri,
            routes=list(reversed(ok.get_all("Record-Route"))),
            origin=origin,
            contact=uri_of(invite.get("Contact")),
            cseq=invite.cseq[0],
        )

    def next_hop(self) -> Peer:
        if self.origin.transport == "tcp" and self.reuse_origin:
            return self.origin
        return hop_of(self.routes[0] if self.routes else self.target, self.origin)

    def request(
        self, method: str, sent_by: str, *, cseq: int | None = None
    ) -> tuple[SipMessage, str]:
        """A new in-dialog request; ``cseq`` is given only for the ACK of a 2xx, which
        repeats the INVITE's number."""
        if cseq is None:
            self.cseq += 1
        branch = "z9hG4bK" + secrets.token_hex(8)
        msg = SipMessage(method=method, uri=self.target)
        proto = self.next_hop().transport.upper()
        msg.add("Via", f"SIP/2.0/{proto} {sent_by};branch={branch};rport")
        for route in self.routes:
            msg.add("Route", route)
        msg.add("Max-Forwards", "70")
        msg.add("From", f"<{self.local_uri}>;tag={self.local_tag}")
        msg.add("To", self.remote)
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", f"{self.cseq if cseq is None else cseq} {method}")
        if self.contact:
            msg.add("Contact", f"<{self.contact}>")
        return msg, branch

    def resolve(self, reply: SipMessage) -> bool:
        """Hand a response to the request waiting for it; False when nothing waits."""
        vias = reply.get_all("Via")
        branch = param(vias[0], "branch") if vias else None
        future = self.pending.get(branch or "")
        if future is None or future.done():
            return False
        if reply.status >= 200:
            future.set_result(reply)
            self.pending.pop(branch or "", None)
        return True


async def send_and_wait(
    dialog: Dialog,
    msg: SipMessage,
    branch: str,
    send: Callable[[SipMessage, Peer], None],
    *,
    timeout_s: float = 8.0,
) -> SipMessage | None:
    """Send and return the final response, or None after ``timeout_s``. Over UDP the request
    is retransmitted (T1 doubling up to T2, RFC 3261 §17.1.2); a stream is reliable."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[SipMessage] = loop.create_future()
    dialog.pending[branch] = future
    hop = dialog.next_hop()
    delay = T1 if hop.transport == "udp" else timeout_s
    deadline = loop.time() + timeout_s
    try:
        while True:
            send(msg, hop)
            try:
                return await asyncio.wait_for(asyncio.shield(future), delay)
            except TimeoutError:
                if loop.time() >= deadline:
                    return None
                delay = min(delay * 2, T2, max(deadline - loop.time(), 0.01))
    finally:
        dialog.pending.pop(branch, None)
