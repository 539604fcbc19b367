"""RTP (RFC 3550) packets, an outgoing packetizer and a receive-side jitter buffer.

Only what a G.711 voicebot needs: no RTCP, no SRTP. Everything that comes off the network
goes through `parse`, which turns every malformed datagram into an `RtpError` (a
ValueError) with one plain line, so the receive loop can log it and carry on.
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.g711 import Codec, Pcm, codec_for, to_pcm16

VERSION = 2
HEADER_SIZE = 12
SEQUENCE_MOD = 1 << 16
TIMESTAMP_MOD = 1 << 32
# RFC 3551 reserves 72-76 so that RTCP (packet types 200-204) multiplexed on the RTP port
# (RFC 5761) can never be mistaken for RTP: M=1 plus 72..76 is exactly bytes 200..204.
_RTCP_CONFLICT = range(72, 77)


class RtpError(ValueError):
    """A datagram or packet that is not valid RTP; the message is one plain line."""


@dataclass(frozen=True, slots=True)
class RtpExtension:
    """The RFC 3550 §5.3.1 header extension: a profile-defined id and 32-bit words."""

    profile: int
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.profile < 1 << 16:
            raise RtpError(f"extension profile {self.profile} is not 16-bit")
        if len(self.data) % 4 or len(self.data) >= 4 << 16:
            raise RtpError(f"extension data of {len(self.data)} bytes is not 0-65535 words")


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet. `padding` counts the padding bytes including the count byte itself
    (0 = no padding); `payload` never includes them. The version is always 2."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes = b""
    marker: bool = False
    csrc: tuple[int, ...] = ()
    extension: RtpExtension | None = None
    padding: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.payload_type < 128 or self.payload_type in _RTCP_CONFLICT:
            raise RtpError(f"payload type {self.payload_type} is not usable for RTP")
        if not 0 <= self.sequence < SEQUENCE_MOD:
            raise RtpError(f"sequence number {self.sequence} is not 16-bit")
        for name, value in (("timestamp", self.timestamp), ("SSRC", self.ssrc)):
            if not 0 <= value < TIMESTAMP_MOD:
                raise RtpError(f"{name} {value} is not 32-bit")
        if len(self.csrc) > 15 or not all(0 <= c < TIMESTAMP_MOD for c in self.csrc):
            raise RtpError("the CSRC list holds at most 15 32-bit identifiers")
        if not 0 <= self.padding < 256:
            raise RtpError(f"padding of {self.padding} bytes does not fit the count byte")

    @property
    def version(self) -> int:
        return VERSION

    def to_bytes(self) -> bytes:
        first = VERSION << 6 | len(self.csrc)
        first |= 0x20 if self.padding else 0
        first |= 0x10 if self.extension is not None else 0
        second = (0x80 if self.marker else 0) | self.payload_type
        parts = [
            struct.pack("!BBHII", first, second, self.sequence, self.timestamp, self.ssrc),
            struct.pack(f"!{len(self.csrc)}I", *self.csrc),
        ]
        if self.extension is not None:
            ext = self.extension
            parts += [struct.pack("!HH", ext.profile, len(ext.data) // 4), ext.data]
        parts.append(self.payload)
        if self.padding:
            parts.append(bytes(self.padding - 1) + bytes([self.padding]))
        return b"".join(parts)


def parse(data: bytes | bytearray | memoryview) -> RtpPacket:
    """Decode one datagram. Raises RtpError for anything that is not well-formed RTP."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise RtpError(f"RTP packet must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) < HEADER_SIZE:
        raise RtpError(f"RTP packet too short: {len(data)} bytes, the fixed header is 12")
    first, second, sequence, timestamp, ssrc = struct.unpack_from("!BBHII", data)
    if first >> 6 != VERSION:
        raise RtpError(f"RTP version {first >> 6}, expected 2")
    if second & 0x7F in _RTCP_CONFLICT:
        raise RtpError(f"packet type {second} is RTCP, not RTP")
    count = first & 0x0F
    offset = HEADER_SIZE + 4 * count
    if len(data) < offset:
        raise RtpError(f"CSRC count {count} needs {offset} bytes, packet has {len(data)}")
    csrc = struct.unpack_from(f"!{count}I", data, HEADER_SIZE)
    extension = None
    if first & 0x10:
        if len(data) < offset + 4:
            raise RtpError("extension bit set but the extension header is missing")
        profile, words = struct.unpack_from("!HH", data, offset)
        end = offset + 4 + 4 * words
        if len(data) < end:
            raise RtpError(f"extension length of {words} words runs past the packet end")
        extension = RtpExtension(profile, data[offset + 4 : end])
        offset = end
    end, padding = len(data), 0
    if first & 0x20:
        padding = data[-1]
        if not 0 < padding <= end - offset:
            raise RtpError(f"padding count {padding} does not fit the {end - offset} body bytes")
        end -= padding
    payload, marker = data[offset:end], bool(second & 0x80)
    return RtpPacket(
        second & 0x7F, sequence, timestamp, ssrc, payload, marker, csrc, extension, padding
    )


