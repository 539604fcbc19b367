"""Booking a visit by phone, end to end: real SIP calls to the real call flow, keyed on the
phone's keypad, driving the chat's booking dialogue on the demo city's services. What the bot
said is read back from the call's transcript (the dialogue's replies) and what it booked
from the database."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from kontakt.booking.models import Reservation
from kontakt.calls.events import CallEnded, CallTransferred, SelfServiceCompleted
from kontakt.conversations.events import BotReplied, MessageReceived
from kontakt.dialogue.flows.booking_spoken import spoken_when
from kontakt.events import EventRow, read
from kontakt.routing.models import Queue
from kontakt.runtime import Runtime
from kontakt.voice.booking_call import caller_number
from kontakt.voice.call_flow import CallFlow
from kontakt.voice.caller import place_call
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.sip.message import SipMessage
from kontakt.voice.tts import EspeakTts
from tests.voice.live_bot import live_bot
from tests.voice.test_sip_endpoint import Caller

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
CITIZEN_URI = "sip:queue-citizen@127.0.0.1:5090"
# The demo city at the tests' clock (Wednesday 25 November 2026, 12:00 in Poznań): the first
# free time for an ID card application is 13:00 today (an hour's notice).
FIRST_TIME = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Phone(Caller):
    """The tests' SIP caller keying by SIP INFO, with the caller ID a network would assert."""

    def __init__(self, port: int, identity: str = "") -> None:
        super().__init__(port)
        self.identity = identity

    def request(self, method: str, body: bytes = b"", ctype: str = "", event: str = "") -> None:
        if method != "INVITE" or not self.identity:
            super().request(method, body, ctype, event)
            return
        self.cseq += 1
        msg = SipMessage(method=method, uri=f"sip:bot@127.0.0.1:{self.server[1]}", headers=[
            ("Via", f"SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex[:10]}"),
            ("Record-Route", self.record_route),
            ("From", f"<sip:caller@127.0.0.1>;tag={self.tag}"), ("To", "<sip:bot@127.0.0.1>"),
            ("P-Asserted-Identity", f"<{self.identity}>"),
            ("Call-ID", self.call_id), ("CSeq", f"{self.cseq} {method}"),
            ("Contact", f"<sip:caller@127.0.0.1:{self.port}>"), ("Max-Forwards", "70"),
            ("Content-Type", ctype),
        ], body=body)  # fmt: skip
        self.sip.sendto(msg.to_bytes(), self.server)

    async def dial(self) -> None:
        await self.open()
        self.record_route = f"<sip:127.0.0.1:{self.port};lr>"  # the bot's BYE comes back here
        self.request("INVITE", self.sdp(), "application/sdp")
        await self.expect(200)
        self.request("ACK")

    async def keys(self, keys: str) -> None:
        for key in keys:
            self.request("INFO", f"Signal={key}\r\nDuration=160\r\n".encode(),
                         "application/dtmf-relay")  # fmt: skip
            await self.expect(200)

    async def hang_up(self) -> None:
        self.request("BYE")
        await self.expect(200)


@pytest.fixture
async def bot(chat_runtime: Runtime, tmp_path: Path) -> AsyncIterator[SipEndpoint]:
    """The call flow on the keypad path (no speech engines), at the tests' fixed clock."""
    async with chat_runtime.transaction() as session:
        await session.execute(
            update(Queue).values(sip_uri="sip:queue-" + Queue.id + "@127.0.0.1:5090")
        )
    ep = SipEndpoint("127.0.0.1", 0, ring_s=0.05)
    ep.on_call = CallFlow(chat_runtime, ep, EspeakTts(cache_dir=tmp_path), {}, None).handle
    await ep.start()
    yield ep
    await ep.stop()


async def _events(runtime: Runtime, *kinds: str) -> list[EventRow]:
    async with runtime.transaction() as session:
        return await read(session, kinds=list(kinds) or None)


async def _until(runtime: Runtime, kind: str, check: Any = None, wait_s: float = 60) -> EventRow:
    """The first event of ``kind`` (passing ``check``), once the call flow has recorded it."""
    async with asyncio.timeout(wait_s):
        while True:
            for row in await _events(runtime, kind):
                if check is None or check(row.payload):
                    return row
            await asyncio.sleep(0.05)


async def _replies(runtime: Runtime) -> list[dict[str, Any]]:
    return [r.payload for r in await _events(runtime, BotReplied.kind)]


async def _reservations(runtime: Runtime) -> list[Reservation]:
    async with runtime.transaction() as session:
        return list((await session.scalars(select(Reservation))).all())


def _spelled(code: str) -> str:
    return ", ".join(code)


