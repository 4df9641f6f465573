"""What keeps a learner going: a streak of months with learning, and the pace toward the JP target.

The rules are pure functions of dates (tested alone); `activity_months` reads the learner's
dated learning events (modules done, quiz attempts submitted, completions) from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, union_all

from lms.extensions import db
from lms.learning.models import Completion, ModuleProgress
from lms.mentoring.models import CONFIRMED, MentoringSession, Mentorship
from lms.quiz.models import QuizAttempt

Month = tuple[int, int]  # (year, month)

LOOK_BACK_MONTHS = 24


def previous_month(month: Month) -> Month:
    year, m = month
    return (year - 1, 12) if m == 1 else (year, m - 1)


def learning_streak(months: set[Month], today: date) -> int:
    """Consecutive calendar months with some learning, up to this month.

    A streak still counts when this month has no learning yet (it is not over until the month
    is), so on 1 March a learner active every month until February keeps their streak.
    """
    current: Month = (today.year, today.month)
    if current not in months:
        current = previous_month(current)
    streak = 0
    while current in months:
        streak += 1
        current = previous_month(current)
    return streak


@dataclass(frozen=True)
class Pace:
    """Where a learner stands against the yearly JP target at this point of the year."""

    jp: float
    target: float
    expected: float  # JP a steady learner would have by today
    reached: bool

    @property
    def ahead(self) -> bool:
        return self.jp >= self.expected

    @property
    def behind_by(self) -> float:
        return max(0.0, self.expected - self.jp)


def pace(jp: float, target: float, today: date) -> Pace:
    """Today's share of the target: 20 JP spread evenly over the year, rounded to half a JP."""
    start = date(today.year, 1, 1)
    days_in_year = (date(today.year + 1, 1, 1) - start).days
    elapsed = (today - start).days + 1
    expected = round(target * elapsed / days_in_year * 2) / 2
    return Pace(jp=jp, target=target, expected=expected, reached=jp >= target)


def activity_months(user_id: int, zone: str, today: date) -> set[Month]:
    """Months (in the learner's time zone) with at least one dated learning event."""
    tz = ZoneInfo(zone)
    year, month = today.year, today.month
    for _ in range(LOOK_BACK_MONTHS):
        year, month = previous_month((year, month))
    since = datetime(year, month, 1, tzinfo=tz)
    events = union_all(
        select(ModuleProgress.completed_at.label("at")).where(
            ModuleProgress.user_id == user_id, ModuleProgress.completed_at >= since
        ),
        select(QuizAttempt.submitted_at.label("at")).where(
            QuizAttempt.user_id == user_id, QuizAttempt.submitted_at >= since
        ),
        select(Completion.completed_at.label("at")).where(
            Completion.user_id == user_id, Completion.completed_at >= since
        ),
        # A confirmed mentoring session is learning of the mentee's, as a completion is.
        select(MentoringSession.started_at.label("at"))
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .where(
            Mentorship.mentee_id == user_id,
            MentoringSession.status == CONFIRMED,
            MentoringSession.started_at >= since,
        ),
    ).subquery()
    months: set[Month] = set()
    for (at,) in db.session.execute(select(events.c.at)):
        if at is None:
            continue
        if at.tzinfo is None:  # SQLite through a union loses the column type's conversion
            at = at.replace(tzinfo=ZoneInfo("UTC"))
        local = at.astimezone(tz)
        months.add((local.year, local.month))
    return months
