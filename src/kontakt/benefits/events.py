"""Events of the benefit self-service. Like every event they carry no personal data: no
PESEL, no case number, no date of anyone's payment; the log is kept for audit and KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kontakt.events import Event, event_type

FAILURE_REASONS = ("wrong_entries", "hangup")


@event_type
@dataclass(frozen=True)
class BenefitScheduleImported(Event):
    kind: ClassVar[str] = "benefit_schedule_imported"
    batch: str  # uuid of the import, as stored on its rows
    rows: int  # payment lines in the file
    added: int  # new payments in the schedule (duplicates are not added twice)
    replaced: bool  # True: the file replaced the whole previous schedule
    removed: int  # payments dropped by the replace
    file_sha256: str


@event_type
@dataclass(frozen=True)
class SelfServiceFailed(Event):
    """A phone self-service the caller did not get through: three wrong entries (then the
    call goes to a consultant) or a hang-up before the answer."""

    kind: ClassVar[str] = "self_service_failed"
    call_id: str
    service: str  # benefit_payment_date
    reason: str  # wrong_entries | hangup
    wrong_entries: int
