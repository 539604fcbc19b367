"""G.711 µ-law and A-law against the standard's tables and the reference implementation."""

from __future__ import annotations

import numpy as np
import pytest

from kontakt.voice.g711 import (
    PCMA,
    PCMU,
    Codec,
    alaw_decode,
    alaw_encode,
    codec_for,
    to_pcm16,
    ulaw_decode,
    ulaw_encode,
)

ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = bytes(range(256))

# (pcm, µ-law, A-law): the G.711 special points, plus values cross-checked against the
# Sun/ITU reference as shipped in CPython 3.11's audioop (bit-exact with sox).
KNOWN_ENCODINGS = [
    (0, 0xFF, 0xD5),
    (1, 0xFF, 0xD5),
    (-1, 0x7E, 0x55),
    (8, 0xFE, 0xD5),
    (-8, 0x7E, 0x55),
    (100, 0xF2, 0xD3),
    (-100, 0x72, 0x53),
    (1000, 0xCE, 0xFA),
    (-1000, 0x4E, 0x7A),
    (4000, 0xAF, 0x9A),
    (12345, 0x97, 0xBD),
    (-12345, 0x17, 0x3D),
    (32124, 0x80, 0xAA),
    (32767, 0x80, 0xAA),
    (-32768, 0x00, 0x2A),
]

# (code, decoded int16). G.711 Table 2a gives µ-law outputs in 14-bit units (x4 here):
# chord 1 is 0, 2, ..., 30, chord 2 starts at 33, the top is 8031. Table 1a gives A-law
# outputs in 13-bit half-units (x8 here): chord 1 is 1, 3, ..., 31, the top 4032.
KNOWN_ULAW_DECODINGS = [
    (0xFF, 0),
    (0x7F, 0),
    (0xFE, 2 * 4),
    (0xF0, 30 * 4),
    (0xEF, 33 * 4),
    (0xDF, 99 * 4),
    (0x80, 8031 * 4),
    (0x00, -8031 * 4),
    (0x01, -7775 * 4),
]
KNOWN_ALAW_DECODINGS = [
    (0xD5, 1 * 8),
    (0x55, -1 * 8),
    (0xD4, 3 * 8),
    (0xDA, 31 * 8),
    (0xC5, 33 * 8),
    (0xF5, 66 * 8),
    (0xAA, 4032 * 8),
    (0x2A, -4032 * 8),
]


@pytest.mark.parametrize(("pcm", "ulaw", "alaw"), KNOWN_ENCODINGS)
def test_known_encodings(pcm: int, ulaw: int, alaw: int) -> None:
    samples = np.array([pcm], dtype=np.int16)
    assert (ulaw_encode(samples), alaw_encode(samples)) == (bytes([ulaw]), bytes([alaw]))


@pytest.mark.parametrize(("code", "pcm"), KNOWN_ULAW_DECODINGS)
def test_known_ulaw_decodings(code: int, pcm: int) -> None:
    assert ulaw_decode(bytes([code])).tolist() == [pcm]


@pytest.mark.parametrize(("code", "pcm"), KNOWN_ALAW_DECODINGS)
def test_known_alaw_decodings(code: int, pcm: int) -> None:
    assert alaw_decode(bytes([code])).tolist() == [pcm]


def test_decode_tables_are_odd_symmetric() -> None:
    # µ-law flips the sign with bit 7 alone; so does A-law, whose other bits are XOR 0x55.
    ulaw = ulaw_decode(ALL_CODES).astype(int)
    alaw = alaw_decode(ALL_CODES).astype(int)
    assert np.array_equal(ulaw[:128], -ulaw[128:])
    assert np.array_equal(alaw[:128], -alaw[128:])


def test_decode_levels_are_distinct_and_ordered() -> None:
    # 255 µ-law levels (+0 and -0 share 0), 256 A-law levels (no zero level at all).
    assert len(set(ulaw_decode(ALL_CODES).tolist())) == 255
    assert len(set(alaw_decode(ALL_CODES).tolist())) == 256
    # Within one sign, a higher code is a smaller µ-law magnitude (the code is inverted).
    assert np.all(np.diff(ulaw_decode(bytes(range(128, 256))).astype(int)) < 0)


def _step(codes: bytes, *, ulaw: bool) -> np.ndarray:
    """Quantisation step (int16 units) of the segment each code belongs to."""
    raw = np.frombuffer(codes, dtype=np.uint8).astype(np.int64) ^ (0xFF if ulaw else 0xD5)
    segment = (raw >> 4) & 7
    if ulaw:
        return 1 << (segment + 3)
    return np.where(segment < 2, 16, 1 << (segment + 3))


