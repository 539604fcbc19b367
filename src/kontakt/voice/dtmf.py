"""DTMF keys from RFC 4733 telephone-events in RTP, and from SIP INFO bodies.

A key press arrives as a burst of event packets that all carry the timestamp of the
press's start, with a growing duration; the last one has the end bit and senders repeat
it three times (RFC 4733 §2.5.1.4) because RTP is lossy. The detector reports each press
exactly once, when it ends.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass

from kontakt.voice.rtp import TIMESTAMP_MOD, RtpPacket

# RFC 4733 §3.2, events 0-15; 16 (flash) and above are not keys.
DIGITS = "0123456789*#ABCD"
MAX_DURATION = 0xFFFF


class DtmfError(ValueError):
    """A telephone-event payload that cannot be read; the message is one plain line."""


@dataclass(frozen=True, slots=True)
class TelephoneEvent:
    """One RFC 4733 event report. `volume` is in -dBm0 (0 loudest, 63 quietest) and
    `duration` in timestamp units (1/8000 s) since the event began."""

    event: int
    end: bool = False
    volume: int = 10
    duration: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.event < 256:
            raise DtmfError(f"event code {self.event} is not 8-bit")
        if not 0 <= self.volume < 64:
            raise DtmfError(f"volume {self.volume} is not 0..63")
        if not 0 <= self.duration <= MAX_DURATION:
            raise DtmfError(f"duration {self.duration} is not 16-bit")

    @property
    def digit(self) -> str | None:
        return DIGITS[self.event] if self.event < len(DIGITS) else None

    def to_bytes(self) -> bytes:
        # The R bit is reserved: zero on send, ignored on receive.
        return struct.pack("!BBH", self.event, self.end << 7 | self.volume, self.duration)


def parse_event(payload: bytes) -> TelephoneEvent:
    """Read the first (normally the only) 4-byte event report of a payload."""
    if len(payload) < 4:
        raise DtmfError(f"telephone-event payload too short: {len(payload)} bytes, need 4")
    event, flags, duration = struct.unpack_from("!BBH", payload)
    return TelephoneEvent(event, bool(flags & 0x80), flags & 0x3F, duration)


@dataclass(slots=True)
class _Press:
    ssrc: int
    timestamp: int
    event: int
    duration: int


class DtmfDetector:
    """Digits from the telephone-event packets of one call, each press exactly once.

    `payload_type` is the dynamic type negotiated in SDP (often 101, but not always).
    Other packets and unreadable payloads are ignored; a call must not fail on one bad
    datagram. A press is identified by (SSRC, timestamp); it is reported on its first end
    packet, and the repeated end packets, or stragglers reordered after them, are ignored.
    If all end packets are lost, the press is reported when the next one starts or at
    `flush()`. An event longer than 0xFFFF units is sent as segments with new timestamps
    (RFC 4733 §2.5.1.3); a segment following a saturated one of the same key continues
    the same press instead of counting as a new one.
    """

    def __init__(self, payload_type: int) -> None:
        self.payload_type = payload_type
        self._current: _Press | None = None
        # Recently finished presses; a handful covers any realistic reordering.
        self._done: deque[tuple[int, int]] = deque(maxlen=32)

    def feed(self, packet: RtpPacket) -> str:
        """Digits completed by this packet: usually "" or one digit."""
        if packet.payload_type != self.payload_type:
            return ""
        try:
            report = parse_event(packet.payload)
        except DtmfError:
            return ""
        if report.digit is None or (packet.ssrc, packet.timestamp) in self._done:
            return ""
        digits = ""
        current = self._current
        if current is not None and (current.ssrc, current.timestamp) != (
            packet.ssrc,
            packet.timestamp,
        ):
            if self._continues(current, packet, report):
                self._done.append((current.ssrc, current.timestamp))
                current.timestamp, current.duration = packet.timestamp, 0
            else:
                digits += self._finish(current)
                current = None
        if current is None:
            current = self._current = _Press(packet.ssrc, packet.timestamp, report.event, 0)
        current.duration = max(current.duration, report.duration)
        if report.end:
            digits += self._finish(current)
        return digits

    def flush(self) -> str:
        """The press still in progress, if any: call when RTP stops or the call ends."""
        return self._finish(self._current) if self._current is not None else ""

    @staticmethod
    def _continues(current: _Press, packet: RtpPacket, report: TelephoneEvent) -> bool:
        step = (packet.timestamp - current.timestamp) % TIMESTAMP_MOD
        return (
            packet.ssrc == current.ssrc
            and report.event == current.event
            and current.duration == MAX_DURATION
            and 0 < step <= MAX_DURATION + 1
        )

    def _finish(self, press: _Press) -> str:
        self._done.append((press.ssrc, press.timestamp))
        self._current = None
        return DIGITS[press.event]


def parse_sip_info(body: str, content_type: str) -> str | None:
    """The key in a SIP INFO body, or None if it carries none we understand.

    `application/dtmf-relay` has lines like `Signal=5` and `Duration=160`;
    `application/dtmf` is the bare key. Some gateways send the RFC 4733 code (10 for *,
    11 for #) instead of the character, so both are accepted.
    """
    media = content_type.partition(";")[0].strip().lower()
    if media == "application/dtmf-relay":
        for line in body.splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip().lower() == "signal":
                return _key(value)
        return None
    if media == "application/dtmf":
        return _key(body)
    return None


def _key(text: str) -> str | None:
    text = text.strip().upper()
    if len(text) == 1 and text in DIGITS:
        return text
    # isascii: str.isdigit also accepts other scripts' digits and superscripts.
    if text.isascii() and text.isdigit() and int(text) < len(DIGITS):
        return DIGITS[int(text)]
    return None
