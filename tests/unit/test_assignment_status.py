"""The status of an assigned course: completed (on time or late), overdue, in progress, not started."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lms.assignments.status import (
    COMPLETED,
    COMPLETED_LATE,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    STATUS_ORDER,
    status_of,
)

DUE = date(2026, 11, 30)
JAKARTA, JAYAPURA = "Asia/Jakarta", "Asia/Jayapura"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_on_the_due_day_itself_nothing_is_overdue_yet():
    """Is a course still on time during the whole due day, up to its last local minute?"""
    last_minute = utc(2026, 11, 30, 16, 59)  # 23.59 WIB on the due day
    assert status_of(DUE, JAKARTA, last_minute).kind == NOT_STARTED
    next_day = utc(2026, 11, 30, 17, 0)  # 00.00 WIB the day after
    late = status_of(DUE, JAKARTA, next_day)
    assert late.kind == OVERDUE
    assert late.days_overdue == 1


def test_the_persons_time_zone_decides_the_day():
    """At the same instant, is a WIT employee overdue while a WIB one is not?"""
    moment = utc(2026, 11, 30, 15, 30)  # 22.30 WIB, 00.30 WIT the next day
    assert status_of(DUE, JAKARTA, moment).kind == NOT_STARTED
    assert status_of(DUE, JAYAPURA, moment).kind == OVERDUE


def test_days_overdue_count_calendar_days():
    """Does the number of days overdue count local calendar days after the due day?"""
    status = status_of(DUE, JAKARTA, utc(2026, 12, 10, 3, 0), enrolled=True, percent=50.0)
    assert (status.kind, status.days_overdue, status.percent) == (OVERDUE, 10, 50.0)


def test_in_progress_carries_the_percent():
    """Is an enrolled person before the due date in progress, with their percent?"""
    status = status_of(DUE, JAKARTA, utc(2026, 11, 1), enrolled=True, percent=33.3)
    assert (status.kind, status.percent) == (IN_PROGRESS, 33.3)
    assert status_of(DUE, JAKARTA, utc(2026, 11, 1)).kind == NOT_STARTED


def test_completed_by_the_end_of_the_due_day_is_on_time():
    """Is a completion at 23.59 local on the due day on time, and one a minute later late?"""
    on_time = status_of(DUE, JAKARTA, utc(2026, 12, 5), completed_at=utc(2026, 11, 30, 16, 59))
    assert (on_time.kind, on_time.completed_on) == (COMPLETED, DUE)
    late = status_of(DUE, JAKARTA, utc(2026, 12, 5), completed_at=utc(2026, 11, 30, 17, 0))
    assert (late.kind, late.completed_on) == (COMPLETED_LATE, date(2026, 12, 1))
    assert late.done and on_time.done


def test_a_completion_wins_over_overdue():
    """Once completed, is a course never overdue, however late it is now?"""
    status = status_of(DUE, JAYAPURA, utc(2027, 6, 1), completed_at=utc(2026, 11, 30, 14, 0))
    assert status.kind == COMPLETED  # 23.00 WIT on the due day


def test_sorting_puts_what_needs_attention_first():
    """Does sorting by status put overdue people first and completed ones last?"""
    assert STATUS_ORDER[0] == OVERDUE and STATUS_ORDER[-1] == COMPLETED
