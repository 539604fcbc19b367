"""Send a visit's notices after its transaction committed, and record what was sent.

Notices go out only after the booking is safely stored (a rolled-back booking must never
produce an e-mail), and each attempt is an event, so reminders are never sent twice and
staff can see when a resident was not reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.booking.events import NotificationSent
from kontakt.booking.models import Reservation, Service, Unit
from kontakt.booking.notices import NoticeKind, VisitNotice
from kontakt.booking.notify import Delivery
from kontakt.events import EventRow, record
from kontakt.knowledge.models import ArticleVersion, published_versions
from kontakt.runtime import Runtime


async def build_notice(
    session: AsyncSession, reservation: Reservation, kind: NoticeKind
) -> VisitNotice:
    unit = await session.get(Unit, reservation.unit_id)
    service = await session.get(Service, reservation.service_id)
    assert unit is not None and service is not None  # foreign keys guarantee both
    lang = reservation.language
    documents = ""
    if service.article_id:
        stmt = published_versions().where(ArticleVersion.article_id == service.article_id)
        version = (await session.scalars(stmt)).first()
        documents = version.source_url if version is not None else ""
    return VisitNotice(
        kind=kind,
        code=reservation.code,
        public_id=reservation.public_id,
        language=lang,
        service_name=service.name(lang),
        unit_name=unit.name(lang),
        unit_address=unit.address,
        start=reservation.start,
        end=reservation.end,
        customer_name=reservation.customer_name,
        email=reservation.email or None,
        phone=reservation.phone or None,
        documents_url=documents,
    )


async def send_notice(runtime: Runtime, public_id: str, kind: NoticeKind) -> list[Delivery]:
    """Notify the resident of one visit; never raises for delivery problems."""
    notifier = runtime.notifier()
    if notifier.mailer is None and notifier.sms is None:
        return []
    async with runtime.transaction() as session:
        reservation = (
            await session.scalars(select(Reservation).where(Reservation.public_id == public_id))
        ).first()
        if reservation is None:
            return []
        notice = await build_notice(session, reservation, kind)
    deliveries = await notifier.notify(notice)
    async with runtime.transaction() as session:
        for d in deliveries:
            await record(
                session,
                NotificationSent(public_id, kind, d.channel, d.ok, d.detail[:300]),
                at=runtime.clock.now(),
                conversation_id=reservation.conversation_id,
            )
    return deliveries


async def send_reminders(runtime: Runtime, day: datetime) -> tuple[int, int]:
    """Remind every visit on ``day`` (local date of ``day``) not reminded yet.

    Returns (visits reminded, deliveries that failed)."""
    tz = ZoneInfo(runtime.settings.timezone)
    start = datetime.combine(day.astimezone(tz).date(), datetime.min.time(), tz)
    async with runtime.transaction() as session:
        visits = await runtime.bookings(session).visits_between(start, start + timedelta(days=1))
        rows = await session.scalars(select(EventRow).where(EventRow.kind == NotificationSent.kind))
        done = {
            r.payload["public_id"]
            for r in rows
            if r.payload.get("notice") == "reminder" and r.payload.get("ok")
        }
        todo = [v.public_id for v in visits if v.public_id not in done]
    failed = 0
    for public_id in todo:
        failed += sum(not d.ok for d in await send_notice(runtime, public_id, "reminder"))
    return len(todo), failed
