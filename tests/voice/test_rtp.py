"""RTP packets, the packetizer and the jitter buffer: malformed input, wrap-around, loss."""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest

from kontakt.voice.g711 import PCMA, PCMU, ulaw_decode, ulaw_encode
from kontakt.voice.rtp import (
    Frame,
    JitterBuffer,
    Packetizer,
    RtpError,
    RtpExtension,
    RtpPacket,
    parse,
)

FULL = RtpPacket(
    payload_type=0,
    sequence=0xBEEF,
    timestamp=0xDEADBEEF,
    ssrc=0x12345678,
    payload=b"\x01\x02\x03",
    marker=True,
    csrc=(1, 0xFFFFFFFF),
    extension=RtpExtension(0xBEDE, b"\xaa" * 8),
    padding=3,
)


# --- packets -------------------------------------------------------------------------


def test_parse_known_bytes() -> None:
    data = bytes.fromhex("80e5 0102 0000a000 cafebabe") + b"\x05\x8a\x00\xa0"
    packet = parse(data)
    assert packet == RtpPacket(101, 0x0102, 0xA000, 0xCAFEBABE, b"\x05\x8a\x00\xa0", True)
    assert packet.version == 2
    assert packet.to_bytes() == data


def test_full_packet_layout() -> None:
    data = FULL.to_bytes()
    assert data[:2] == bytes([0x80 | 0x20 | 0x10 | 2, 0x80])
    assert data[12:20] == struct.pack("!II", 1, 0xFFFFFFFF)
    assert data[20:24] == struct.pack("!HH", 0xBEDE, 2)
    assert data[-6:] == b"\x01\x02\x03\x00\x00\x03"


@pytest.mark.parametrize(
    "packet",
    [
        RtpPacket(0, 0, 0, 0),
        RtpPacket(8, 65535, 2**32 - 1, 2**32 - 1, b"\xd5" * 160),
        RtpPacket(127, 1, 2, 3, marker=True),
        RtpPacket(0, 1, 2, 3, csrc=tuple(range(15))),
        RtpPacket(0, 1, 2, 3, extension=RtpExtension(1)),
        RtpPacket(0, 1, 2, 3, b"x", padding=1),
        RtpPacket(0, 1, 2, 3, padding=255),
        FULL,
    ],
    ids=["minimal", "extremes", "marker", "15-csrc", "empty-ext", "pad-1", "pad-only", "full"],
)
def test_round_trip(packet: RtpPacket) -> None:
    assert parse(packet.to_bytes()) == packet


def test_parse_accepts_bytearray_and_memoryview() -> None:
    data = FULL.to_bytes()
    assert parse(bytearray(data)) == parse(memoryview(data)) == FULL


HEADER = bytes.fromhex("80000001 00000002 00000003")