async def test_a_booking_by_keypad_is_stored_and_its_code_read_twice(
    chat_runtime: Runtime,
) -> None:
    """`kontakt voice call` against the whole voicebot (speech engines loaded): Polish,
    civic affairs typed at the topic question, book, the first service and time, yes, the
    number keyed in (the caller's SIP address is no number), and the number confirmed."""
    async with live_bot(chat_runtime) as port:
        result = await place_call(
            f"sip:bot@127.0.0.1:{port}", dtmf="111111[601234567#]1", barge_in=True,
            timeout_s=240,
        )  # fmt: skip
        # The bot records the end of the call after its BYE: let it finish before it stops.
        call = await _until(chat_runtime, CallEnded.kind)
    [visit] = await _reservations(chat_runtime)
    assert result.line() == f"ended by bot outcome=booked code={visit.code}"
    assert (visit.status, visit.channel, visit.service_id, visit.phone, visit.customer_name) == (
        "confirmed", "phone", "id-card-application", "+48601234567", "Rezerwacja telefoniczna"
    )  # fmt: skip
    booked = [r for r in await _replies(chat_runtime) if r["type"] == "booked"]
    assert [r["outcome"]["code"] for r in booked] == [visit.code]
    assert booked[0]["text"].count(_spelled(visit.code)) == 2
    assert booked[0]["text"].startswith("Wizyta została zarezerwowana: Wniosek o dowód osobisty")
    confirmed = await _events(chat_runtime, "booking_confirmed")
    assert [(r.payload["channel"], r.conversation_id) for r in confirmed] == [
        ("phone", visit.conversation_id)
    ]
    done = await _events(chat_runtime, SelfServiceCompleted.kind)
    assert [r.payload for r in done] == [{"call_id": call.payload["call_id"], "service": "booking"}]
    assert call.payload["ended_by"] == "bot"


async def test_no_at_the_read_back_books_nothing(chat_runtime: Runtime, bot: SipEndpoint) -> None:
    phone = Phone(bot.port)
    await phone.dial()
    try:
        await phone.keys("11111")  # Polish, civic affairs, book, ID card, the first time
        await _until(chat_runtime, BotReplied.kind, lambda p: p["reason"] == "booking_confirm")
        await phone.keys("2")
        await _until(
            chat_runtime, BotReplied.kind,
            lambda p: p["reason"] == "booking_slot" and "W takim razie" in p["text"],
        )  # fmt: skip
        await phone.hang_up()
        ended = await _until(chat_runtime, CallEnded.kind)
    finally:
        phone.close()
    assert ended.payload["ended_by"] == "caller"
    [visit] = await _reservations(chat_runtime)
    assert (visit.status, visit.customer_name, visit.phone) == ("cancelled", "", "")
    assert await _events(chat_runtime, "booking_confirmed", SelfServiceCompleted.kind) == []
    replies = await _replies(chat_runtime)
    read_back = next(r["text"] for r in replies if r["reason"] == "booking_confirm")
    assert read_back == (
        "Potwierdź, proszę: Wniosek o dowód osobisty, Wydział Spraw Obywatelskich i Uprawnień "
        "Komunikacyjnych – ul. Libelta, w środę, dwudziestego piątego listopada, o trzynastej. "
        "Czy wszystko się zgadza?"
    )
    # The key pressed is the message; the option it stands for is the choice.
    said = [(r.payload["text"], r.payload["choice"]) for r in await _events(
        chat_runtime, MessageReceived.kind)]  # fmt: skip
    assert said[-2:] == [("2", "booking:no"), ("", "booking:stop")]


async def test_zero_at_the_read_back_releases_the_time_and_transfers(
    chat_runtime: Runtime, bot: SipEndpoint
) -> None:
    phone = Phone(bot.port)
    await phone.dial()
    try:
        await phone.keys("11111")
        await _until(chat_runtime, BotReplied.kind, lambda p: p["reason"] == "booking_confirm")
        await phone.keys("0")
        refer = await phone.next_request(wait_s=30)
        assert refer.method == "REFER" and refer.get("Refer-To") == f"<{CITIZEN_URI}>"
        phone.answer(refer, 202)
        phone.request("NOTIFY", b"SIP/2.0 200 OK", "message/sipfrag;version=2.0", "refer")
        await phone.expect(200)
        bye = await phone.next_request(wait_s=10)
        phone.answer(bye, 200)
    finally:
        phone.close()
    transferred = await _until(chat_runtime, CallTransferred.kind)
    assert (transferred.payload["queue"], transferred.payload["reason"]) == ("citizen", "requested")
    [visit] = await _reservations(chat_runtime)
    assert visit.status == "cancelled"
    assert (await _replies(chat_runtime))[-1]["reason"] == "booking_stopped"


