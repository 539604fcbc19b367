"""SIP messages (RFC 3261): parse what peers send, build what we answer.

Headers keep their order and repeated values (Via, Record-Route); names are matched without
case and compact forms ("v", "f", "t", "i", "m", "l", "c", "k") are expanded, because real
peers and proxies such as Kamailio use them. Anything malformed raises SipError with one line,
so the endpoint answers 400 instead of crashing.
"""

from __future__ import annotations

import re
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
    406: "Not Acceptable", 415: "Unsupported Media Type", 481: "Call/Transaction Does Not Exist",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
    500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
}  # fmt: skip
_REQUEST_LINE = re.compile(r"^([A-Z]+) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")


class SipError(ValueError):
    """A message we cannot read; ``str()`` is one line."""


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
    if m := _REQUEST_LINE.match(first):
        msg.method, msg.uri = m.group(1), m.group(2)
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
    length = msg.get("Content-Length")
    if length:
        if not length.isdigit():
            raise SipError(f"bad Content-Length {length!r}")
        if int(length) > len(body):
            raise SipError("body shorter than Content-Length")
        body = body[: int(length)]
    msg.body = body
    if msg.is_request:
        msg.cseq  # noqa: B018 - validates the CSeq header
    return msg


def param(value: str, name: str) -> str | None:
    """A ;name=value parameter of a header value (outside <...>), e.g. tag or branch."""
    tail = value.rsplit(">", 1)[-1] if "<" in value else value
    for piece in tail.split(";")[1:]:
        key, _, val = piece.partition("=")
        if key.strip().lower() == name.lower():
            return val.strip()
    return None


def response(request: SipMessage, status: int, *, to_tag: str = "", reason: str = "") -> SipMessage:
    """A response to ``request``: its Vias, From, Call-ID and CSeq, To with our tag, and its
    Record-Route set (a proxy on the path, such as Kamailio, must stay in the dialog)."""
    out = SipMessage(status=status, reason=reason or REASONS.get(status, ""))
    for via in request.get_all("Via"):
        out.add("Via", via)
    out.add("From", request.get("From"))
    to = request.get("To")
    if to_tag and param(to, "tag") is None:
        to = f"{to};tag={to_tag}"
    out.add("To", to)
    out.add("Call-ID", request.call_id)
    out.add("CSeq", request.get("CSeq"))
    if 100 < status < 300:
        for route in request.get_all("Record-Route"):
            out.add("Record-Route", route)
    return out
