"""Visit notices against a real SMTP server (aiosmtpd) and a real HTTP server speaking SMSAPI."""

from __future__ import annotations

import email
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from icalendar import Calendar

from kontakt.booking.mailer import Mailer, SmtpConfig, sms_text
from kontakt.booking.notices import DeliveryError, VisitNotice
from kontakt.booking.notify import Delivery, Notifier, notifier_from_settings
from kontakt.booking.sms import SmsApiGateway
from kontakt.clock import FixedClock
from kontakt.config import Settings
from kontakt.i18n import Translations
from tests.booking.conftest import Inbox, free_port

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
# 3 December 2026 09:00 UTC is 10:00 in Poznań (CET, UTC+1).
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
END = datetime(2026, 12, 3, 9, 15, tzinfo=UTC)
PUBLIC_ID = "5f0c3a1e9b2d4c6f8a7e1d2c3b4a5968"


def visit(language: str = "pl", **changes: Any) -> VisitNotice:
    notice = VisitNotice(
        kind="confirmed",
        code="K7M4RX",
        public_id=PUBLIC_ID,
        language=language,
        service_name="Wymiana dowodu osobistego",
        unit_name="Wydział Spraw Obywatelskich",
        unit_address="ul. Libelta 16/20, Poznań",
        start=START,
        end=END,
        customer_name="Łucja Wiśniewska",
        email="lucja@example.org",
        phone="+48601234567",
        documents_url="https://kontakt.poznan.pl/kb/dowod-osobisty",
    )
    return replace(notice, **changes)


@pytest.fixture(scope="module")
def texts() -> Translations:
    return Translations("notices")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def received(inbox: Inbox) -> EmailMessage:
    assert len(inbox.messages) == 1
    msg = email.message_from_bytes(inbox.messages[0][1], policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


def calendar_of(msg: EmailMessage) -> tuple[Message, Calendar]:
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return parts[0], Calendar.from_ical(payload)


EXPECTED = {
    "pl": (
        "Potwierdzenie wizyty w Urzędzie Miasta Poznania – kod K7M4RX",
        "Termin: czwartek 3 grudnia 2026, 10:00–10:15",
    ),
    "uk": (
        "Підтвердження візиту до Управління міста Познань – код K7M4RX",
        "Дата і час: четвер 3 грудня 2026, 10:00–10:15",
    ),
    "en": (
        "Confirmation of your visit to Poznań City Hall – code K7M4RX",
        "Date and time: Thursday 3 December 2026, 10:00–10:15",
    ),
}


@pytest.mark.parametrize("language", ["pl", "uk", "en"])
async def test_confirmation_email_in_each_language(
    smtp: tuple[Inbox, int], texts: Translations, clock: FixedClock, language: str
) -> None:
    inbox, port = smtp
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_sender="wizyty@kontakt.poznan.pl",
        public_url="https://kontakt.poznan.pl",
    )  # fmt: skip
    notifier = notifier_from_settings(settings, texts, clock)

    deliveries = await notifier.notify(visit(language))

    msg = received(inbox)
    assert deliveries == [Delivery("email", ok=True, detail=msg["Message-ID"])]
    assert inbox.messages[0][0] == ["lucja@example.org"]
    subject, when = EXPECTED[language]
    assert msg["Subject"] == subject
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert when in text.splitlines()
    assert "K7M4RX" in text
    assert "https://kontakt.poznan.pl/kb/dowod-osobisty" in text
    assert "61 646 33 44" in text
    part, cal = calendar_of(msg)
    assert part.get_param("method") == "PUBLISH"
    assert cal["METHOD"] == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == END
    assert str(event["UID"]) == f"{PUBLIC_ID}@kontakt.poznan.pl"
    assert str(event["SUMMARY"]) == "Wymiana dowodu osobistego"
    assert "K7M4RX" in str(event["DESCRIPTION"])