MALFORMED = [
    (b"", "too short: 0 bytes"),
    (HEADER[:11], "too short: 11 bytes"),
    (bytes([0x00]) + HEADER[1:], "version 0"),
    (bytes([0x40]) + HEADER[1:], "version 1"),
    (bytes([0xC0]) + HEADER[1:], "version 3"),
    (bytes([0x82]) + HEADER[1:] + b"\0\0\0\1", "CSRC count 2 needs 20 bytes"),
    (bytes([0x8F]) + HEADER[1:], "CSRC count 15"),
    (bytes([0x90]) + HEADER[1:] + b"\0\1", "extension header is missing"),
    (bytes([0x90]) + HEADER[1:] + b"\0\1\0\2" + b"\0" * 7, "extension length of 2 words"),
    (bytes([0xA0]) + HEADER[1:], "padding count 3"),
    (bytes([0xA0]) + HEADER[1:] + b"ab\0", "padding count 0"),
    (bytes([0xA0]) + HEADER[1:] + b"ab\x04", "padding count 4 does not fit the 3"),
    (bytes([0xB0]) + HEADER[1:] + b"\0\1\0\1\0\0\0\x02", "padding count 2 does not fit the 0"),
    (bytes.fromhex("80c8 0006") + b"\0" * 24, "packet type 200 is RTCP"),
    (bytes.fromhex("81c9 0007") + b"\0" * 28, "packet type 201 is RTCP"),
    (bytes.fromhex("80 48") + HEADER[2:], "packet type 72 is RTCP"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_packets(data: bytes, message: str) -> None:
    with pytest.raises(RtpError, match=message) as info:
        parse(data)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_parse_refuses_text() -> None:
    with pytest.raises(RtpError, match="must be bytes, got str"):
        parse("\x80\x00" * 6)  # type: ignore[arg-type]


def _parses_or_rtp_error(data: bytes) -> RtpPacket | None:
    try:
        packet = parse(data)
    except RtpError as error:  # anything else (IndexError, struct.error) fails the test
        assert "\n" not in str(error)
        return None
    assert parse(packet.to_bytes()) == packet
    return packet


def test_every_truncation_of_a_full_packet() -> None:
    data = FULL.to_bytes()
    outcomes = [_parses_or_rtp_error(data[:n]) for n in range(len(data) + 1)]
    assert outcomes[-1] == FULL
    assert outcomes[:12] == [None] * 12


def test_random_and_mutated_datagrams_never_crash() -> None:
    rng = np.random.default_rng(3550)
    valid = FULL.to_bytes()
    parsed = 0
    for _ in range(3000):
        data = rng.integers(0, 256, int(rng.integers(1, 40)), dtype=np.uint8).tobytes()
        # Mostly version 2, so the checks past the version are reached too.
        packet = _parses_or_rtp_error(bytes([0x80 | data[0] & 0x3F]) + data[1:])
        parsed += packet is not None
        mutated = bytearray(valid)
        mutated[int(rng.integers(0, len(valid)))] = int(rng.integers(0, 256))
        _parses_or_rtp_error(bytes(mutated)[: int(rng.integers(0, len(valid) + 1))])
    assert parsed > 100  # the generator does reach the success path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payload_type": 128}, "payload type 128"),
        ({"payload_type": 73}, "payload type 73"),
        ({"sequence": 65536}, "sequence number 65536"),
        ({"timestamp": -1}, "timestamp -1"),
        ({"ssrc": 2**32}, "SSRC 4294967296"),
        ({"csrc": tuple(range(16))}, "at most 15"),
        ({"csrc": (2**32,)}, "at most 15"),
        ({"padding": 256}, "padding of 256"),
    ],
)
def test_invalid_packets_cannot_be_built(changes: dict[str, object], message: str) -> None:
    with pytest.raises(RtpError, match=message):
        replace(FULL, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("profile", "data", "message"),
    [(65536, b"", "profile 65536"), (1, b"abc", "3 bytes is not 0-65535 words")],
)
def test_invalid_extensions(profile: int, data: bytes, message: str) -> None:
    with pytest.raises(RtpError, match=message):
        RtpExtension(profile, data)


# --- packetizer ----------------------------------------------------------------------


def test_packetizer_makes_20ms_packets_and_keeps_the_remainder() -> None:
    pcm = np.arange(400, dtype=np.int16) * 50
    packetizer = Packetizer(ssrc=7, payload_type=0, sequence=100, timestamp=8000)
    packets = packetizer.feed(pcm)
    assert [(p.sequence, p.timestamp, p.marker) for p in packets] == [
        (100, 8000, True),
        (101, 8160, False),
    ]
    assert all(p.ssrc == 7 and p.payload_type == 0 for p in packets)
    assert b"".join(p.payload for p in packets) == ulaw_encode(pcm[:320])
    (last,) = packetizer.flush()
    assert (last.sequence, last.timestamp, last.marker) == (102, 8320, False)
    assert last.payload == ulaw_encode(pcm[320:]) + PCMU.silence(80)
    assert packetizer.flush() == []


