"""Course evaluation rules: who may answer, answering once, "not now", and the anonymous summary.

Trainers and HR see totals only (averages, how many gave each rating, the comments in an order
that says nothing of who or when) and nothing at all until MIN_RESPONSES learners have answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.catalog.models import Course, CourseVersion
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import DomainError
from lms.evaluation.models import QUESTIONS, CourseEvaluation
from lms.extensions import db
from lms.learning.models import Completion
from lms.learning.services import completion_for

# With one or two answers, an average is a person's own rating and a comment may be recognised by
# whoever knows who completed the course; from three on, no figure or comment points at one learner.
MIN_RESPONSES = 3
COMMENT_MAX_LENGTH = 2000
RATINGS = range(1, 6)


class NotCompleted(DomainError):
    template = N_("Only learners who have completed this course can evaluate it.")


class AlreadyEvaluated(DomainError):
    template = N_("You have already evaluated this course. Thank you!")


class InvalidEvaluation(DomainError):
    template = N_("Rate each question from 1 to 5 and keep the comment to 2,000 characters.")


def evaluation_for(user_id: int, course_id: int) -> CourseEvaluation | None:
    return db.session.scalar(
        select(CourseEvaluation).where(
            CourseEvaluation.user_id == user_id, CourseEvaluation.course_id == course_id
        )
    )


def evaluation_of_completed(user_id: int, course: Course) -> CourseEvaluation | None:
    """The learner's answer or dismissal, if any; NotCompleted when they may not evaluate."""
    if completion_for(user_id, course.id) is None:
        raise NotCompleted()
    return evaluation_for(user_id, course.id)


def _check(ratings: dict[str, int], comment: str | None) -> None:
    if any(ratings.get(q) not in RATINGS for q in QUESTIONS):
        raise InvalidEvaluation()
    if comment is not None and len(comment) > COMMENT_MAX_LENGTH:
        raise InvalidEvaluation()


def submit(
    user_id: int, course: Course, ratings: dict[str, int], comment: str | None
) -> CourseEvaluation:
    """Record the learner's one evaluation; a second submit raises AlreadyEvaluated.

    Answering after "not now" turns the dismissal into the answer (the same row).
    """
    _check(ratings, comment)
    existing = evaluation_of_completed(user_id, course)
    if existing is None:
        try:
            with db.session.begin_nested():
                evaluation = CourseEvaluation(user_id=user_id, course_id=course.id)
                evaluation.record_answer(ratings, comment)
                db.session.add(evaluation)
            return evaluation
        except IntegrityError:
            existing = evaluation_for(user_id, course.id)  # a concurrent submit or dismissal
            if existing is None:
                raise
    if existing.answered:
        raise AlreadyEvaluated()
    # Conditional, so two concurrent answers to a dismissed row cannot both win.
    answered = db.session.execute(
        update(CourseEvaluation)
        .where(CourseEvaluation.id == existing.id, CourseEvaluation.answered_at.is_(None))
        .values(
            **{q: ratings[q] for q in QUESTIONS},
            comment=comment or None,
            answered_at=utcnow(),
            dismissed_at=None,
        )
    )
    if answered.rowcount != 1:
        raise AlreadyEvaluated()
    db.session.refresh(existing)
    return existing


def dismiss(user_id: int, course: Course) -> None:
    """Stop asking this learner about this course; an answer or earlier dismissal stays as it is."""
    if evaluation_of_completed(user_id, course) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                CourseEvaluation(user_id=user_id, course_id=course.id, dismissed_at=utcnow())
            )
    except IntegrityError:
        pass  # a concurrent answer or dismissal got there first: either way, do not ask again


@dataclass(frozen=True)
class PendingEvaluation:
    code: str
    title: str


