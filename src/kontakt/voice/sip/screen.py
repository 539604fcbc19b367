"""Checks every request passes before a method handler sees it (RFC 3261 §8.2.1–8.2.3).

A request that fails gets its error here, so the handlers only deal with well-formed
requests of methods we take: 501 for a method we do not implement, 416 for a URI scheme
other than sip/sips, 420 for an extension it requires that we lack, 415 for a body that
is not SDP where we read SDP.
"""

from __future__ import annotations

from kontakt.voice.sip.message import SipMessage, response

METHODS = ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "NOTIFY")
ALLOW = ", ".join(METHODS)
# Bodies we read: SDP in INVITE, DTMF in INFO, sipfrag in NOTIFY (others are ignored).
_SDP = "application/sdp"


def screen(msg: SipMessage) -> SipMessage | None:
    """The error response for ``msg``, or None when its handler may take it."""
    if msg.method not in METHODS:
        reply = response(msg, 501)
        reply.add("Allow", ALLOW)
        return reply
    if msg.method == "ACK":
        return None  # never answered; a broken ACK is dropped
    if not msg.uri.lower().startswith(("sip:", "sips:")):
        return response(msg, 416)
    required = [tag for value in msg.get_all("Require") for tag in value.split(",") if tag.strip()]
    if required and msg.method != "CANCEL":
        reply = response(msg, 420)
        reply.add("Unsupported", ", ".join(t.strip() for t in required))
        return reply
    if msg.method == "INVITE":
        ctype = msg.get("Content-Type").partition(";")[0].strip().lower()
        if msg.body and not ctype:
            return response(msg, 400, reason="Body without Content-Type")
        if msg.body and ctype != _SDP:
            reply = response(msg, 415)
            reply.add("Accept", _SDP)
            return reply
        if not msg.get("Contact"):
            return response(msg, 400, reason="INVITE without Contact")
    return None
