"""Tell the resident about their visit on every channel that is configured and that they gave.

Delivery is best effort: a booking stands whether or not the e-mail or SMS went out, so
``Notifier.notify`` reports failures instead of raising them into the booking transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from kontakt.booking.ics import visit_ics
from kontakt.booking.mailer import CITY_HELPLINE, Mailer, SmtpConfig, sms_text
from kontakt.booking.notices import DeliveryError, VisitNotice
from kontakt.booking.sms import SmsApiGateway, SmsGateway
from kontakt.clock import Clock
from kontakt.config import Settings
from kontakt.i18n import Translations

log = logging.getLogger("kontakt.booking")


@dataclass(frozen=True)
class Delivery:
    channel: Literal["email", "sms"]
    ok: bool
    detail: str  # the message id, or the one-line error


class Notifier:
    def __init__(
        self,
        mailer: Mailer | None,
        sms: SmsGateway | None,
        texts: Translations,
        clock: Clock,
        uid_domain: str,
        *,
        helpline: str = CITY_HELPLINE,
    ) -> None:
        self.mailer = mailer
        self.sms = sms
        self._texts = texts
        self._clock = clock
        self._uid_domain = uid_domain
        self._helpline = helpline

    async def notify(self, notice: VisitNotice) -> list[Delivery]:
        """One Delivery per channel attempted (none when nothing is configured); never raises."""
        jobs = []
        if self.mailer is not None and notice.email:
            jobs.append(self._guard("email", notice, self._email(self.mailer, notice)))
        if self.sms is not None and notice.phone:
            jobs.append(self._guard("sms", notice, self._sms(self.sms, notice, notice.phone)))
        return list(await asyncio.gather(*jobs))

    async def _email(self, mailer: Mailer, notice: VisitNotice) -> str:
        ics = None
        if notice.kind != "reminder":
            ics = visit_ics(
                notice, uid_domain=self._uid_domain, now=self._clock.now(), organizer=mailer.sender
            )
        return await mailer.send_visit(notice, ics)

    async def _sms(self, gateway: SmsGateway, notice: VisitNotice, phone: str) -> str:
        return await gateway.send(phone, sms_text(notice, self._texts, helpline=self._helpline))

    async def _guard(
        self, channel: Literal["email", "sms"], notice: VisitNotice, job: Awaitable[str]
    ) -> Delivery:
        try:
            detail = await job
        except DeliveryError as exc:
            # The code lets staff find the booking; addresses and numbers stay out of logs.
            log.warning(
                "%s notice %s for visit %s not delivered: %s",
                channel,
                notice.kind,
                notice.code,
                exc,
            )
            return Delivery(channel, ok=False, detail=str(exc))
        except Exception as exc:
            log.warning(
                "%s notice %s for visit %s failed: %s",
                channel,
                notice.kind,
                notice.code,
                type(exc).__name__,
            )
            log.debug("notice failure", exc_info=True)
            return Delivery(channel, ok=False, detail=f"unexpected {type(exc).__name__}")
        return Delivery(channel, ok=True, detail=detail)


def notifier_from_settings(settings: Settings, texts: Translations, clock: Clock) -> Notifier:
    """The Notifier the settings ask for; with no SMTP host and no SMS gateway it sends nothing."""
    mailer = None
    if settings.smtp_host:
        config = SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            ssl=settings.smtp_ssl,
            sender=settings.smtp_sender,
        )
        mailer = Mailer(config, texts, helpline=settings.contact_phone, clock=clock)
    sms: SmsGateway | None = None
    if settings.sms_gateway not in ("", "smsapi"):
        raise ValueError(f"unknown KONTAKT_SMS_GATEWAY {settings.sms_gateway!r}; use smsapi")
    if settings.sms_gateway == "smsapi":
        if not settings.sms_token:
            # Fail at start-up rather than on every booking with "authorization failed".
            raise ValueError("KONTAKT_SMS_GATEWAY=smsapi needs KONTAKT_SMS_TOKEN")
        sms = SmsApiGateway(
            token=settings.sms_token, base_url=settings.sms_url, sender=settings.sms_sender
        )
    # Calendar UIDs must stay the same for the life of a booking, so they hang off the public
    # address of this installation rather than the machine's host name.
    uid_domain = urlsplit(settings.public_url).hostname or "kontakt.local"
    return Notifier(mailer, sms, texts, clock, uid_domain, helpline=settings.contact_phone)
