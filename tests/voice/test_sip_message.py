"""SIP messages as real peers (SIPp, baresip, Kamailio) send them."""

from __future__ import annotations

import pytest

from kontakt.voice.sip.message import SipError, param, parse, response, split_list

INVITE = (
    b"INVITE sip:bot@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-p1;rport\r\n"
    b"v: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-c1;received=127.0.0.1\r\n"
    b"Record-Route: <sip:127.0.0.1:5090;lr>, <sip:10.0.0.1;lr>\r\n"
    b'f: "Jan, Kowalski" <sip:jan@127.0.0.1:5061>;tag=abc\r\n'
    b"t: <sip:bot@127.0.0.1:5060>\r\n"
    b"i: call-1@127.0.0.1\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"m: <sip:jan@127.0.0.1:5061>\r\n"
    b"Max-Forwards: 70\r\n"
    b"Subject: a folded\r\n"
    b" header\r\n"
    b"c: application/sdp\r\n"
    b"l: 4\r\n"
    b"\r\n"
    b"v=0\r\nEXTRA"
)


def test_parse_compact_forms_folding_and_body_length() -> None:
    msg = parse(INVITE)
    assert (msg.method, msg.uri) == ("INVITE", "sip:bot@127.0.0.1:5060")
    assert len(msg.get_all("Via")) == 2
    assert msg.get("from").startswith('"Jan, Kowalski"')
    assert msg.call_id == "call-1@127.0.0.1"
    assert msg.cseq == (1, "INVITE")
    assert msg.get("Subject") == "a folded header"
    assert msg.body == b"v=0\r"
    assert param(msg.get("From"), "tag") == "abc"
    assert param(msg.get_all("Via")[0], "branch") == "z9hG4bK-p1"
    assert msg.get_all("Record-Route") == ["<sip:127.0.0.1:5090;lr>", "<sip:10.0.0.1;lr>"]


def test_response_keeps_vias_record_route_and_adds_our_tag() -> None:
    ok = response(parse(INVITE), 200, to_tag="t1")
    again = parse(ok.to_bytes())
    assert (again.status, again.reason) == (200, "OK")
    assert again.get_all("Via") == parse(INVITE).get_all("Via")
    assert again.get_all("Record-Route") == ["<sip:127.0.0.1:5090;lr>", "<sip:10.0.0.1;lr>"]
    assert param(again.get("To"), "tag") == "t1"
    assert again.get("Content-Length") == "0"
    busy = response(parse(INVITE), 486)
    assert busy.get_all("Record-Route") == []
    assert busy.to_bytes().startswith(b"SIP/2.0 486 Busy Here\r\n")


def test_split_list_respects_quotes_and_brackets() -> None:
    assert split_list('"a, b" <sip:x>, <sip:y;p=1,2>') == ['"a, b" <sip:x>', "<sip:y;p=1,2>"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"HELLO\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nVia: a\r\n\r\n",  # missing From/To/Call-ID/CSeq
        INVITE.replace(b"CSeq: 1 INVITE", b"CSeq: one INVITE"),
        INVITE.replace(b"l: 4", b"l: 400"),
        INVITE.replace(b"l: 4", b"l: x"),
        INVITE.replace(b"Max-Forwards: 70", b"Max Forwards 70"),
        b"INVITE sip:x SIP/2.0\r\n\xff\xfe: x\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\n" + b"X: " + b"a" * 70_000 + b"\r\n\r\n",
        b"INVITE sip:x SIP/2.0",  # no blank line
    ],
)
def test_malformed_messages_are_one_line_errors(data: bytes) -> None:
    with pytest.raises(SipError) as err:
        parse(data)
    assert "\n" not in str(err.value)
