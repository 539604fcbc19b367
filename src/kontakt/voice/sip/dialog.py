"""Requests the bot sends inside a call's dialog: BYE to hang up, REFER to transfer.

The request goes to the caller's Contact through the route set the INVITE's Record-Route
built (so a proxy like Kamailio stays on the path), with our tag in From and a CSeq of our
own. Responses are matched to their request by the Via branch.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from kontakt.voice.sip.message import SipMessage, param

_HOSTPORT = re.compile(r"sips?:(?:[^@;>]+@)?([^:;>]+)(?::(\d+))?")


@dataclass
class Dialog:
    call_id: str
    local_tag: str
    local_uri: str  # the To URI of the INVITE (us)
    remote: str  # the From header of the INVITE (the caller, with its tag)
    target: str  # the caller's Contact URI
    routes: list[str]  # Record-Route values, in the order received (a UAS keeps them as is)
    fallback: tuple[str, int]  # where the INVITE came from
    cseq: int = 100
    pending: dict[str, asyncio.Future[SipMessage]] = field(default_factory=dict)

    @classmethod
    def from_invite(cls, invite: SipMessage, local_tag: str, source: tuple[str, int]) -> Dialog:
        contact = invite.get("Contact")
        target = contact[contact.find("<") + 1 : contact.find(">")] if "<" in contact else contact
        to = invite.get("To")
        local_uri = to[to.find("<") + 1 : to.find(">")] if "<" in to else to.split(";")[0]
        return cls(
            call_id=invite.call_id,
            local_tag=local_tag,
            local_uri=local_uri,
            remote=invite.get("From"),
            target=target.strip() or invite.uri,
            routes=invite.get_all("Record-Route"),
            fallback=source,
        )

    def next_hop(self) -> tuple[str, int]:
        uri = self.routes[0] if self.routes else self.target
        match = _HOSTPORT.search(uri)
        if match is None:
            return self.fallback
        return match.group(1), int(match.group(2) or 5060)

    def request(self, method: str, via_host: str, via_port: int) -> tuple[SipMessage, str]:
        self.cseq += 1
        branch = "z9hG4bK" + secrets.token_hex(8)
        msg = SipMessage(method=method, uri=self.target)
        msg.add("Via", f"SIP/2.0/UDP {via_host}:{via_port};branch={branch};rport")
        for route in self.routes:
            msg.add("Route", route)
        msg.add("Max-Forwards", "70")
        msg.add("From", f"<{self.local_uri}>;tag={self.local_tag}")
        msg.add("To", self.remote)
        msg.add("Call-ID", self.call_id)
        msg.add("CSeq", f"{self.cseq} {method}")
        msg.add("Contact", f"<sip:bot@{via_host}:{via_port}>")
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
    send: Callable[[SipMessage, tuple[str, int]], None],
    *,
    timeout_s: float = 8.0,
) -> SipMessage | None:
    """Send (retransmitting over UDP until any final response) and return that response."""
    future: asyncio.Future[SipMessage] = asyncio.get_running_loop().create_future()
    dialog.pending[branch] = future
    hop = dialog.next_hop()
    delay = 0.5
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        while True:
            send(msg, hop)
            try:
                return await asyncio.wait_for(asyncio.shield(future), delay)
            except TimeoutError:
                if asyncio.get_running_loop().time() >= deadline:
                    return None
                delay = min(delay * 2, 4.0)
    finally:
        dialog.pending.pop(branch, None)
