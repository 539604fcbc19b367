"""ITU-T G.711 µ-law (PCMU, RTP payload type 0) and A-law (PCMA, 8), vectorised with numpy.

PCM is int16 at 8 kHz; each encoded byte is one sample. The encoders are the segment
(chord) search of the ITU/Sun reference implementation that sox, CPython's former
`audioop` and most telephony stacks share, so our bytes are bit-exact with theirs:
µ-law keeps the top 14 bits (`x >> 2`) and A-law the top 13 (`x >> 3`), both by an
arithmetic shift, which rounds negative samples towards minus infinity. The decoders are
256-entry tables built on first use. `audioop` is not used: it is gone in Python 3.13.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

Pcm = NDArray[np.int16]

# Clip for 14-bit magnitudes. The reference clips at 8159 and lets 8159 + 33 = 8192
# overflow into a ninth segment that it maps to the top code; clipping at 8158 (8191
# biased) lands on the same top code without the special case.
_ULAW_CLIP = 8158
_ULAW_BIAS14 = 33  # 0x84 >> 2: shifts every segment to start at a power of two
_ULAW_BIAS16 = 0x84
# Biased magnitudes in [2**(5+i), 2**(6+i)) are µ-law segment i; searchsorted("right") counts
# how many segment starts the value has passed, which is the segment number.
_ULAW_SEGMENT_STARTS = np.array([64, 128, 256, 512, 1024, 2048, 4096], dtype=np.int32)
_ALAW_SEGMENT_STARTS = np.array([32, 64, 128, 256, 512, 1024, 2048], dtype=np.int32)
# G.711 sends A-law with the even bits inverted, so that quiet lines still carry
# transitions: the two smallest levels, +8 and -8, are 0xD5 and 0x55.
_ALAW_POSITIVE = 0xD5
_ALAW_NEGATIVE = 0x55


def to_pcm16(pcm: NDArray[np.integer[Any]]) -> Pcm:
    """Flatten to int16 after checking the samples really are int16 values.

    Floats are refused rather than truncated: float audio in [-1, 1] would silently
    encode as near-silence, a bug that only shows up as a mute call.
    """
    array = np.asarray(pcm)
    if array.dtype.kind not in "iu":
        raise ValueError(f"G.711 encodes int16 PCM, got dtype {array.dtype}")
    flat = array.reshape(-1)
    if flat.size and (int(flat.min()) < -32768 or int(flat.max()) > 32767):
        raise ValueError("G.711 encodes int16 PCM, got samples outside -32768..32767")
    return flat.astype(np.int16)


def _as_codes(data: bytes | bytearray | memoryview) -> NDArray[np.uint8]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"G.711 decodes bytes, got {type(data).__name__}")
    return np.frombuffer(bytes(data), dtype=np.uint8)


def ulaw_encode(pcm: NDArray[np.integer[Any]]) -> bytes:
    """int16 PCM -> µ-law bytes (one per sample)."""
    x = to_pcm16(pcm).astype(np.int32) >> 2
    mask = np.where(x < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(x), _ULAW_CLIP) + _ULAW_BIAS14  # 33 ..= 8191
    segment: NDArray[np.intp] = np.searchsorted(_ULAW_SEGMENT_STARTS, magnitude, side="right")
    mantissa = (magnitude >> (segment + 1)) & 0x0F
    codes: NDArray[np.uint8] = (((segment << 4) | mantissa) ^ mask).astype(np.uint8)
    return codes.tobytes()


def alaw_encode(pcm: NDArray[np.integer[Any]]) -> bytes:
    """int16 PCM -> A-law bytes (one per sample)."""
    x = to_pcm16(pcm).astype(np.int32) >> 3
    negative = x < 0
    mask = np.where(negative, _ALAW_NEGATIVE, _ALAW_POSITIVE)
    # One's complement for negatives (-1 -> 0, -4096 -> 4095): x and -x-1 share a code
    # but for the sign, so the decision levels are symmetric, and -4096 still fits.
    magnitude = np.where(negative, -x - 1, x)  # 0 ..= 4095
    segment: NDArray[np.intp] = np.searchsorted(_ALAW_SEGMENT_STARTS, magnitude, side="right")
    mantissa = (magnitude >> np.maximum(segment, 1)) & 0x0F
    codes: NDArray[np.uint8] = (((segment << 4) | mantissa) ^ mask).astype(np.uint8)
    return codes.tobytes()


@cache
def _ulaw_table() -> Pcm:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + _ULAW_BIAS16) << ((u & 0x70) >> 4)
    table = np.where(u & 0x80, _ULAW_BIAS16 - t, t - _ULAW_BIAS16).astype(np.int16)
    table.flags.writeable = False  # shared by every call: nobody may scribble on it
    return table


@cache
def _alaw_table() -> Pcm:
    a = np.arange(256, dtype=np.int32) ^ _ALAW_NEGATIVE
    segment = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = np.where(segment == 0, t + 8, (t + 0x108) << np.maximum(segment - 1, 0))
    table = np.where(a & 0x80, t, -t).astype(np.int16)
    table.flags.writeable = False
    return table


def ulaw_decode(data: bytes | bytearray | memoryview) -> Pcm:
    """µ-law bytes -> a new int16 PCM array."""
    return _ulaw_table()[_as_codes(data)]


def alaw_decode(data: bytes | bytearray | memoryview) -> Pcm:
    """A-law bytes -> a new int16 PCM array."""
    return _alaw_table()[_as_codes(data)]


@dataclass(frozen=True, slots=True)
class Codec:
    """A G.711 variant as negotiated in SDP: static payload type, rtpmap name, functions."""

    payload_type: int
    name: str
    encode: Callable[[NDArray[np.integer[Any]]], bytes]
    decode: Callable[[bytes | bytearray | memoryview], Pcm]
    clock_rate: int = 8000

    def silence(self, samples: int) -> bytes:
        """Encoded digital silence; b"\\0" * n would be a loud negative rail in µ-law."""
        return self.encode(np.zeros(samples, dtype=np.int16))


PCMU = Codec(0, "PCMU", ulaw_encode, ulaw_decode)
PCMA = Codec(8, "PCMA", alaw_encode, alaw_decode)
CODECS: tuple[Codec, ...] = (PCMU, PCMA)


def codec_for(payload_type: int) -> Codec | None:
    """The G.711 codec with this static payload type, or None (e.g. telephone-event)."""
    return next((codec for codec in CODECS if codec.payload_type == payload_type), None)
