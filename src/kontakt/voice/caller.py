"""A test caller (SIP UAC) that phones a running kontakt, as `kontakt voice call` does.

It dials over UDP or TCP, offers PCMU/PCMA with telephone events, and then works through its
steps, one per bot prompt: a step waits until the bot has spoken and gone quiet (or, with
``barge_in``, until the prompt has begun), then presses a key (RFC 4733) or says the text
(espeak-ng). It accepts the bot's REFER as a transferee whose new call went through (no call
to the queue is placed), answers the bot's BYE, and hangs up itself after ``timeout_s``.
The result says how the call ended, the REFER's X-Kontakt-* headers, the bot's recorded
audio and, per step, when the bot answered: the benchmark's "end of the caller's speech to
the bot's first audio".
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.caller_media import CallerMedia, trim_silence
from kontakt.voice.dtmf import DIGITS
from kontakt.voice.g711 import codec_for
from kontakt.voice.sdp import SdpError, parse_offer
from kontakt.voice.sip.message import SipMessage, param
from kontakt.voice.sip.transport import Peer
from kontakt.voice.sip.uac import SipCaller
from kontakt.voice.tts import TtsEngine

_TARGET = re.compile(r"^sip:(?:([^@;:]+)@)?([A-Za-z0-9.\-]+)(?::(\d{1,5}))?((?:;[^;]+)*)$")
QUIET_S, IDLE_S = 0.6, 5.0  # a prompt has ended; a bot that says nothing
KEY_GAP_S = 0.15  # between keys typed in one go ("[...]")
SPEECH = "_"  # in a key sequence: where the text is said ("1_1": key 1, speak, key 1)
# In a key sequence: the caller answers what the bot just said, through ``answer`` (a test
# caller that knows what it wants says "no" to a wrong guess instead of always pressing 1).
ANSWER = "?"
Answer = Callable[[NDArray[np.int16]], str | None]


class CallerError(ValueError):
    """A call that cannot be placed (bad target); one plain line."""


@dataclass(frozen=True)
class Step:
    kind: str  # key | speech
    value: str
    ended_at: float  # monotonic time our last packet of it went out
    reply_at: float | None  # the bot's first voiced packet after it

    @property
    def reply_s(self) -> float | None:
        return None if self.reply_at is None else self.reply_at - self.ended_at


@dataclass
class CallResult:
    outcome: str  # transferred | ended by bot | no answer | rejected | timed out
    status: int = 0
    reason: str = ""
    refer: SipMessage | None = None  # the bot's REFER, as it reached us (via any proxy)
    bye: SipMessage | None = None  # the bot's BYE, when it ended the call
    steps: list[Step] = field(default_factory=list)
    bot_audio: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    duration_s: float = 0.0

    @property
    def refer_to(self) -> str:
        return self.refer.get("Refer-To") if self.refer is not None else ""

    @property
    def refer_headers(self) -> dict[str, str]:
        """The REFER's X-Kontakt-Queue, -Topic and -Method (and any other X- header)."""
        refer = self.refer
        return {k: v for k, v in refer.headers if k.startswith("X-")} if refer else {}

    @property
    def latency_s(self) -> float | None:
        """From the end of the caller's (last) speech to the bot's first audio after it."""
        spoken = [s for s in self.steps if s.kind == "speech"]
        return spoken[-1].reply_s if spoken else None

    def line(self) -> str:
        if self.outcome == "transferred":
            h = self.refer_headers
            parts = [f"{k}={h.get(f'X-Kontakt-{k.title()}') or '-'}" for k in ("queue", "topic")]
            return f"transferred {' '.join(parts)} method={h.get('X-Kontakt-Method') or '-'}"
        if self.outcome == "rejected":
            return f"rejected {self.status} {self.reason}".rstrip()
        if self.outcome == "ended by bot" and self.bye is not None:
            # What the bot served before it said goodbye: "booked code=..." or a benefit date.
            served = self.bye.get("X-Kontakt-Outcome")
            code = self.bye.get("X-Kontakt-Code")
            if served:
                return f"ended by bot outcome={served}" + (f" code={code}" if code else "")
        return self.outcome


def parse_target(target: str, transport: str = "udp") -> tuple[str, Peer]:
    """The request URI and where to send it; ``;transport=`` in the URI wins."""
    match = _TARGET.match(target.strip())
    if match is None or (match.group(3) and not 0 < int(match.group(3)) < 65536):
        raise CallerError(f"not a SIP URI like sip:bot@127.0.0.1:5060: {target!r}")
    user, host, port, params = match.groups()
    proto = (param(f"x{params}", "transport") or transport).lower()
    if proto not in ("udp", "tcp"):
        raise CallerError(f"transport must be udp or tcp, not {proto!r}")
    uri = f"sip:{user or 'bot'}@{host}" + (f":{port}" if port else "")
    return uri, Peer(proto, (host, int(port or 5060)))


