"""The benefit-date self-service end to end: a scripted caller over real SIP keys in the case
number and PESEL (SIP INFO and RFC 4733), the real espeak-ng voice speaks, and what it was
asked to say is recorded to check that only the caller's own date was read out."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from kontakt.benefits.events import SelfServiceFailed
from kontakt.calls.events import SelfServiceCompleted
from kontakt.conversations.service import open_conversation
from kontakt.events import read
from kontakt.i18n import Translations
from kontakt.runtime import Runtime
from kontakt.voice import benefits_call
from kontakt.voice.benefits_call import BenefitDateFlow, KeyWaits
from kontakt.voice.call_io import CallIO
from kontakt.voice.dtmf import DIGITS, TelephoneEvent
from kontakt.voice.rtp import RtpPacket
from kontakt.voice.sdp import parse_offer
from kontakt.voice.sip.endpoint import Call, SipEndpoint
from kontakt.voice.tts import EspeakTts
from tests.benefits.helpers import load, sample
from tests.voice.test_sip_endpoint import Caller

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
WAITS = KeyWaits(first_s=2.0, next_s=2.0, grace_s=0.3, menu_s=1.5)
TEXTS = Translations("kontakt")


class RecordingTts:
    """The real espeak-ng voice, remembering every text it was asked to say."""

    def __init__(self, inner: EspeakTts) -> None:
        self.inner = inner
        self.said: list[tuple[str, str]] = []

    def synthesize(self, text: str, lang: str) -> NDArray[np.int16]:
        self.said.append((text, lang))  # called from a worker thread; list.append is atomic
        pcm = self.inner.synthesize(text, lang)
        assert len(pcm) > 0
        return pcm


@dataclass
class Line:
    """The bot's phone line: the endpoint, the voice, and each call's outcome."""

    runtime: Runtime
    endpoint: SipEndpoint
    tts: RecordingTts
    lang: str = "pl"
    outcomes: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    def text(self, msgid: str) -> str:
        return TEXTS.gettext(self.lang, msgid)

    def spoken(self) -> str:
        return "\n".join(text for text, _ in self.tts.said)

    async def until_said(self, msgid: str, times: int = 1) -> None:
        await _until(lambda: self.spoken().count(self.text(msgid).split("{")[0]) >= times)

    async def events(self, kind: str) -> list[dict[str, object]]:
        async with self.runtime.transaction() as session:
            return [r.payload for r in await read(session, kinds=[kind])]


async def _until(condition: Callable[[], bool], wait_s: float = 30) -> None:
    async with asyncio.timeout(wait_s):
        # The texts are recorded from TTS worker threads, so there is no event to wait on.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture
async def line(sqlite_runtime: Runtime, tmp_path: Path) -> AsyncIterator[Line]:
    await load(sqlite_runtime, sample())
    endpoint = SipEndpoint("127.0.0.1", 0, ring_s=0.05)
    tts = RecordingTts(EspeakTts(cache_dir=tmp_path / "prompts"))
    phone = Line(sqlite_runtime, endpoint, tts)

    async def on_call(call: Call) -> None:
        # What the caller flow does around the self-service: a phone conversation, and the
        # end of the call (a transfer to the benefits queue is the caller flow's business).
        async with sqlite_runtime.transaction() as session:
            conversation = await open_conversation(
                session, channel="phone", language=phone.lang, clock=sqlite_runtime.clock
            )
        flow = BenefitDateFlow(sqlite_runtime, CallIO(call, tts, None, None), WAITS)
        outcome = await flow.run(call, phone.lang, conversation.id)
        phone.outcomes.put_nowait(f"{outcome} {flow.transfer_reason}".strip())
        if outcome != "hangup":
            await endpoint.hangup(call)

    endpoint.on_call = on_call
    await endpoint.start()
    yield phone
    await endpoint.stop()


class Phone(Caller):
    async def dial(self) -> None:
        await self.open()
        self.record_route = f"<sip:127.0.0.1:{self.port};lr>"  # the bot's BYE comes back here
        self.request("INVITE", self.sdp(), "application/sdp")
        ok = await self.expect(200)
        self.bot_rtp = ("127.0.0.1", parse_offer(ok.body).port)
        self.rtp_time = 0
        self.request("ACK")

    async def info(self, keys: str) -> None:
        for key in keys:
            self.request("INFO", f"Signal={key}\r\nDuration=160\r\n".encode(),
                         "application/dtmf-relay")  # fmt: skip
            await self.expect(200)

    async def rfc4733(self, keys: str) -> None:
        """Each key as telephone-events: two progress packets, then the end one three times."""
        for key in keys:
            self.rtp_time += 1600
            for i, end in enumerate([False, False, True, True, True]):
                event = TelephoneEvent(DIGITS.index(key), end, 10, 160 * (i + 1)).to_bytes()
                packet = RtpPacket(101, self.rtp_time // 160 + i, self.rtp_time, 4242, event,
                                   marker=i == 0)  # fmt: skip
                self.rtp.sendto(packet.to_bytes(), self.bot_rtp)
            await asyncio.sleep(0.05)

    async def hung_up_by_bot(self) -> None:
        bye = await self.next_request(wait_s=15)
        assert bye.method == "BYE"
        self.answer(bye, 200)


@needs_espeak
async def test_the_right_date_is_read_out_in_polish(line: Line) -> None:
    phone = Phone(line.endpoint.port)
    await phone.dial()
    try:
        await phone.info("01012026#")  # ŚW/0101/2026 keyed as its digits, typed ahead
        await phone.rfc4733("85031412347")
        outcome = await asyncio.wait_for(line.outcomes.get(), 60)
        await phone.hung_up_by_bot()
    finally:
        phone.close()
    assert outcome == "served"
    assert (
        "Najbliższa wypłata nastąpi piętnastego grudnia dwa tysiące dwudziestego szóstego roku."
        " Rodzaj świadczenia: świadczenie wychowawcze 800+.",
        "pl",
    ) in line.tts.said
    assert line.tts.said[-1] == (line.text(benefits_call.OPTIONS), "pl")
    assert await line.events(SelfServiceCompleted.kind) == [
        {"call_id": phone.call_id, "service": "benefit_payment_date"}
    ]
    assert await line.events(SelfServiceFailed.kind) == []


@needs_espeak
async def test_ukrainian_caller_repeats_then_asks_for_a_consultant(line: Line) -> None:
    line.lang = "uk"
    phone = Phone(line.endpoint.port)
    await phone.dial()
    try:
        await phone.info("02022026#90072145628#")  # a "#" after the PESEL is fine too
        await line.until_said(benefits_call.OPTIONS)
        await phone.info("1")
        await line.until_said(benefits_call.OPTIONS, times=2)
        await phone.info("2")
        outcome = await asyncio.wait_for(line.outcomes.get(), 60)
        await phone.hung_up_by_bot()
    finally:
        phone.close()
    assert outcome == "transfer requested"
    date = ("Найближча виплата буде шістнадцятого грудня дві тисячі двадцять шостого року."
            " Вид допомоги:")  # fmt: skip
    benefits = "zasiłek rodzinny, dodatek z tytułu samotnego wychowywania dziecka."
    assert line.tts.said.count((date, "uk")) == 2
    assert line.tts.said.count((benefits, "pl")) == 2  # Polish names in the Polish voice
    assert len(await line.events(SelfServiceCompleted.kind)) == 1


@needs_espeak
async def test_three_wrong_entries_transfer_and_read_out_nobody_s_date(line: Line) -> None:
    phone = Phone(line.endpoint.port)
    await phone.dial()
    try:
        await line.until_said(benefits_call.NO_INPUT)  # 1: no key at all
        await phone.info("01012026#85031412348")  # 2: a PESEL with a wrong check digit
        await line.until_said(benefits_call.NOT_VALID)
        # 3: a real PESEL from the schedule, but another person's, with Anna's case number.
        await phone.rfc4733("90072145628")
        outcome = await asyncio.wait_for(line.outcomes.get(), 60)
        await phone.hung_up_by_bot()
    finally:
        phone.close()
    assert outcome == "transfer self_service_failed"
    spoken = line.spoken()
    assert line.tts.said[-1] == (line.text(benefits_call.NOT_FOUND), "pl")
    for secret in ("grudnia", "stycznia", "roku", "zasiłek", "świadczenie", "800"):
        assert secret not in spoken
    assert await line.events(SelfServiceFailed.kind) == [
        {"call_id": phone.call_id, "service": "benefit_payment_date",
         "reason": "wrong_entries", "wrong_entries": 3}
    ]  # fmt: skip
    assert await line.events(SelfServiceCompleted.kind) == []


@needs_espeak
async def test_a_caller_who_hangs_up_ends_the_flow(line: Line) -> None:
    phone = Phone(line.endpoint.port)
    await phone.dial()
    try:
        await phone.info("01012026#")
        await line.until_said(benefits_call.PESEL_PROMPT)
        phone.request("BYE")
        await phone.expect(200)
        outcome = await asyncio.wait_for(line.outcomes.get(), 30)
    finally:
        phone.close()
    assert outcome == "hangup"
    assert await line.events(SelfServiceFailed.kind) == [
        {"call_id": phone.call_id, "service": "benefit_payment_date",
         "reason": "hangup", "wrong_entries": 0}
    ]  # fmt: skip


def test_every_benefit_prompt_is_translated() -> None:
    for lang in ("pl", "uk", "en"):
        catalog = TEXTS.catalog(lang)
        missing = [m for m in benefits_call.PROMPTS if not catalog.get(m)]
        assert missing == [], (lang, missing)
        placeholders = [
            m for m in benefits_call.PROMPTS if ("{date}" in m) != ("{date}" in catalog[m])
        ]
        assert placeholders == [], (lang, placeholders)
