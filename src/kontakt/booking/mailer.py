"""Visit e-mails (plain text, in the resident's language) over SMTP, and the matching SMS text.

smtplib is blocking, so each message is sent in a worker thread; a city sends a few
hundred confirmations a day, far below what justifies an async SMTP client.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid

from babel.dates import format_datetime

from kontakt.booking.notices import DeliveryError, VisitNotice
from kontakt.booking.sms import fold_diacritics, sms_segments
from kontakt.clock import Clock, SystemClock
from kontakt.i18n import Translations

CITY_HELPLINE = "61 646 33 44"

_SUBJECTS = {
    "confirmed": "Confirmation of your visit to Poznań City Hall – code {code}",
    "reminder": "Reminder of your visit to Poznań City Hall – code {code}",
    "rescheduled": "New date of your visit to Poznań City Hall – code {code}",
    "cancelled": "Cancellation of your visit to Poznań City Hall – code {code}",
}
_LEADS = {
    "confirmed": "Your visit to Poznań City Hall has been booked.",
    "reminder": "This is a reminder of your visit to Poznań City Hall.",
    "rescheduled": "The date of your visit to Poznań City Hall has been changed. "
    "The new date is below.",
    "cancelled": "Your visit to Poznań City Hall has been cancelled.",
}
_SMS = {
    "confirmed": "Poznań City Hall: visit {date} {time}, {place}, code {code}",
    "reminder": "Poznań City Hall: reminder – visit {date} {time}, {place}, code {code}",
    "rescheduled": "Poznań City Hall: new visit date {date} {time}, {place}, code {code}",
    "cancelled": "Poznań City Hall: visit {date} {time} cancelled, code {code}",
}
MANAGE = (
    "To cancel or change your visit, write to the City of Poznań chatbot and give the code "
    "{code} and the last digits of the phone number you gave when booking, or call the city "
    "helpline {phone} (Monday to Friday, 7:30–20:00)."
)
REBOOK = (
    "To book a new visit, write to the City of Poznań chatbot or call the city helpline "
    "{phone} (Monday to Friday, 7:30–20:00)."
)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False  # upgrade a plain connection, usually port 587
    ssl: bool = False  # TLS from the first byte, usually port 465
    sender: str = "kontakt@localhost"
    timeout_s: float = 10.0


class Mailer:
    def __init__(
        self,
        config: SmtpConfig,
        texts: Translations,
        *,
        helpline: str = CITY_HELPLINE,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self._texts = texts
        self._helpline = helpline
        self._clock = clock or SystemClock()

    @property
    def sender(self) -> str:
        return self.config.sender

    async def send_visit(self, notice: VisitNotice, ics: bytes | None) -> str:
        """Send the notice to ``notice.email``; the Message-ID, or DeliveryError."""
        message = self.compose(notice, ics)
        await asyncio.to_thread(self._send, message)
        return str(message["Message-ID"])

    def compose(self, notice: VisitNotice, ics: bytes | None) -> EmailMessage:
        if not notice.email:
            raise DeliveryError("e-mail: the notice has no address")
        _ = self._texts.gettext
        lang = notice.lang
        msg = EmailMessage()
        try:
            msg["To"] = Address(display_name=notice.customer_name, addr_spec=notice.email)
        except (ValueError, IndexError):
            raise DeliveryError("e-mail: the recipient address is not valid") from None
        msg["From"] = Address(display_name=_(lang, "Poznań City Hall"), addr_spec=self.sender)
        msg["Subject"] = _(lang, _SUBJECTS[notice.kind], code=notice.code)
        msg["Date"] = rfc2822_date(self._clock.now())
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")
        msg["Content-Language"] = lang
        # RFC 3834: stops out-of-office replies from answering an unattended sender.
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.body(notice, attached=ics is not None))
        if ics is not None and notice.kind != "reminder":
            method = "CANCEL" if notice.kind == "cancelled" else "PUBLISH"
            msg.add_attachment(
                ics,
                maintype="text",
                subtype="calendar",
                filename=f"UM-Poznan-{notice.code}.ics",
                params={"method": method, "charset": "utf-8"},
            )
        return msg

    def body(self, notice: VisitNotice, *, attached: bool) -> str:
        _ = self._texts.gettext
        lang = notice.lang
        details = [
            _(lang, "Service: {service}", service=notice.service_name),
            _(lang, "Place: {place}", place=notice.place),
            _(lang, "Date and time: {when}", when=visit_when(notice)),
            _(lang, "Confirmation code: {code}", code=notice.code),
        ]
        paragraphs = [_(lang, "Hello,"), _(lang, _LEADS[notice.kind]), "\n".join(details)]
        if notice.kind == "cancelled":
            paragraphs.append(_(lang, REBOOK, phone=self._helpline))
        else:
            if notice.documents_url:
                paragraphs.append(
                    _(
                        lang,
                        "Please bring the documents listed here: {url}",
                        url=notice.documents_url,
                    )
                )
            paragraphs.append(_(lang, MANAGE, code=notice.code, phone=self._helpline))
        if notice.manage_hint:
            paragraphs.append(notice.manage_hint)
        if attached and notice.kind == "cancelled":
            paragraphs.append(_(lang, "The attached file removes the visit from your calendar."))
        elif attached and notice.kind != "reminder":
            paragraphs.append(
                _(lang, "You can add the visit to your calendar from the attached file.")
            )
        paragraphs.append(_(lang, "Kind regards,") + "\n" + _(lang, "Poznań City Hall"))
        return "\n\n".join(paragraphs) + "\n"

    def _send(self, message: EmailMessage) -> None:
        cfg = self.config
        try:
            smtp: smtplib.SMTP
            if cfg.ssl:
                smtp = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout_s, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
            with smtp:
                if cfg.starttls and not cfg.ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.username:
                    smtp.login(cfg.username, cfg.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {cfg.host}:{cfg.port}: {_smtp_reason(exc)}") from None


def _smtp_reason(exc: BaseException) -> str:
    # Server replies often echo the recipient's address, so only codes and kinds are kept.
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"recipient refused ({', '.join(map(str, codes))})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server replied {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "server closed the connection"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "STARTTLS not supported by the server"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or type(exc).__name__})"
    return f"{type(exc).__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


def visit_when(notice: VisitNotice) -> str:
    """``"środa 3 grudnia 2026, 10:00–10:15"``, on the office's clock."""
    start, end = notice.local_start(), notice.local_end()
    day = format_datetime(start, "EEEE d MMMM y, HH:mm", tzinfo=start.tzinfo, locale=notice.lang)
    return f"{day}–{end:%H:%M}"