async def test_ukrainian_caller_books_in_ukrainian_under_the_caller_id(
    chat_runtime: Runtime, bot: SipEndpoint
) -> None:
    """Ukrainian callers have no topic menu: the offer lists every service, 8 per page."""
    phone = Phone(bot.port, identity="sip:+48601234567@127.0.0.1;user=phone")
    await phone.dial()
    try:
        # Ukrainian, book, the first service of page one, the first time, yes, and the
        # caller's own number is right.
        await phone.keys("211111")
        await _until(chat_runtime, SelfServiceCompleted.kind)
        bye = await phone.next_request(wait_s=60)
        assert bye.method == "BYE"
        phone.answer(bye, 200)
        await _until(chat_runtime, CallEnded.kind)
    finally:
        phone.close()
    [visit] = await _reservations(chat_runtime)
    assert (visit.status, visit.language, visit.phone) == ("confirmed", "uk", "+48601234567")
    replies = await _replies(chat_runtime)
    assert {r["language"] for r in replies} == {"uk"}
    assert len(replies[0]["outcome"]["suggestions"]) == 12  # the whole catalog, on two pages
    assert replies[-1]["text"].startswith("Вас записано на прийом: Заява на посвідчення особи")
    assert f"{spoken_when(FIRST_TIME, 'uk')}. Код підтвердження" in replies[-1]["text"]
    assert replies[-1]["text"].count(_spelled(visit.code)) == 2


async def test_english_caller_keys_in_a_number_after_a_wrong_one(
    chat_runtime: Runtime, bot: SipEndpoint
) -> None:
    phone = Phone(bot.port)
    await phone.dial()
    try:
        await phone.keys("311111")  # English, civic affairs, book, ID card, first, yes
        await phone.keys("123#")  # not a phone number: asked again
        await phone.keys("601234567#1")
        await _until(chat_runtime, SelfServiceCompleted.kind)
        bye = await phone.next_request(wait_s=60)
        phone.answer(bye, 200)
        await _until(chat_runtime, CallEnded.kind)
    finally:
        phone.close()
    [visit] = await _reservations(chat_runtime)
    assert (visit.status, visit.language, visit.phone) == ("confirmed", "en", "+48601234567")
    replies = await _replies(chat_runtime)
    assert replies[-1]["text"].startswith(
        "Your visit is booked: Applying for an ID card (dowód osobisty), Department of Civic "
        "Affairs and Driving Licences – ul. Libelta, on Wednesday, the 25th of November, at "
        "1 pm. Your confirmation code is: "
    )
    assert {r["language"] for r in replies} == {"en"}


async def test_no_key_twice_is_a_consultant(chat_runtime: Runtime, bot: SipEndpoint) -> None:
    phone = Phone(bot.port)
    await phone.dial()
    try:
        await phone.keys("11111")  # up to the read-back, which then hears nothing, twice
        refer = await phone.next_request(wait_s=90)
        assert refer.method == "REFER"
        phone.answer(refer, 202)
        phone.request("NOTIFY", b"SIP/2.0 200 OK", "message/sipfrag;version=2.0", "refer")
        await phone.expect(200)
    finally:
        phone.close()
    transferred = await _until(chat_runtime, CallTransferred.kind)
    assert (transferred.payload["queue"], transferred.payload["reason"]) == ("citizen", "no_input")
    [visit] = await _reservations(chat_runtime)
    assert visit.status == "cancelled"  # the held time is free again at once


def test_times_in_words() -> None:
    at = datetime(2026, 12, 15, 8, 30, tzinfo=UTC)  # 9:30 in Poznań
    assert [spoken_when(at, lang) for lang in ("pl", "uk", "en")] == [
        "we wtorek, piętnastego grudnia, o dziewiątej 30",
        "у вівторок, п'ятнадцятого грудня, о дев'ятій 30",
        "on Tuesday, the 15th of December, at 9:30 am",
    ]
    assert spoken_when(datetime(2026, 11, 27, 10, 5, tzinfo=UTC), "uk") == (
        "у п'ятницю, двадцять сьомого листопада, об одинадцятій нуль 5"
    )


@pytest.mark.parametrize(
    ("headers", "number"),
    [
        ([("From", "<sip:+48601234567@gw>;tag=a")], "+48601234567"),
        ([("From", '"Anna" <sip:601-234-567@gw>;tag=a')], "+48601234567"),
        ([("P-Asserted-Identity", "<tel:+48612345678>"), ("From", "<sip:anonymous@x>")],
         "+48612345678"),
        ([("From", "<sip:caller@127.0.0.1>;tag=a")], None),
        ([("From", "<sip:101@pbx>;tag=a")], None),  # an extension, not a number
    ],
)  # fmt: skip
def test_caller_id(headers: list[tuple[str, str]], number: str | None) -> None:
    invite = SipMessage(method="INVITE", uri="sip:bot@127.0.0.1", headers=headers)
    assert caller_number(invite, "pl") == number


def test_every_booking_prompt_is_translated() -> None:
    from kontakt.dialogue.flows.booking_texts import PHONE_BOOKED
    from kontakt.i18n import Translations

    texts = Translations("kontakt")
    for lang in ("pl", "uk", "en"):
        catalog = texts.catalog(lang)
        assert "{code}" in catalog[PHONE_BOOKED] and catalog[PHONE_BOOKED].count("{code}") == 2
