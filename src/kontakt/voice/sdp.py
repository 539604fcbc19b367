"""SDP offer/answer (RFC 3264) for one audio stream: G.711 (PCMU or PCMA) plus RFC 4733
telephone events, and the direction attribute a re-INVITE uses to put a call on hold."""

from __future__ import annotations

from dataclasses import dataclass, field

STATIC = {0: "PCMU", 8: "PCMA"}
OUR_CODECS = ("PCMU", "PCMA")  # in order of preference
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


class SdpError(ValueError):
    """An offer we cannot use; the endpoint answers 488 Not Acceptable Here."""


@dataclass
class AudioOffer:
    address: str
    port: int
    payload_types: list[int]
    rtpmap: dict[int, str] = field(default_factory=dict)  # pt -> "PCMU/8000"
    direction: str = "sendrecv"

    def codec_pt(self) -> tuple[int, str]:
        """Our preferred codec among those offered: (payload type, name)."""
        names = {pt: (self.rtpmap.get(pt) or STATIC.get(pt, "")).split("/")[0].upper()
                 for pt in self.payload_types}  # fmt: skip
        for wanted in OUR_CODECS:
            for pt in self.payload_types:
                if names[pt] == wanted:
                    return pt, wanted
        raise SdpError("no common codec (PCMU or PCMA needed)")

    def dtmf_pt(self) -> int | None:
        for pt in self.payload_types:
            if self.rtpmap.get(pt, "").lower().startswith("telephone-event/8000"):
                return pt
        return None

    @property
    def on_hold(self) -> bool:
        # RFC 2543 hold: the connection address 0.0.0.0 (not a bind).
        return self.direction in ("sendonly", "inactive") or self.address == "0.0.0.0"  # noqa: S104


def parse_offer(body: bytes) -> AudioOffer:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("SDP is not text") from exc
    session_addr = ""
    media: AudioOffer | None = None
    direction = "sendrecv"
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        if kind == "c":
            parts = value.split()
            if len(parts) != 3 or parts[0] != "IN" or parts[1] not in ("IP4", "IP6"):
                raise SdpError(f"bad connection line {line!r}")
            if media is None:
                session_addr = parts[2]
            else:
                media.address = parts[2]
        elif kind == "m":
            if media is not None:
                break  # one audio stream is all a phone call needs; later ones are ignored
            parts = value.split()
            if len(parts) < 4 or parts[0] != "audio" or not parts[1].isdigit():
                raise SdpError(f"not an audio stream: {line!r}")
            if parts[2] not in ("RTP/AVP", "RTP/AVPF"):
                raise SdpError(f"unsupported transport {parts[2]!r}")
            try:
                pts = [int(p) for p in parts[3:]]
            except ValueError as exc:
                raise SdpError(f"bad payload types in {line!r}") from exc
            media = AudioOffer(session_addr, int(parts[1]), pts, direction=direction)
        elif kind == "a":
            name, _, rest = value.partition(":")
            if name in DIRECTIONS:
                if media is None:
                    direction = name
                else:
                    media.direction = name
            elif name == "rtpmap" and media is not None:
                pt, _, codec = rest.partition(" ")
                if pt.isdigit():
                    media.rtpmap[int(pt)] = codec.strip()
    if media is None:
        raise SdpError("no audio stream in the offer")
    if not media.address:
        raise SdpError("no connection address")
    if not 0 <= media.port < 65536:
        raise SdpError("bad port")
    return media


def build_answer(
    offer: AudioOffer, *, address: str, port: int, session_id: int, version: int = 1,
    direction: str | None = None,
) -> bytes:  # fmt: skip
    """Our answer: the chosen codec, telephone events if offered, and the mirrored direction
    (a caller's "sendonly" hold is answered "recvonly")."""
    pt, name = offer.codec_pt()
    pts = [pt]
    lines_a = [f"a=rtpmap:{pt} {name}/8000"]
    dtmf = offer.dtmf_pt()
    if dtmf is not None:
        pts.append(dtmf)
        lines_a += [f"a=rtpmap:{dtmf} telephone-event/8000", f"a=fmtp:{dtmf} 0-16"]
    mirror = {"sendonly": "recvonly", "recvonly": "sendonly"}
    answer_direction = direction or mirror.get(offer.direction, offer.direction)
    lines = [
        "v=0",
        f"o=kontakt {session_id} {version} IN IP4 {address}",
        "s=kontakt",
        f"c=IN IP4 {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(str(p) for p in pts)}",
        *lines_a,
        "a=ptime:20",
        f"a={answer_direction}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