def sms_text(notice: VisitNotice, texts: Translations, *, helpline: str = CITY_HELPLINE) -> str:
    """The visit in one SMS where possible and never more than two.

    Polish and English texts are folded to plain Latin letters: one Polish letter outside the
    GSM-7 alphabet switches the whole message to UCS-2, which cuts a segment from 160 to 70
    characters and more than doubles the price. Ukrainian is Cyrillic and UCS-2 anyway.
    """
    lang = notice.lang
    local = notice.local_start()
    fold = fold_diacritics if lang != "uk" else _identity

    def render(place: str, tail: bool) -> str:
        text = texts.gettext(
            lang,
            _SMS[notice.kind],
            date=f"{local:%d.%m}",
            time=f"{local:%H:%M}",
            place=place,
            code=notice.code,
        )
        if tail and notice.kind != "cancelled":
            text += ". " + texts.gettext(lang, "To change or cancel: {phone}", phone=helpline)
        return fold(text)

    # Address before helpline: the resident needs to find the office; a shorter text saves
    # a segment, which the city pays for.
    candidates = [
        render(notice.place, True),
        render(notice.place, False),
        render(notice.unit_name, True),
        render(notice.unit_name, False),
    ]
    for limit in (1, 2):
        for text in candidates:
            if sms_segments(text) <= limit:
                return text
    unit = notice.unit_name
    while unit and sms_segments(render(unit + "…", False)) > 2:
        unit = unit[:-1].rstrip()
    return render(unit + "…", False)


def _identity(text: str) -> str:
    return text
