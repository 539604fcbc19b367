"""DTMF: RFC 4733 events (each key press exactly once) and SIP INFO bodies."""

from __future__ import annotations

import pytest

from kontakt.voice.dtmf import (
    DIGITS,
    DtmfDetector,
    DtmfError,
    TelephoneEvent,
    parse_event,
    parse_sip_info,
)
from kontakt.voice.rtp import RtpPacket

PT = 101


# --- payload -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"\x05\x0a\x00\xa0", TelephoneEvent(5, False, 10, 160)),
        (b"\x05\x8a\x03\x20", TelephoneEvent(5, True, 10, 800)),
        (b"\x0b\xbf\xff\xff", TelephoneEvent(11, True, 63, 0xFFFF)),
        (b"\x00\x00\x00\x00", TelephoneEvent(0, False, 0, 0)),
        (b"\x0a\x4a\x00\xa0", TelephoneEvent(10, False, 10, 160)),  # R bit ignored
        (b"\x01\x0a\x00\xa0\x99\x99\x99\x99", TelephoneEvent(1, False, 10, 160)),
    ],
)
def test_parse_event(payload: bytes, expected: TelephoneEvent) -> None:
    assert parse_event(payload) == expected


def test_event_round_trip_clears_the_reserved_bit() -> None:
    event = parse_event(b"\x0a\xca\x01\x40")
    assert event.to_bytes() == b"\x0a\x8a\x01\x40"
    assert parse_event(event.to_bytes()) == event


@pytest.mark.parametrize("payload", [b"", b"\x05", b"\x05\x8a\x03"])
def test_short_payloads(payload: bytes) -> None:
    with pytest.raises(DtmfError, match=f"too short: {len(payload)} bytes") as info:
        parse_event(payload)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event": 256}, "event code 256"),
        ({"event": 1, "volume": 64}, "volume 64"),
        ({"event": 1, "duration": 0x10000}, "duration 65536"),
        ({"event": -1}, "event code -1"),
    ],
)
def test_invalid_events(fields: dict[str, int], message: str) -> None:
    with pytest.raises(DtmfError, match=message):
        TelephoneEvent(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("event", "digit"), [*enumerate(DIGITS), (16, None), (255, None)])
def test_event_codes(event: int, digit: str | None) -> None:
    assert TelephoneEvent(event).digit == digit


def test_digit_table_is_rfc_4733() -> None:
    assert DIGITS == "0123456789*#ABCD"


# --- detector ------------------------------------------------------------------------


def _event(
    event: int, timestamp: int, duration: int, *, end: bool = False, ssrc: int = 1
) -> RtpPacket:
    payload = TelephoneEvent(event, end, 10, duration).to_bytes()
    return RtpPacket(PT, 0, timestamp, ssrc, payload, marker=duration == 160)


def _press(event: int, timestamp: int, *, ssrc: int = 1) -> list[RtpPacket]:
    """What a sender emits: updates every 20 ms, then the end packet three times."""
    updates = [_event(event, timestamp, d, ssrc=ssrc) for d in (160, 320, 480)]
    return updates + [_event(event, timestamp, 640, end=True, ssrc=ssrc)] * 3


def _feed(detector: DtmfDetector, packets: list[RtpPacket]) -> list[str]:
    """Outputs per packet, so tests see when each digit came out, not only which."""
    return [detector.feed(packet) for packet in packets]


def test_one_press_is_reported_once_on_its_first_end_packet() -> None:
    assert _feed(DtmfDetector(PT), _press(5, 1000)) == ["", "", "", "5", "", ""]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([1, 2, 11], "12#"),
        ([5, 5, 5], "555"),  # the same key again is a new press: a new timestamp
        ([10, 0, 12, 15], "*0AD"),
    ],
)
def test_presses_in_a_row(keys: list[int], expected: str) -> None:
    packets = [p for n, key in enumerate(keys) for p in _press(key, 1000 + 4000 * n)]
    assert "".join(_feed(DtmfDetector(PT), packets)) == expected


def test_press_whose_end_packets_were_all_lost_is_reported_when_the_next_starts() -> None:
    first = _press(1, 1000)[:3]
    second = _press(2, 5000)
    assert _feed(DtmfDetector(PT), first + second) == ["", "", "", "1", "", "", "2", "", ""]


