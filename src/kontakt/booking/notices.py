"""What a resident is told about a visit, independent of how it is delivered (e-mail, SMS, ICS).

A notice carries already-translated names, so the channels never reach back into the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from kontakt.i18n import UI_LANGS

NoticeKind = Literal["confirmed", "reminder", "cancelled", "rescheduled"]

# Visits happen in Poznań; residents read times on the office's clock whatever their device says.
VISIT_TIMEZONE = "Europe/Warsaw"


class DeliveryError(Exception):
    """A notice could not be handed to the mail server or SMS gateway.

    The message is one plain line for logs and the event log; it never contains the
    recipient's address or phone number.
    """


@dataclass(frozen=True)
class VisitNotice:
    kind: NoticeKind
    code: str  # short confirmation code, e.g. "K7M4RX"
    public_id: str  # reservation id (hex)
    language: str  # pl | uk | en (anything else -> pl)
    service_name: str  # already in the right language
    unit_name: str
    unit_address: str  # may be "" when unknown
    start: datetime  # aware (UTC); displayed in Europe/Warsaw
    end: datetime
    customer_name: str
    email: str | None
    phone: str | None  # E.164, e.g. "+48601234567"
    documents_url: str = ""  # knowledge-base article listing the required documents
    manage_hint: str = ""  # optional extra line

    def __post_init__(self) -> None:
        # A naive time would silently be read as UTC and show the wrong hour to the resident.
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("VisitNotice needs aware start and end times")

    @property
    def lang(self) -> str:
        """The language the notice is written in; Polish when the booking's is unsupported."""
        return self.language if self.language in UI_LANGS else "pl"

    @property
    def place(self) -> str:
        return f"{self.unit_name}, {self.unit_address}" if self.unit_address else self.unit_name

    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(VISIT_TIMEZONE))

    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(VISIT_TIMEZONE))
