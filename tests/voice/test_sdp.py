"""SDP offer/answer for G.711 calls, with DTMF events and hold."""

from __future__ import annotations

import pytest

from kontakt.voice.sdp import SdpError, build_answer, parse_offer

OFFER = (
    b"v=0\r\no=user 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 6000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
)


def test_offer_and_answer() -> None:
    offer = parse_offer(OFFER)
    assert (offer.address, offer.port, offer.payload_types) == ("127.0.0.1", 6000, [8, 0, 101])
    assert offer.codec_pt() == (0, "PCMU")  # our preference, though PCMA came first
    assert offer.dtmf_pt() == 101
    answer = build_answer(offer, address="127.0.0.1", port=7000, session_id=42).decode()
    assert "m=audio 7000 RTP/AVP 0 101\r\n" in answer
    assert "a=rtpmap:0 PCMU/8000" in answer and "a=sendrecv" in answer


def test_static_payload_types_without_rtpmap_and_pcma_only() -> None:
    offer = parse_offer(
        OFFER.replace(b"RTP/AVP 8 0 101", b"RTP/AVP 8").replace(b"a=rtpmap:8 PCMA/8000\r\n", b"")
    )
    assert offer.codec_pt() == (8, "PCMA")
    assert offer.dtmf_pt() is None


def test_hold_is_mirrored() -> None:
    hold = parse_offer(OFFER + b"a=sendonly\r\n")
    assert hold.on_hold
    answer = build_answer(hold, address="127.0.0.1", port=7000, session_id=1, version=2).decode()
    assert "a=recvonly" in answer
    assert parse_offer(OFFER.replace(b"c=IN IP4 127.0.0.1", b"c=IN IP4 0.0.0.0")).on_hold


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"v=0\r\nc=IN IP4 1.2.3.4\r\n",
        OFFER.replace(b"m=audio 6000 RTP/AVP 8 0 101", b"m=video 6000 RTP/AVP 96"),
        OFFER.replace(b"RTP/AVP 8 0 101", b"RTP/AVP 9 101").replace(
            b"a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n", b""
        ),
        OFFER.replace(b"RTP/AVP", b"RTP/SAVP"),
        OFFER.replace(b"c=IN IP4 127.0.0.1", b"c=IN XX"),
        b"\xff\xfe",
    ],
)
def test_unusable_offers(body: bytes) -> None:
    with pytest.raises(SdpError):
        offer = parse_offer(body)
        offer.codec_pt()
