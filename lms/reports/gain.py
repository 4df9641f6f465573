"""Learning gain from the pre-test to the final quiz, per course and per work unit.

A learner counts when they have a submitted pre-test and a completion of the same course: their
gain is the completion's score (the best passed final attempt) minus the pre-test score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.catalog.models import Course, CourseVersion
from lms.extensions import db
from lms.learning.models import Completion
from lms.quiz.models import PRETEST, QuizAttempt
from lms.reports.queries import CompletionFilter, apply_filter


@dataclass(frozen=True)
class GainFigure:
    """The average gain of `learners` learners; scores and gain are points out of 100."""

    learners: int
    average_pretest: float
    average_final: float

    @property
    def average_gain(self) -> float:
        # The same learners on both sides, so the mean of the differences is the difference of
        # the means.
        return round(self.average_final - self.average_pretest, 1)


def learner_gain(pretest_score: float, final_score: float) -> float:
    """One learner's gain in points: negative when they did worse at the end."""
    return round(final_score - pretest_score, 1)


def from_totals(learners: int, pretest_total: float, final_total: float) -> GainFigure | None:
    """A figure from SQL sums over `learners` learners; None when nobody counts."""
    if not learners:
        return None
    return GainFigure(learners, pretest_total / learners, final_total / learners)


def summarise(pairs: Iterable[tuple[float, float]]) -> GainFigure | None:
    """(pre-test score, final score) per learner -> their average gain and how many they are."""
    count, pre, final = 0, 0.0, 0.0
    for pretest_score, final_score in pairs:
        count += 1
        pre += pretest_score
        final += final_score
    return from_totals(count, pre, final)


def _gain_totals(f: CompletionFilter, group):
    """Completions matching the filter whose learner took the course's pre-test, by `group`."""
    pretest = aliased(QuizAttempt)
    stmt = (
        select(
            group, func.count(Completion.id), func.sum(pretest.score), func.sum(Completion.score)
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .join(
            pretest,
            (pretest.user_id == Completion.user_id)
            & (pretest.course_id == Completion.course_id)
            & (pretest.kind == PRETEST)
            & pretest.submitted_at.is_not(None),
        )
    )
    return apply_filter(stmt, f).group_by(group)


def by_course(f: CompletionFilter) -> dict[str, GainFigure]:
    """Course code -> gain over the filtered completions (courses without a pre-test are absent)."""
    return {
        code: figure
        for code, n, pre, final in db.session.execute(_gain_totals(f, Course.code))
        if (figure := from_totals(n, float(pre or 0), float(final or 0))) is not None
    }


def by_unit(f: CompletionFilter) -> dict[int | None, GainFigure]:
    """Unit id (the learner's own unit, as in the report's unit table) -> gain."""
    return {
        unit_id: figure
        for unit_id, n, pre, final in db.session.execute(_gain_totals(f, User.unit_id))
        if (figure := from_totals(n, float(pre or 0), float(final or 0))) is not None
    }


def for_course(code: str) -> GainFigure | None:
    """All completions of one course, whenever they happened (the trainer's statistics)."""
    return by_course(CompletionFilter(course_code=code)).get(code)