def test_press_without_end_is_reported_by_flush_once() -> None:
    detector = DtmfDetector(PT)
    assert _feed(detector, _press(9, 1000)[:2]) == ["", ""]
    assert detector.flush() == "9"
    assert detector.flush() == ""
    assert detector.feed(_press(9, 1000)[-1]) == ""  # its end arriving late changes nothing


def test_only_end_packets_arriving() -> None:
    assert _feed(DtmfDetector(PT), _press(4, 1000)[3:]) == ["4", "", ""]


def test_reordered_packets_of_one_press() -> None:
    packets = _press(7, 1000)
    reordered = [packets[0], packets[3], packets[2], packets[4], packets[1], packets[5]]
    assert "".join(_feed(DtmfDetector(PT), reordered)) == "7"


def test_stragglers_of_a_finished_press_after_the_next_one_started() -> None:
    first, second = _press(1, 1000), _press(2, 5000)
    packets = first[:4] + second[:2] + first[4:] + [first[1]] + second[2:]
    assert "".join(_feed(DtmfDetector(PT), packets)) == "12"


def test_same_timestamp_from_another_source_is_another_press() -> None:
    packets = _press(3, 1000, ssrc=1) + _press(3, 1000, ssrc=2)
    assert "".join(_feed(DtmfDetector(PT), packets)) == "33"


def test_long_press_split_into_segments_is_one_press() -> None:
    start = 2**32 - 100  # the second segment's timestamp wraps around
    segment_one = [_event(8, start, 160), _event(8, start, 0xFFFF)]
    second_start = (start + 0xFFFF) % 2**32
    segment_two = [_event(8, second_start, 160)] + [_event(8, second_start, 800, end=True)] * 3
    outputs = _feed(DtmfDetector(PT), segment_one + segment_two)
    assert outputs == ["", "", "", "8", "", ""]


def test_a_new_press_of_the_same_key_after_a_short_lost_end_is_not_a_segment() -> None:
    first = _press(6, 1000)[:3]  # never saturated, so the next one cannot be its segment
    assert "".join(_feed(DtmfDetector(PT), first + _press(6, 1000 + 480))) == "66"


@pytest.mark.parametrize(
    "packet",
    [
        RtpPacket(0, 0, 1000, 1, b"\xff" * 160),  # audio
        RtpPacket(PT, 0, 1000, 1, b"\x05\x8a"),  # truncated event
        RtpPacket(PT, 0, 1000, 1, b""),
        RtpPacket(PT, 0, 1000, 1, TelephoneEvent(16, True).to_bytes()),  # flash is no key
        RtpPacket(96, 0, 1000, 1, TelephoneEvent(5, True).to_bytes()),  # not our event PT
    ],
    ids=["audio", "truncated", "empty", "flash", "other-pt"],
)
def test_packets_that_are_not_keys_are_ignored(packet: RtpPacket) -> None:
    detector = DtmfDetector(PT)
    assert detector.feed(packet) == ""
    assert detector.flush() == ""


# --- SIP INFO ------------------------------------------------------------------------

RELAY = "application/dtmf-relay"


@pytest.mark.parametrize(
    ("body", "content_type", "digit"),
    [
        ("Signal=5\r\nDuration=160\r\n", RELAY, "5"),
        ("Signal= *\nDuration=100\n", "Application/DTMF-Relay", "*"),
        ("Duration=250\r\nsignal=#\r\n", f"{RELAY}; charset=utf-8", "#"),
        ("Signal=10\r\n", RELAY, "*"),
        ("Signal=11\r\n", RELAY, "#"),
        ("Signal=a", RELAY, "A"),
        ("Signal=D", RELAY, "D"),
        ("5", "application/dtmf", "5"),
        (" #\r\n", "application/dtmf", "#"),
        ("0", " application/dtmf ", "0"),
        ("Duration=160\r\n", RELAY, None),
        ("Signal=\r\n", RELAY, None),
        ("Signal=E", RELAY, None),
        ("Signal=16", RELAY, None),
        ("Signal=55", RELAY, None),
        ("Signal=²", RELAY, None),
        ("Signal=٥", RELAY, None),  # Arabic-Indic five: isdigit, but not a key
        ("Signal 5", RELAY, None),
        ("", RELAY, None),
        ("", "application/dtmf", None),
        ("10", "application/dtmf", "*"),  # the RFC 4733 code of *
        ("Signal=5", "text/plain", None),
        ("5", "", None),
    ],
)
def test_parse_sip_info(body: str, content_type: str, digit: str | None) -> None:
    assert parse_sip_info(body, content_type) == digit