def pending(user_id: int) -> list[PendingEvaluation]:
    """Completed courses the learner has neither evaluated nor dismissed, latest first."""
    rows = db.session.execute(
        select(Course.code, CourseVersion.title)
        .select_from(Completion)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(
            CourseEvaluation,
            (CourseEvaluation.user_id == Completion.user_id)
            & (CourseEvaluation.course_id == Completion.course_id),
        )
        .where(Completion.user_id == user_id, CourseEvaluation.id.is_(None))
        .order_by(Completion.completed_at.desc())
    )
    return [PendingEvaluation(code, title) for code, title in rows]


# --- what trainers and HR see -----------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSummary:
    key: str  # one of QUESTIONS
    average: float
    counts: tuple[int, ...]  # how many learners gave 1, 2, 3, 4 and 5

    @property
    def most(self) -> int:
        return max(self.counts)


@dataclass(frozen=True)
class EvaluationSummary:
    """Figures of one course's answered evaluations; empty below the anonymity threshold."""

    responses: int
    completions: int
    min_responses: int
    questions: tuple[QuestionSummary, ...]  # () below the threshold
    comments: tuple[str, ...]  # () below the threshold; sorted by text, not by who or when

    @property
    def shown(self) -> bool:
        return self.responses >= self.min_responses


_ANSWERED = CourseEvaluation.answered_at.is_not(None)


def _aggregates():
    columns = [func.count(CourseEvaluation.id)]
    for q in QUESTIONS:
        column = getattr(CourseEvaluation, q)
        columns.append(func.avg(column))
        columns += [func.count(CourseEvaluation.id).filter(column == r) for r in RATINGS]
    return columns


def summary(course: Course, min_responses: int = MIN_RESPONSES) -> EvaluationSummary:
    completions = db.session.scalar(
        select(func.count(Completion.id)).where(Completion.course_id == course.id)
    )
    row = db.session.execute(
        select(*_aggregates()).where(CourseEvaluation.course_id == course.id, _ANSWERED)
    ).one()
    responses = row[0]
    if responses < min_responses:
        return EvaluationSummary(responses, completions, min_responses, (), ())
    questions = []
    width = 1 + len(RATINGS)
    for i, q in enumerate(QUESTIONS):
        average, *counts = row[1 + i * width : 1 + (i + 1) * width]
        questions.append(QuestionSummary(q, float(average), tuple(counts)))
    comments = db.session.scalars(
        select(CourseEvaluation.comment).where(
            CourseEvaluation.course_id == course.id,
            _ANSWERED,
            CourseEvaluation.comment.is_not(None),
        )
    )
    return EvaluationSummary(
        responses,
        completions,
        min_responses,
        tuple(questions),
        tuple(sorted(comments, key=lambda text: (text.casefold(), text))),
    )


@dataclass(frozen=True)
class CourseEvaluationLine:
    """One course on HR's overview; `averages` is None below the anonymity threshold."""

    code: str
    title: str
    completions: int
    responses: int
    averages: dict[str, float] | None


def overview(min_responses: int = MIN_RESPONSES) -> list[CourseEvaluationLine]:
    """Every course someone has completed, with its evaluation averages, by title."""
    completions = (
        select(Completion.course_id, func.count(Completion.id).label("n"))
        .group_by(Completion.course_id)
        .subquery()
    )
    answers = (
        select(
            CourseEvaluation.course_id,
            func.count(CourseEvaluation.id).label("n"),
            *(func.avg(getattr(CourseEvaluation, q)).label(q) for q in QUESTIONS),
        )
        .where(_ANSWERED)
        .group_by(CourseEvaluation.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Course.code,
            CourseVersion.title,
            completions.c.n,
            func.coalesce(answers.c.n, 0),
            *(answers.c[q] for q in QUESTIONS),
        )
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .join(completions, completions.c.course_id == Course.id)
        .outerjoin(answers, answers.c.course_id == Course.id)
        .order_by(CourseVersion.title, Course.code)
    )
    lines = []
    for code, title, done, responses, *averages in rows:
        shown = responses >= min_responses
        lines.append(
            CourseEvaluationLine(
                code,
                title,
                done,
                responses,
                dict(zip(QUESTIONS, map(float, averages), strict=True)) if shown else None,
            )
        )
    return lines
