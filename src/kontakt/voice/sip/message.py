"""SIP messages (RFC 3261): parse what peers send, build what we answer.

Headers keep their order and repeated values (Via, Record-Route); names are matched without
case and compact forms ("v", "f", "t", "i", "m", "l", "c", "k") are expanded, because real
peers and proxies such as Kamailio use them. Anything malformed raises SipError with one line
and the status to answer (400, or 505 for another SIP version), so the endpoint answers
instead of crashing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

MAX_MESSAGE = 65_535
COMPACT = {
    "v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
    "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding",
    "r": "Refer-To", "b": "Referred-By", "o": "Event", "u": "Allow-Events",
}  # fmt: skip
CANONICAL = {
    name.lower(): name
    for name in (
        "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type",
        "Max-Forwards", "Record-Route", "Route", "Allow", "Supported", "User-Agent", "Server",
        "Event", "Subscription-State", "Refer-To", "Referred-By", "Require", "Accept",
        "Allow-Events", "Expires", "Reason", "Warning", "Retry-After", "Unsupported",
    )
}  # fmt: skip
REASONS = {
    100: "Trying", 180: "Ringing", 183: "Session Progress", 200: "OK", 202: "Accepted",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 408: "Request Timeout", 413: "Request Entity Too Large",
    415: "Unsupported Media Type", 416: "Unsupported URI Scheme", 420: "Bad Extension",
    481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 486: "Busy Here",
    487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
    500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
    505: "Version Not Supported", 513: "Message Too Large",
}  # fmt: skip
# RFC 3261 §25.1: a method is a token, so "invite" or "X-FOO" is an unknown method (501),
# not a malformed line (400).
_TOKEN = r"[A-Za-z0-9.!%*_+`'~-]+"  # noqa: S105 - a regex, not a secret
_REQUEST_LINE = re.compile(rf"^({_TOKEN}) (\S+) SIP/(\d+\.\d+)$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
# Headers that must appear once: two Call-IDs or CSeqs leave no way to tell which is meant.
_SINGLE = ("From", "To", "Call-ID", "CSeq", "Content-Length", "Content-Type", "Max-Forwards")


class SipError(ValueError):
    """A message we cannot read; ``str()`` is one line, ``status`` what to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def canonical(name: str) -> str:
    key = name.strip()
    key = COMPACT.get(key.lower(), key) if len(key) == 1 else key
    return CANONICAL.get(key.lower(), key)


@dataclass
class SipMessage:
    method: str = ""  # requests
    uri: str = ""
    status: int = 0  # responses
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str, default: str = "") -> str:
        want = canonical(name).lower()
        for key, value in self.headers:
            if key.lower() == want:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value, also from comma-separated lists (Via: a, b is two Vias)."""
        want = canonical(name).lower()
        out: list[str] = []
        for key, value in self.headers:
            if key.lower() == want:
                out.extend(split_list(value))
        return out

    def set(self, name: str, value: str) -> None:
        want = canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k.lower() != want.lower()]
        self.headers.append((want, value))

    def add(self, name: str, value: str) -> None:
        self.headers.append((canonical(name), value))

    @property
    def call_id(self) -> str:
        return self.get("Call-ID")

    @property
    def cseq(self) -> tuple[int, str]:
        raw = self.get("CSeq").split()
        if len(raw) != 2 or not raw[0].isdigit():
            raise SipError(f"bad CSeq {self.get('CSeq')!r}")
        return int(raw[0]), raw[1].upper()

    def to_bytes(self) -> bytes:
        first = (
            f"{self.method} {self.uri} SIP/2.0"
            if self.is_request
            else f"SIP/2.0 {self.status} {self.reason or REASONS.get(self.status, '')}".rstrip()
        )
        lines = [first]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


def header_line(name: str, value: str) -> tuple[str, str]:
    """A header to add from outside data: the name must be a token, and line breaks in
    the value become spaces (a value must never smuggle in a header of its own)."""
    if not re.fullmatch(_TOKEN, name):
        raise ValueError(f"not a SIP header name: {name!r}")
    return name, " ".join(value.split())


def split_list(value: str) -> list[str]:
    """Split a header list on commas that are not inside <...> or quotes."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        elif not quoted and depth == 0 and ch == ",":
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