async def test_cancellation_removes_the_calendar_entry(
    smtp: tuple[Inbox, int], texts: Translations, clock: FixedClock
) -> None:
    inbox, port = smtp
    mailer = Mailer(SmtpConfig("127.0.0.1", port), texts, clock=clock)
    notifier = Notifier(mailer, None, texts, clock, "kontakt.local")

    [delivery] = await notifier.notify(visit("pl", kind="cancelled"))

    assert delivery.ok
    msg = received(inbox)
    assert msg["Subject"] == "Odwołanie wizyty w Urzędzie Miasta Poznania – kod K7M4RX"
    _, cal = calendar_of(msg)
    (event,) = cal.walk("VEVENT")
    assert (cal["METHOD"], event["STATUS"]) == ("CANCEL", "CANCELLED")
    assert str(event["UID"]) == f"{PUBLIC_ID}@kontakt.local"
    assert event.decoded("SEQUENCE") > 0


async def test_reminder_has_no_calendar_file(
    smtp: tuple[Inbox, int], texts: Translations, clock: FixedClock
) -> None:
    inbox, port = smtp
    notifier = Notifier(Mailer(SmtpConfig("127.0.0.1", port), texts), None, texts, clock, "x")

    await notifier.notify(visit("en", kind="reminder"))

    msg = received(inbox)
    assert msg["Subject"] == "Reminder of your visit to Poznań City Hall – code K7M4RX"
    assert not [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


async def test_smtp_server_down_is_reported_not_raised(
    texts: Translations, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there
    mailer = Mailer(SmtpConfig("127.0.0.1", port, timeout_s=2), texts)
    notifier = Notifier(mailer, None, texts, clock, "kontakt.local")

    with caplog.at_level(logging.WARNING, logger="kontakt.booking"):
        deliveries = await notifier.notify(visit())

    assert deliveries == [
        Delivery("email", ok=False, detail=f"SMTP 127.0.0.1:{port}: connection refused")
    ]
    assert "K7M4RX" in caplog.text
    assert "lucja@example.org" not in caplog.text


# --- a real HTTP server speaking the SMSAPI.pl protocol ------------------------------------


@dataclass
class SmsApi:
    """Accepts token ``good``; number 48000000000 is refused like SMSAPI does (error 13)."""

    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    delay_s: float = 0.0
    url: str = ""


@pytest.fixture
def smsapi() -> Iterator[SmsApi]:
    api = SmsApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode("utf-8"))
            api.requests.append((self.path, self.headers.get("Authorization", ""), form))
            time.sleep(api.delay_s)
            if self.headers.get("Authorization") != "Bearer good":
                self.reply(401, {"error": 101, "message": "Authorization failed"})
            elif form.get("to") == ["48000000000"]:
                self.reply(200, {"error": 13, "message": "No correct phone numbers"})
            else:
                self.reply(200, {"count": 1, "list": [{
                    "id": "5A1C0FFEE", "points": 0.16, "number": form["to"][0],
                    "date_sent": 1700000000, "submitted_number": form["to"][0],
                    "status": "QUEUE",
                }]})  # fmt: skip

        def reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_sms_goes_out_through_smsapi(
    smsapi: SmsApi, texts: Translations, clock: FixedClock
) -> None:
    gateway = SmsApiGateway(token="good", base_url=smsapi.url, sender="UM Poznan")
    notifier = Notifier(None, gateway, texts, clock, "kontakt.local")

    deliveries = await notifier.notify(visit())

    assert deliveries == [Delivery("sms", ok=True, detail="5A1C0FFEE")]
    [(path, auth, form)] = smsapi.requests
    assert (path, auth) == ("/sms.do", "Bearer good")
    assert form == {
        "to": ["48601234567"],
        "message": [sms_text(visit(), texts)],
        "from": ["UM Poznan"],
        "format": ["json"],
        "encoding": ["utf-8"],
    }
    assert form["message"][0].startswith("UM Poznan: wizyta 03.12 10:00, Wydzial Spraw")


async def test_email_and_sms_together(
    smtp: tuple[Inbox, int], smsapi: SmsApi, texts: Translations, clock: FixedClock
) -> None:
    inbox, port = smtp
    async with httpx.AsyncClient() as client:
        gateway = SmsApiGateway(token="good", base_url=smsapi.url, client=client)
        mailer = Mailer(SmtpConfig("127.0.0.1", port), texts)
        notifier = Notifier(mailer, gateway, texts, clock, "kontakt.local")

        deliveries = await notifier.notify(visit("uk"))

    assert [(d.channel, d.ok) for d in deliveries] == [("email", True), ("sms", True)]
    assert len(inbox.messages) == 1
    assert "from" not in smsapi.requests[0][2]


async def test_smsapi_error_reply_is_a_failed_delivery(
    smsapi: SmsApi, texts: Translations, clock: FixedClock
) -> None:
    gateway = SmsApiGateway(token="good", base_url=smsapi.url)
    notifier = Notifier(None, gateway, texts, clock, "kontakt.local")

    deliveries = await notifier.notify(visit(phone="+48000000000"))

    assert deliveries == [
        Delivery("sms", ok=False, detail="SMSAPI error 13: No correct phone numbers")
    ]


async def test_smsapi_wrong_token(smsapi: SmsApi) -> None:
    gateway = SmsApiGateway(token="stale", base_url=smsapi.url)

    with pytest.raises(DeliveryError, match=r"^SMSAPI error 101: Authorization failed$"):
        await gateway.send("+48601234567", "test")


async def test_smsapi_timeout(smsapi: SmsApi) -> None:
    smsapi.delay_s = 0.5
    gateway = SmsApiGateway(token="good", base_url=smsapi.url, timeout=0.1)

    with pytest.raises(DeliveryError, match=r"^SMSAPI: no answer within 0.1 s$"):
        await gateway.send("+48601234567", "test")


async def test_smsapi_unreachable() -> None:
    gateway = SmsApiGateway(token="good", base_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(DeliveryError, match=r"^SMSAPI: ConnectError"):
        await gateway.send("+48601234567", "test")


# --- configuration and texts -------------------------------------------------------------


async def test_nothing_is_sent_when_not_configured(texts: Translations, clock: FixedClock) -> None:
    assert await Notifier(None, None, texts, clock, "kontakt.local").notify(visit()) == []


def test_notifications_are_off_by_default(texts: Translations, clock: FixedClock) -> None:
    notifier = notifier_from_settings(Settings(), texts, clock)

    assert (notifier.mailer, notifier.sms) == (None, None)


def gsm_segments(text: str) -> int:
    """Independent of the production helper: GSM-7 when every char is in the basic table."""
    basic = set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    if set(text) <= basic:
        return 1 if len(text) <= 160 else -(-len(text) // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


LONG_UNIT = {
    "pl": "Wydział Spraw Obywatelskich – Oddział Ewidencji Ludności i Dowodów Osobistych, "
    "Punkt Obsługi Mieszkańców przy Urzędzie Stanu Cywilnego",
    "uk": "Відділ у справах громадян – відділення реєстрації населення та посвідчень "
    "особи, пункт обслуговування мешканців",
    "en": "Citizens' Affairs Department – Population Register and Identity Cards Section, "
    "Residents' Service Point at the Registry Office",
}


@pytest.mark.parametrize("kind", ["confirmed", "reminder", "rescheduled", "cancelled"])
@pytest.mark.parametrize("language", ["pl", "uk", "en"])
def test_sms_fits_two_segments(texts: Translations, language: str, kind: str) -> None:
    notice = visit(
        language,
        kind=kind,
        unit_name=LONG_UNIT[language],
        unit_address="ul. Gen. Tadeusza Kutrzeby 10, 61-719 Poznań, budynek B, parter",
    )

    text = sms_text(notice, texts)

    assert gsm_segments(text) <= 2
    assert "03.12 10:00" in text
    assert "K7M4RX" in text
    if language != "uk":
        assert text.isascii()


def test_short_polish_sms_is_one_plain_segment(texts: Translations) -> None:
    text = sms_text(visit("pl"), texts)

    assert text == (
        "UM Poznan: wizyta 03.12 10:00, Wydzial Spraw Obywatelskich, ul. Libelta 16/20, "
        "Poznan, kod K7M4RX. Zmiana lub odwolanie: tel. 61 646 33 44"
    )
    assert gsm_segments(text) == 1
