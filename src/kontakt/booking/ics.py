"""The visit as an iCalendar file (RFC 5545), so residents can add it to their own calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

from kontakt.booking.notices import NoticeKind, VisitNotice

PRODID = "-//Miasto Poznan//kontakt//PL"

# Calendar clients keep the copy with the highest SEQUENCE, and on a tie the later DTSTAMP
# (RFC 5546, 2.1.5). Fixed numbers per kind are therefore enough without storing a counter:
# a reschedule outranks the confirmation, repeated reschedules tie and fall back to DTSTAMP,
# and a cancellation (which is final) outranks everything. A reminder repeats the current
# state, so it must not rank below a reschedule it follows.
_SEQUENCE: dict[NoticeKind, int] = {"confirmed": 0, "reminder": 1, "rescheduled": 1, "cancelled": 2}


def visit_ics(
    notice: VisitNotice,
    *,
    uid_domain: str = "kontakt.local",
    now: datetime,
    organizer: str = "",
) -> bytes:
    """One VEVENT with the visit; ``METHOD:CANCEL`` removes it again from the resident's calendar.

    Times are written in UTC: every client converts them correctly, and no VTIMEZONE rules
    have to be kept up to date. ``organizer`` is the sender's e-mail address; Outlook and
    others only honour a cancellation that names the organizer of the original.
    """
    cancelled = notice.kind == "cancelled"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")

    event = Event()
    # The reservation id keeps the UID stable across confirm, reschedule and cancel, which is
    # what lets a calendar replace or remove the entry it already has.
    event.add("uid", f"{notice.public_id}@{uid_domain}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", notice.start.astimezone(UTC))
    event.add("dtend", notice.end.astimezone(UTC))
    event.add("sequence", _SEQUENCE[notice.kind])
    event.add("summary", notice.service_name)
    event.add("location", notice.place)
    event.add("description", _description(notice))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    if cancelled and notice.email:
        # RFC 5546 wants the attendees of a cancelled event listed; a PUBLISH must have none.
        event.add("attendee", vCalAddress(f"mailto:{notice.email}"))
    cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


_LABELS: dict[str, tuple[str, str]] = {
    "pl": ("Kod potwierdzenia", "Potrzebne dokumenty"),
    "uk": ("Код підтвердження", "Необхідні документи"),
    "en": ("Confirmation code", "Documents to bring"),
}


def _description(notice: VisitNotice) -> str:
    # Written in the notice language without the gettext catalogs: the labels are few and the
    # code and link are what matter, so the file stays buildable from a notice alone.
    labels = _LABELS.get(notice.lang, _LABELS["pl"])
    lines = [f"{labels[0]}: {notice.code}"]
    if notice.documents_url:
        lines.append(f"{labels[1]}: {notice.documents_url}")
    return "\n".join(lines)