def steps_of(dtmf: str, text: str | None) -> list[tuple[str, str]]:
    """Keys in order, one per prompt; the text where "_" is, else after the keys. Keys in
    brackets are one step, typed in one go, as a caller keys in a number after its prompt:
    "1[601234567#]"."""
    keys = dtmf.replace(" ", "").upper()
    if bad := sorted(set(keys) - set(DIGITS + SPEECH + ANSWER + "[]")):
        raise CallerError(f"not keys of a phone: {''.join(bad)!r} (use 0-9, *, #, A-D)")
    if keys.count(SPEECH) > (1 if text else 0):
        raise CallerError('"_" marks where the --text is said, once')
    groups = re.findall(r"\[([^\[\]]*)\]|([^\[\]])", keys)
    if "".join(f"[{g}]" if g else k for g, k in groups) != keys or any(
        SPEECH in g or ANSWER in g or (not g and not k) for g, k in groups
    ):
        raise CallerError('brackets hold keys typed in one go, e.g. "1[601234567#]"')
    if text and SPEECH not in keys:
        groups.append(("", SPEECH))
    kinds = {SPEECH: "speech", ANSWER: "answer"}
    return [
        ("keys", group) if group else (kinds.get(k, "key"), text or "" if k == SPEECH else k)
        for group, k in groups
    ]


async def place_call(
    target: str,
    *,
    text: str | None = None,
    lang: str = "pl",
    dtmf: str = "",
    transport: str = "udp",
    timeout_s: float = 60.0,
    tts: TtsEngine | None = None,
    barge_in: bool = False,
    answer: Answer | None = None,
) -> CallResult:
    """Call ``target`` and play the steps; see the module docstring. Raises CallerError for
    a target that is not a SIP URI, and TtsError when the text cannot be synthesised."""
    uri, peer = parse_target(target, transport)
    plan = steps_of(dtmf, text)
    if answer is None and any(kind == "answer" for kind, _ in plan):
        raise CallerError('"?" needs an answer function (a caller that understands the bot)')
    speech = None
    if text:
        if tts is None:
            from kontakt.voice.tts import EspeakTts

            tts = EspeakTts()
        speech = trim_silence(await asyncio.to_thread(tts.synthesize, text, lang))
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    caller = SipCaller(uri, peer)
    media: CallerMedia | None = None
    try:
        await caller.sip.start()
        codec = codec_for(0)
        assert codec is not None
        media = CallerMedia(codec, 101)
        await loop.create_datagram_endpoint(lambda: media, local_addr=(caller.local, 0))
        invite = caller.invite(media.port)
        reply = await caller.dial(invite, deadline)
        result = CallResult("no answer")
        if reply is not None and reply.status >= 300:
            caller.reject(invite, reply)
            result = CallResult("rejected", reply.status, reply.reason)
        elif reply is not None:
            result = await _talk(
                caller, media, invite, reply, plan, speech, deadline, barge_in, answer
            )
        result.duration_s = time.monotonic() - started
        return result
    finally:
        if media is not None:
            media.close()
        caller.close()


async def _talk(
    caller: SipCaller,
    media: CallerMedia,
    invite: SipMessage,
    ok: SipMessage,
    plan: list[tuple[str, str]],
    speech: NDArray[np.int16] | None,
    deadline: float,
    barge_in: bool,
    answerer: Answer | None = None,
) -> CallResult:
    caller.confirm(invite, ok)
    try:
        answer = parse_offer(ok.body)
        pt, _ = answer.codec_pt()
    except SdpError as exc:
        await caller.hangup()
        return CallResult("rejected", 488, f"unusable SDP answer: {exc}")
    codec = codec_for(pt)
    assert codec is not None  # codec_pt() returns only PCMU or PCMA
    media.start((answer.address, answer.port), codec, answer.dtmf_pt() or media.dtmf_pt)
    steps: list[tuple[str, str, float]] = []

    async def script() -> None:
        since = time.monotonic()
        for kind, value in plan:
            if barge_in:
                await media.prompt_started(since, idle_s=IDLE_S)
            else:
                await media.prompt_over(since, quiet_s=QUIET_S, idle_s=IDLE_S)
            if kind == "answer":
                assert answerer is not None
                key = answerer(media.heard_since(since))
                if key is None:  # nothing to say to that: stay quiet, like a puzzled caller
                    since = time.monotonic()
                    continue
                kind, value = "key", key
            if kind == "key":
                since = await media.key(value)
            elif kind == "keys":
                for key in value:
                    since = await media.key(key)
                    await asyncio.sleep(KEY_GAP_S)
            else:
                assert speech is not None
                since = await media.speak(speech)
            steps.append((kind, value, since))
        await asyncio.Event().wait()  # stay on the line, listening

    waits = [asyncio.ensure_future(e.wait()) for e in (caller.bye, caller.transferred)]
    runner = asyncio.ensure_future(script())
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait(
            [*waits, runner], timeout=max(deadline - loop.time(), 0),
            return_when=asyncio.FIRST_COMPLETED,
        )  # fmt: skip
        if runner.done():
            runner.result()  # a failing script is a bug to report, not an outcome
        if caller.transferred.is_set():
            # The transfer is done; the bot should now leave (BYE). Give it a moment.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(caller.bye.wait(), 10.0)
    finally:
        for task in (*waits, runner):
            task.cancel()
    outcome = "timed out"
    if caller.refer is not None:
        outcome = "transferred"
    elif caller.bye.is_set():
        outcome = "ended by bot"
    await caller.hangup()
    return CallResult(
        outcome,
        refer=caller.refer,
        bye=caller.bye_message,
        steps=[Step(k, v, at, media.first_voice_after(at)) for k, v, at in steps],
        bot_audio=media.recording(),
    )