def parse(data: bytes) -> SipMessage:
    if len(data) > MAX_MESSAGE:
        raise SipError("message too large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")  # tolerate bare LF from sloppy peers
        if not sep:
            raise SipError("no blank line after the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SipError("headers are not UTF-8") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    msg = SipMessage()
    first = lines[0].strip()
    version = ""
    if m := _REQUEST_LINE.match(first):
        msg.method, msg.uri, version = m.group(1), m.group(2), m.group(3)
    elif m := _STATUS_LINE.match(first):
        msg.status, msg.reason = int(m.group(1)), m.group(2)
    else:
        raise SipError(f"not a SIP request or status line: {first[:80]!r}")
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and msg.headers:  # folded continuation line
            name, value = msg.headers[-1]
            msg.headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise SipError(f"bad header line {line[:80]!r}")
        msg.headers.append((canonical(name), value.strip()))
    for required in ("Via", "From", "To", "Call-ID", "CSeq"):
        if msg.is_request and not msg.get(required):
            raise SipError(f"missing {required} header")
    for single in _SINGLE:
        if sum(1 for key, _ in msg.headers if key == single) > 1:
            raise SipError(f"more than one {single} header")
    if version != "2.0" and msg.is_request:
        raise SipError(f"SIP/{version} is not supported", 505)
    length = msg.get("Content-Length", default="-")
    if length != "-":
        if not length.isdigit():
            raise SipError(f"bad Content-Length {length!r}")
        if int(length) > len(body):
            raise SipError("body shorter than Content-Length")
        body = body[: int(length)]
    msg.body = body
    if msg.is_request and msg.cseq[1] != msg.method.upper():
        raise SipError(f"CSeq method {msg.cseq[1]} does not match {msg.method}")
    return msg


def param(value: str, name: str) -> str | None:
    """A ;name=value parameter of a header value (outside <...>), e.g. tag or branch."""
    tail = value.rsplit(">", 1)[-1] if "<" in value else value
    for piece in tail.split(";")[1:]:
        key, _, val = piece.partition("=")
        if key.strip().lower() == name.lower():
            return val.strip()
    return None


def salvage_response(data: bytes, status: int, reason: str) -> SipMessage | None:
    """A response to a message that did not parse (or is too large), when enough of it is
    readable to address one: its Via, Call-ID and CSeq lines, each taken only if it is
    UTF-8 on its own (one bad byte elsewhere must not cost the caller the answer)."""
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    first, *lines = head.replace(b"\r\n", b"\n").split(b"\n")
    if first.startswith(b"SIP/") or first.startswith(b"ACK "):
        return None  # never answer a response, nor an ACK (RFC 3261 §17.2.1)
    fake = SipMessage(method="X", uri="x")
    for raw in lines:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        name, colon, value = line.partition(":")
        if colon and name.strip() and " " not in name.strip():
            fake.headers.append((canonical(name), value.strip()))
    vias = fake.get_all("Via")
    if not vias or not fake.get("Call-ID") or len(fake.get("CSeq").split()) != 2:
        return None
    fake.headers = [(k, v) for k, v in fake.headers if k != "Record-Route"]
    return response(fake, status, reason=reason[:100])


def response(request: SipMessage, status: int, *, to_tag: str = "", reason: str = "") -> SipMessage:
    """A response to ``request``: its Vias, From, Call-ID and CSeq, To with our tag, and its
    Record-Route set (a proxy on the path, such as Kamailio, must stay in the dialog)."""
    out = SipMessage(status=status, reason=reason or REASONS.get(status, ""))
    for via in request.get_all("Via"):
        out.add("Via", via)
    out.add("From", request.get("From"))
    to = request.get("To")
    if status > 100 and param(to, "tag") is None:
        # RFC 3261 §8.2.6.2: every response but 100 carries a To tag, errors included.
        to = f"{to};tag={to_tag or secrets.token_hex(4)}"
    out.add("To", to)
    out.add("Call-ID", request.call_id)
    out.add("CSeq", request.get("CSeq"))
    if 100 < status < 300:
        for route in request.get_all("Record-Route"):
            out.add("Record-Route", route)
    return out