def test_packetizer_joins_small_chunks() -> None:
    packetizer = Packetizer(1, 8, sequence=0, timestamp=0)
    assert packetizer.feed(np.zeros(100, dtype=np.int16)) == []
    (packet,) = packetizer.feed(np.zeros(100, dtype=np.int16))
    assert packet.payload == PCMA.silence(160)
    assert packetizer.feed(np.zeros(0, dtype=np.int16)) == []
    (rest,) = packetizer.flush()
    assert (rest.sequence, rest.timestamp, len(rest.payload)) == (1, 160, 160)


def test_packetizer_wraps_sequence_and_timestamp() -> None:
    packetizer = Packetizer(1, 0, sequence=65534, timestamp=2**32 - 320)
    packets = packetizer.feed(np.zeros(4 * 160, dtype=np.int16))
    assert [p.sequence for p in packets] == [65534, 65535, 0, 1]
    assert [p.timestamp for p in packets] == [2**32 - 320, 2**32 - 160, 0, 160]


def test_packetizer_talkspurt_sets_marker_and_skips_the_pause() -> None:
    packetizer = Packetizer(1, 0, sequence=0, timestamp=0)
    packetizer.feed(np.zeros(160, dtype=np.int16))
    packetizer.start_talkspurt(silent_samples=800)
    packets = packetizer.feed(np.zeros(320, dtype=np.int16))
    assert [(p.sequence, p.timestamp, p.marker) for p in packets] == [
        (1, 960, True),
        (2, 1120, False),
    ]


