"""Confirmations, cancellations and reminders reach a real SMTP server, after the commit."""

from __future__ import annotations

import email
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import httpx
from sqlalchemy import select

from kontakt.app import create_app
from kontakt.booking.delivery import send_reminders
from kontakt.booking.events import NotificationSent
from kontakt.clock import FixedClock
from kontakt.events import EventRow
from kontakt.runtime import Runtime
from tests.booking.conftest import Inbox

API = "/calendar-backend/public/api/v1"


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


async def test_confirm_cancel_and_remind_by_email(
    booking_runtime: Runtime, smtp: tuple[Inbox, int], clock: FixedClock
) -> None:
    inbox, port = smtp
    booking_runtime.settings = booking_runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port}
    )
    app = create_app(booking_runtime.settings, runtime=booking_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        booked = await client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/10:00/book",
            json={
                "customer": {"firstName": "Ola", "lastName": "Nowak", "email": "ola@example.org"}
            },
            headers={"Accept-Language": "en"},
        )
        assert booked.status_code == 200, booked.text
        code = booked.json()["confirmationCode"]
        assert len(inbox.messages) == 1
        (to, raw) = inbox.messages[0]
        confirmation = parse(raw)
        assert to == ["ola@example.org"]
        assert code in str(confirmation["Subject"])
        assert any(p.get_content_type() == "text/calendar" for p in confirmation.walk())

        # A second visit, booked and then cancelled: the resident is told.
        other = await client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/10:15/book",
            json={
                "customer": {"firstName": "Jan", "lastName": "Nowak", "email": "jan@example.org"}
            },
        )
        assert other.status_code == 200
        deleted = await client.delete(f"{API}/appointments/{other.json()['publicId']}")
        assert deleted.status_code == 204
        assert [m[0] for m in inbox.messages] == [
            ["ola@example.org"],
            ["jan@example.org"],
            ["jan@example.org"],
        ]
        assert "CANCEL" in parse(inbox.messages[2][1]).as_string()

    # The day before: one reminder for the visit still booked, and never a second one.
    assert await send_reminders(booking_runtime, clock.now() + timedelta(days=1)) == (1, 0)
    assert [m[0] for m in inbox.messages][-1] == ["ola@example.org"]
    assert await send_reminders(booking_runtime, clock.now() + timedelta(days=1)) == (0, 0)
    assert len(inbox.messages) == 4

    async with booking_runtime.transaction() as session:
        rows = (
            await session.scalars(select(EventRow).where(EventRow.kind == NotificationSent.kind))
        ).all()
    assert [(r.payload["notice"], r.payload["ok"]) for r in rows] == [
        ("confirmed", True),
        ("confirmed", True),
        ("cancelled", True),
        ("reminder", True),
    ]


async def test_no_mail_when_the_booking_fails(
    booking_runtime: Runtime, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    booking_runtime.settings = booking_runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port}
    )
    app = create_app(booking_runtime.settings, runtime=booking_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        bad = await client.post(
            f"{API}/branches/branch-a/services/single/dates/2026-11-26/times/10:00/book",
            json={"customer": {"firstName": "Ola", "lastName": "Nowak", "email": "ola@"}},
        )
        assert bad.status_code == 422
    assert inbox.messages == []
