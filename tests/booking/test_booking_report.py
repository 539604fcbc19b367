"""The booked-visits figures come from the event log alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kontakt.booking.customer import Customer
from kontakt.reports.bookings import booking_report
from kontakt.runtime import Runtime

ANNA = Customer("Anna Nowak", "+48601234567")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


async def test_booked_moved_cancelled_by_channel_unit_and_service(
    booking_runtime: Runtime,
) -> None:
    async with booking_runtime.transaction() as session:
        b = booking_runtime.bookings(session)
        web = await b.hold("branch-a", "single", at(26, 8), channel="web")
        await b.confirm(web.public_id, ANNA)
        voice = await b.hold("branch-a", "triple", at(26, 9), channel="voice")
        await b.confirm(voice.public_id, ANNA)
        api = await b.hold("branch-b", "single", at(28, 9), channel="api")
        await b.confirm(api.public_id, ANNA)
        given_up = await b.hold("branch-a", "single", at(26, 10), channel="web")
        await b.cancel(given_up, channel="web", reason="released")
        await b.reschedule(await b.by_public_id(web.public_id), at(27, 8), channel="web")
        await b.cancel(await b.by_public_id(api.public_id), channel="api")

        report = await booking_report(session, date(2026, 11, 25), date(2026, 11, 25))
    assert (report.booked, report.moved, report.cancelled) == (3, 1, 1)
    assert report.by_channel == {"web": 1, "voice": 1, "api": 1}
    assert report.by_unit == {"branch-a": 2, "branch-b": 1}
    assert report.by_service == {"single": 2, "triple": 1}

    async with booking_runtime.transaction() as session:
        empty = await booking_report(session, date(2026, 11, 26), date(2026, 11, 30))
    assert empty.booked == 0