def test_packetizer_starts_at_random_values() -> None:
    packetizers = [Packetizer(1, 0) for _ in range(8)]
    assert all(0 <= p.sequence < 2**16 and 0 <= p.timestamp < 2**32 for p in packetizers)
    assert len({(p.sequence, p.timestamp) for p in packetizers}) > 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ssrc": 1, "payload_type": 101}, "payload type 101 is not PCMU"),
        ({"ssrc": 1, "payload_type": 0, "samples_per_packet": 0}, "must be positive"),
        ({"ssrc": 2**32, "payload_type": 0}, "SSRC and timestamp must be 32-bit"),
        ({"ssrc": 1, "payload_type": 0, "sequence": 65536}, "sequence must be 16-bit"),
        ({"ssrc": 1, "payload_type": 0, "timestamp": -1}, "SSRC and timestamp must be 32-bit"),
    ],
)
def test_packetizer_refuses_bad_settings(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Packetizer(**kwargs)


def test_packetizer_refuses_float_audio_and_keeps_its_state() -> None:
    packetizer = Packetizer(1, 0, sequence=0, timestamp=0)
    packetizer.feed(np.zeros(100, dtype=np.int16))
    with pytest.raises(ValueError, match="dtype float64"):
        packetizer.feed(np.zeros(100))  # type: ignore[arg-type]
    (packet,) = packetizer.feed(np.zeros(60, dtype=np.int16))
    assert packet.sequence == 0


# --- jitter buffer -------------------------------------------------------------------

LEVEL = 1000  # every real frame carries this level; concealed frames are zeros


def _packet(sequence: int, *, ssrc: int = 1, payload_type: int = 0) -> RtpPacket:
    payload = ulaw_encode(np.full(160, LEVEL, dtype=np.int16))
    timestamp = (sequence * 160) % 2**32
    return RtpPacket(payload_type, sequence % 2**16, timestamp, ssrc, payload)


def _played(buffer: JitterBuffer, arrivals: list[int]) -> list[str]:
    """Push each arrival and pop what is ready, then drain; "7" is a frame, "7?" concealed."""
    frames: list[Frame] = []
    for sequence in arrivals:
        buffer.push(_packet(sequence))
        while (frame := buffer.pop()) is not None:
            frames.append(frame)
    frames += buffer.drain()
    for frame in frames:
        assert frame.pcm.dtype == np.int16 and len(frame.pcm) == 160
        assert set(frame.pcm.tolist()) == ({0} if frame.lost else {int(ulaw_decode(b"\xce")[0])})
    return [f"{f.sequence}?" if f.lost else str(f.sequence) for f in frames]


JITTER_CASES = [
    ("in order", [0, 1, 2, 3], "0 1 2 3", {}),
    ("adjacent swap", [0, 2, 1, 3], "0 1 2 3", {}),
    ("duplicate held", [0, 1, 1, 2], "0 1 2", {"duplicate": 1}),
    ("duplicate played", [0, 1, 2, 2, 1, 3], "0 1 2 3", {"late": 2}),
    ("loss", [0, 1, 3, 4, 5, 6], "0 1 2? 3 4 5 6", {"concealed": 1}),
    ("waits two frames", [0, 1, 3, 4, 2, 5], "0 1 2 3 4 5", {}),
    ("too late", [0, 1, 3, 4, 5, 2, 6], "0 1 2? 3 4 5 6", {"concealed": 1, "late": 1}),
    ("older than popped", [0, 1, 2, 0, 1], "0 1 2", {"late": 2}),
    ("burst loss", [0, 4, 5, 6, 7], "0 1? 2? 3? 4 5 6 7", {"concealed": 3}),
    ("drain conceals", [0, 1, 3], "0 1 2? 3", {"concealed": 1}),
    ("wrap", [65533, 65535, 65534, 0, 2, 1], "65533 65534 65535 0 1 2", {}),
    ("loss at wrap", [65534, 65535, 1, 2, 3, 4], "65534 65535 0? 1 2 3 4", {"concealed": 1}),
    ("late at wrap", [65535, 0, 1, 65535, 65534], "65535 0 1", {"late": 2}),
    ("jump ahead", [0, 1, 2, 900, 901, 902], "0 1 2 901 902", {"stray": 1}),
    ("jump back", [500, 501, 502, 7, 8, 9], "500 501 502 8 9", {"stray": 1}),
    ("jump across wrap", [65000, 65001, 65002, 3, 4], "65000 65001 65002 4", {"stray": 1}),
    ("lone stray", [0, 1, 2, 900, 3, 4], "0 1 2 3 4", {"stray": 1}),
    ("jump drops backlog", [0, 2, 3, 900, 901], "0 901", {"discarded": 2, "stray": 1}),
]


@pytest.mark.parametrize(
    ("arrivals", "played", "stats"),
    [case[1:] for case in JITTER_CASES],
    ids=[case[0] for case in JITTER_CASES],
)
def test_jitter_buffer(arrivals: list[int], played: str, stats: dict[str, int]) -> None:
    buffer = JitterBuffer(PCMU, capacity_packets=50, wait_frames=2)
    assert _played(buffer, arrivals) == played.split()
    expected = dict.fromkeys(["duplicate", "late", "foreign", "stray", "concealed", "discarded"], 0)
    counts = {name: getattr(buffer.stats, name) for name in expected}
    assert counts == expected | stats
    assert len(buffer) == 0


def test_wait_zero_conceals_as_soon_as_a_later_packet_is_there() -> None:
    buffer = JitterBuffer(PCMU, wait_frames=0)
    assert _played(buffer, [0, 2, 1, 3]) == ["0", "1?", "2", "3"]
    assert buffer.stats.late == 1


def test_missing_frame_waits_for_arrivals_not_for_pops() -> None:
    buffer = JitterBuffer(PCMU, wait_frames=2)
    for sequence in (0, 2, 3):
        buffer.push(_packet(sequence))
    assert buffer.pop() is not None
    assert [buffer.pop() for _ in range(5)] == [None] * 5  # 1 is missing, only 2 later
    assert len(buffer) == 2
    buffer.push(_packet(4))
    frame = buffer.pop()
    assert frame is not None and frame.lost and frame.sequence == 1


def test_concealed_frames_get_the_timestamp_they_would_have_had() -> None:
    buffer = JitterBuffer(PCMU, wait_frames=0)
    base = 2**32 - 160  # the gap is where the timestamp wraps
    for sequence, timestamp in ((10, base), (12, 160)):
        buffer.push(replace(_packet(sequence), timestamp=timestamp))
    frames = buffer.drain()
    assert [(f.sequence, f.timestamp, f.lost) for f in frames] == [
        (10, base, False),
        (11, 0, True),
        (12, 160, False),
    ]


def test_reordering_before_the_first_pop_loses_nothing() -> None:
    buffer = JitterBuffer(PCMU, wait_frames=2)
    for sequence in (5, 3, 4, 6):
        assert buffer.push(_packet(sequence))
    assert [f.sequence for f in buffer.drain()] == [3, 4, 5, 6]


def test_other_payload_types_leave_gaps_that_become_silence() -> None:
    # RFC 4733 events share the audio's sequence space; they must never be decoded as audio.
    buffer = JitterBuffer(PCMU, wait_frames=2)
    arrivals = [_packet(0), _packet(1, payload_type=101), _packet(2, payload_type=101)]
    arrivals += [_packet(n) for n in (3, 4, 5)]
    frames = []
    for packet in arrivals:
        buffer.push(packet)
        while (frame := buffer.pop()) is not None:
            frames.append(frame)
    assert [(f.sequence, f.lost) for f in frames] == [
        (0, False),
        (1, True),
        (2, True),
        (3, False),
        (4, False),
        (5, False),
    ]
    assert buffer.stats.foreign == 2


def test_new_ssrc_restarts_the_stream() -> None:
    buffer = JitterBuffer(PCMU, wait_frames=2)
    for sequence in (100, 101, 102, 103):
        buffer.push(_packet(sequence))
    assert [frame.sequence for frame in iter(buffer.pop, None)] == [100, 101, 102, 103]
    buffer.push(_packet(104))
    # 40000 would be "late" under the old SSRC's numbering; here it starts a new stream.
    assert buffer.push(_packet(40000, ssrc=2))
    assert buffer.push(_packet(40001, ssrc=2))
    assert [(f.sequence, f.lost) for f in buffer.drain()] == [(40000, False), (40001, False)]
    assert buffer.stats.discarded == 1  # 104, pushed but never popped


def test_a_stalled_reader_never_holds_more_than_the_capacity() -> None:
    buffer = JitterBuffer(PCMU, capacity_packets=10, wait_frames=2)
    for sequence in range(25):
        buffer.push(_packet(sequence))
        assert len(buffer) <= 10
    # 10 and 21 are strays; 11 and 22 confirm them and each time the backlog is dropped.
    assert [f.sequence for f in buffer.drain()] == [22, 23, 24]
    assert (buffer.stats.stray, buffer.stats.discarded) == (2, 20)


def test_packetizer_to_jitter_buffer_round_trip() -> None:
    pcm = (10000 * np.sin(np.arange(1600) / 7)).astype(np.int16)
    packets = Packetizer(9, 8, sequence=65530, timestamp=0).feed(pcm)
    wire = [parse(p.to_bytes()) for p in packets]
    order = [1, 0, 3, 2, 4, 6, 5, 9, 7, 8]
    buffer = JitterBuffer(PCMA, wait_frames=2)
    frames = []
    for index in order:
        buffer.push(wire[index])
        while (frame := buffer.pop()) is not None:
            frames.append(frame)
    frames += buffer.drain()
    assert not any(f.lost for f in frames)
    assert np.array_equal(np.concatenate([f.pcm for f in frames]), PCMA.decode(PCMA.encode(pcm)))


@pytest.mark.parametrize(("capacity", "wait"), [(5, 5), (5, 9), (5, -1)])
def test_jitter_buffer_refuses_bad_settings(capacity: int, wait: int) -> None:
    with pytest.raises(ValueError, match="wait_frames < capacity_packets"):
        JitterBuffer(PCMU, capacity_packets=capacity, wait_frames=wait)