@pytest.mark.parametrize(
    ("codec", "slack"),
    [
        # µ-law drops 2 bits by an arithmetic shift before quantising: up to 3 more.
        (PCMU, 3),
        # A-law's one's-complement negatives make its truncation land exactly on midpoints.
        (PCMA, 0),
    ],
    ids=["ulaw", "alaw"],
)
def test_round_trip_error_within_half_a_step_for_every_int16(codec: Codec, slack: int) -> None:
    codes = codec.encode(ALL_PCM)
    back = codec.decode(codes).astype(np.int64)
    x = ALL_PCM.astype(np.int64)
    top = int(codec.decode(ALL_CODES).max())
    inside = np.abs(x) <= top
    error = np.abs(back - x)
    step = _step(codes, ulaw=codec is PCMU)
    assert np.all(error[inside] <= step[inside] // 2 + slack)
    # Beyond the top level the codec saturates, it never wraps around.
    assert np.all(back[~inside] == np.sign(x[~inside]) * top)
    # Quantisation is monotonic: a louder input never decodes quieter.
    assert np.all(np.diff(back) >= 0)


@pytest.mark.parametrize("codec", [PCMU, PCMA], ids=["ulaw", "alaw"])
def test_decoded_values_survive_reencoding(codec: Codec) -> None:
    levels = codec.decode(ALL_CODES)
    assert np.array_equal(codec.decode(codec.encode(levels)), levels)


def test_reencoding_is_bit_exact_except_negative_zero() -> None:
    # µ-law 0x7F (-0) decodes to 0, which encodes as +0 (0xFF); everything else is exact.
    assert ulaw_encode(ulaw_decode(ALL_CODES)) == ALL_CODES.replace(b"\x7f", b"\xff")
    assert alaw_encode(alaw_decode(ALL_CODES)) == ALL_CODES


def test_encoding_is_one_byte_per_sample_and_accepts_any_integer_array() -> None:
    pcm = np.array([[0, 1000], [-1000, 32767]], dtype=np.int32)
    assert ulaw_encode(pcm) == bytes([0xFF, 0xCE, 0x4E, 0x80])
    assert alaw_encode(np.array([], dtype=np.int16)) == b""
    assert ulaw_decode(b"").dtype == np.int16 and len(ulaw_decode(b"")) == 0


@pytest.mark.parametrize(
    ("pcm", "message"),
    [
        (np.array([0.5]), "got dtype float64"),
        (np.array([40000]), "outside -32768..32767"),
        (np.array([-32769]), "outside -32768..32767"),
    ],
)
def test_encoding_refuses_what_is_not_int16(pcm: np.ndarray, message: str) -> None:
    for encode in (ulaw_encode, alaw_encode, to_pcm16):
        with pytest.raises(ValueError, match=message) as info:
            encode(pcm)
        assert "\n" not in str(info.value)


def test_decoding_refuses_text() -> None:
    with pytest.raises(ValueError, match="decodes bytes, got str"):
        ulaw_decode("abc")  # type: ignore[arg-type]


def test_decoded_arrays_are_private_copies() -> None:
    first = ulaw_decode(b"\x80")
    first[0] = 0
    assert ulaw_decode(b"\x80").tolist() == [32124]
    assert ulaw_decode(bytearray(b"\x80")).tolist() == [32124]
    assert alaw_decode(memoryview(b"\xaa")).tolist() == [32256]


@pytest.mark.parametrize(
    ("payload_type", "codec", "name", "silence"),
    [(0, PCMU, "PCMU", 0xFF), (8, PCMA, "PCMA", 0xD5)],
)
def test_codecs(payload_type: int, codec: Codec, name: str, silence: int) -> None:
    assert codec_for(payload_type) is codec
    assert (codec.payload_type, codec.name, codec.clock_rate) == (payload_type, name, 8000)
    assert codec.silence(160) == bytes([silence]) * 160
    tone = (8000 * np.sin(np.arange(160) * 2 * np.pi / 8)).astype(np.int16)
    assert np.max(np.abs(codec.decode(codec.encode(tone)) - tone)) <= 256


@pytest.mark.parametrize("payload_type", [3, 9, 18, 101, -1, 128])
def test_codec_for_other_payload_types(payload_type: int) -> None:
    assert codec_for(payload_type) is None