class Packetizer:
    """Turns one outgoing PCM stream into G.711 RTP packets of `samples_per_packet` (20 ms).

    Sequence and timestamp start at random values unless given (RFC 3550 §5.1 asks for
    that, to make known-plaintext attacks on encryption harder) and wrap at 2**16 and
    2**32. The first packet, and the first after `start_talkspurt`, carries the marker.
    """

    def __init__(
        self,
        ssrc: int,
        payload_type: int,
        samples_per_packet: int = 160,
        *,
        sequence: int | None = None,
        timestamp: int | None = None,
    ) -> None:
        codec = codec_for(payload_type)
        if codec is None:
            raise ValueError(f"payload type {payload_type} is not PCMU (0) or PCMA (8)")
        if samples_per_packet <= 0:
            raise ValueError(f"samples_per_packet must be positive, got {samples_per_packet}")
        self.sequence = secrets.randbelow(SEQUENCE_MOD) if sequence is None else sequence
        self.timestamp = secrets.randbelow(TIMESTAMP_MOD) if timestamp is None else timestamp
        if not 0 <= ssrc < TIMESTAMP_MOD or not 0 <= self.timestamp < TIMESTAMP_MOD:
            raise ValueError("SSRC and timestamp must be 32-bit")
        if not 0 <= self.sequence < SEQUENCE_MOD:
            raise ValueError("sequence must be 16-bit")
        self.codec = codec
        self.ssrc = ssrc
        self.samples_per_packet = samples_per_packet
        self._marker = True
        self._pending: Pcm = np.zeros(0, dtype=np.int16)

    def start_talkspurt(self, silent_samples: int = 0) -> None:
        """Mark the next packet as a talkspurt start; `silent_samples` not sent still
        advance the timestamp, so the receiver keeps the pause (RFC 3551 §4.1)."""
        self.timestamp = (self.timestamp + silent_samples) % TIMESTAMP_MOD
        self._marker = True

    def feed(self, pcm: NDArray[np.integer[Any]]) -> list[RtpPacket]:
        """Whole packets from the samples so far; a remainder waits for more PCM."""
        self._pending = np.concatenate([self._pending, to_pcm16(pcm)])
        whole = len(self._pending) // self.samples_per_packet * self.samples_per_packet
        chunks, self._pending = self._pending[:whole], self._pending[whole:]
        return [self._packet(c) for c in chunks.reshape(-1, self.samples_per_packet)]

    def flush(self) -> list[RtpPacket]:
        """Send the remainder, padded with silence to a whole packet."""
        return self.feed(np.zeros(-len(self._pending) % self.samples_per_packet, np.int16))

    def _packet(self, samples: Pcm) -> RtpPacket:
        payload = self.codec.encode(samples)
        pt, marker = self.codec.payload_type, self._marker
        packet = RtpPacket(pt, self.sequence, self.timestamp, self.ssrc, payload, marker)
        self._marker = False
        self.sequence = (self.sequence + 1) % SEQUENCE_MOD
        self.timestamp = (self.timestamp + len(samples)) % TIMESTAMP_MOD
        return packet


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One decoded frame in sequence order; `lost` frames are concealed with silence."""

    sequence: int
    timestamp: int
    pcm: Pcm
    lost: bool = False


@dataclass(slots=True)
class JitterStats:
    accepted: int = 0
    duplicate: int = 0
    late: int = 0
    foreign: int = 0  # another payload type, e.g. telephone-event or comfort noise
    stray: int = 0  # far outside the window, and not (yet) confirmed as a jump
    concealed: int = 0
    discarded: int = 0  # held packets thrown away by a resynchronisation


@dataclass(slots=True)
class JitterBuffer:
    """Reorders one incoming G.711 stream and conceals loss.

    Policy, in sequence numbers (they define order and loss; timestamps do not):
    * Only `codec`'s payload type is taken. Others (telephone-event, comfort noise) share
      the sequence space, so their numbers become gaps, and in time silence.
    * A duplicate, or a packet older than the last frame popped, is dropped.
    * `pop()` returns the next frame if held. If it is missing, None until `wait_frames`
      later frames have arrived; then it is given up as a `lost` frame of zeros (and
      dropped as late if it still comes). Waiting counts arrivals, not wall time.
    * The first frame also waits for `wait_frames` later ones (the only delay an in-order
      stream sees); an older packet arriving meanwhile becomes the start.
    * 16-bit sequence numbers are unwrapped against the highest seen (RFC 3550 A.1).
    * A packet `capacity_packets` or more ahead of the next frame or behind the highest
      is a stray, dropped; the next number right after it confirms a jump (RFC 3550 A.1
      probation) or a reader stalled past the capacity. That, or a new SSRC, discards the
      backlog and restarts at the new packet: latency stays within the capacity, a jump
      is no long run of silence, and a sender jumping backwards is not "late" forever.
    * When RTP stops (SIPp stops at the end of its file) call `drain()`, or the frames
      behind a final gap wait for arrivals that never come.
    """

    codec: Codec
    capacity_packets: int = 50
    wait_frames: int = 3
    samples_per_frame: int = 160
    stats: JitterStats = field(default_factory=JitterStats)
    _slots: dict[int, RtpPacket] = field(default_factory=dict, init=False)
    _next: int = field(default=0, init=False)  # unwrapped sequence of the next frame
    _highest: int = field(default=0, init=False)
    _ssrc: int | None = field(default=None, init=False)
    _popped: bool = field(default=False, init=False)
    _last: tuple[int, int] = field(default=(0, 0), init=False)  # (unwrapped seq, timestamp)
    _stray: int | None = field(default=None, init=False)  # raw sequence of the last stray

    def __post_init__(self) -> None:
        if not 0 <= self.wait_frames < self.capacity_packets:
            raise ValueError("need 0 <= wait_frames < capacity_packets")

    def __len__(self) -> int:
        return len(self._slots)

    def push(self, packet: RtpPacket) -> bool:
        """Offer an arrived packet; True if it was kept for playout."""
        if packet.payload_type != self.codec.payload_type:
            self.stats.foreign += 1
            return False
        if packet.ssrc != self._ssrc:
            self._restart(packet.ssrc, packet.sequence)
        # The unwrapped number nearest to the highest seen: wrap-around in either direction.
        ext = self._highest + (packet.sequence - self._highest + 0x8000) % SEQUENCE_MOD - 0x8000
        window = self.capacity_packets
        if ext >= self._next + window or ext <= self._highest - window:
            if self._stray != (packet.sequence - 1) % SEQUENCE_MOD:
                self._stray = packet.sequence
                self.stats.stray += 1
                return False
            self._restart(packet.ssrc, packet.sequence)
            ext = packet.sequence
        if ext < self._next:
            if self._popped:
                self.stats.late += 1
                return False
            self._next = ext  # still before the first pop: an earlier start
        if ext in self._slots:
            self.stats.duplicate += 1
            return False
        self._slots[ext] = packet
        self._highest = max(self._highest, ext)
        self.stats.accepted += 1
        return True

    def pop(self) -> Frame | None:
        """The next frame in order, or None while it is still worth waiting for."""
        if not self._slots:
            return None
        behind = self._highest - self._next  # later frames that have arrived
        if not self._popped and behind < self.wait_frames:
            return None  # the start of the stream waits too, in case it was reordered
        if self._next not in self._slots and behind <= self.wait_frames:
            return None
        return self._take()

    def drain(self) -> list[Frame]:
        """Every frame still held, gaps concealed: the end of the stream."""
        frames = []
        while self._slots:
            frames.append(self._take())
        return frames

    def _take(self) -> Frame:
        ext = self._next
        self._next += 1
        self._popped = True
        packet = self._slots.pop(ext, None)
        if packet is not None:
            self._last = (ext, packet.timestamp)
            return Frame(packet.sequence, packet.timestamp, self.codec.decode(packet.payload))
        self.stats.concealed += 1
        last_ext, last_timestamp = self._last
        timestamp = (last_timestamp + (ext - last_ext) * self.samples_per_frame) % TIMESTAMP_MOD
        silence = np.zeros(self.samples_per_frame, dtype=np.int16)
        return Frame(ext % SEQUENCE_MOD, timestamp, silence, lost=True)

    def _restart(self, ssrc: int, start: int) -> None:
        self.stats.discarded += len(self._slots)
        self._slots.clear()
        self._ssrc = ssrc
        self._next = self._highest = start
        self._popped = False
