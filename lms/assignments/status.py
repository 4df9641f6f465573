"""The status of one assigned course for one person, as a pure function (no Flask, no database).

- completed: a completion of the course exists (any version); "completed late" when it was
  written after the end of the due day in the person's zone;
- overdue: not completed and the person's local today is after the due day;
- otherwise in progress (enrolled, with the percent of modules done) or not started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NOT_STARTED, IN_PROGRESS, OVERDUE, COMPLETED, COMPLETED_LATE = (
    "not-started",
    "in-progress",
    "overdue",
    "completed",
    "completed-late",
)
# The order HR sorts by: what needs attention first.
STATUS_ORDER = (OVERDUE, NOT_STARTED, IN_PROGRESS, COMPLETED_LATE, COMPLETED)


@dataclass(frozen=True)
class AssignmentStatus:
    kind: str
    percent: float = 0.0  # modules done, for the unfinished
    completed_on: date | None = None  # the local day of the completion
    days_overdue: int = 0

    @property
    def done(self) -> bool:
        return self.kind in (COMPLETED, COMPLETED_LATE)

    @property
    def sort_key(self) -> int:
        return STATUS_ORDER.index(self.kind)


def due_end(due_on: date, zone: str) -> datetime:
    """The instant the due day ends in `zone` (midnight that starts the next day)."""
    return datetime.combine(due_on + timedelta(days=1), time.min, ZoneInfo(zone))


def status_of(
    due_on: date,
    zone: str,
    now: datetime,
    *,
    completed_at: datetime | None = None,
    enrolled: bool = False,
    percent: float = 0.0,
) -> AssignmentStatus:
    """The status on `now` (aware) of a course due on `due_on` for a person working in `zone`."""
    tz = ZoneInfo(zone)
    if completed_at is not None:
        late = completed_at >= due_end(due_on, zone)
        return AssignmentStatus(
            COMPLETED_LATE if late else COMPLETED, 100.0, completed_at.astimezone(tz).date()
        )
    today = now.astimezone(tz).date()
    if today > due_on:
        return AssignmentStatus(OVERDUE, percent if enrolled else 0.0, None, (today - due_on).days)
    if enrolled:
        return AssignmentStatus(IN_PROGRESS, percent)
    return AssignmentStatus(NOT_STARTED)
