"""Quiz rules: starting an attempt within max_attempts, submitting it exactly once, grading it.

The correct answers never leave the server before submission: `questions_for_display` strips them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.catalog.models import Course, CourseVersion
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.models import Completion
from lms.learning.services import enrolment_for, try_complete
from lms.quiz.grading import Grade, grade, make_layout, read_responses
from lms.quiz.models import QuizAttempt


class NoAttemptsLeft(DomainError):
    template = N_("You have used all %(count)d attempts of this quiz.")


class AlreadyPassed(DomainError):
    template = N_("You have already passed this quiz.")


class AttemptAlreadySubmitted(DomainError):
    template = N_("This attempt was already submitted; it was graded once.")


class QuizNotEnrolled(DomainError):
    template = N_("Enrol in this course before taking its quiz.")


@dataclass
class QuizStatus:
    attempts: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    max_attempts: int
    passed: bool

    @property
    def used(self) -> int:
        return sum(1 for a in self.attempts if a.is_submitted)

    @property
    def left(self) -> int:
        return max(0, self.max_attempts - self.used)

    @property
    def best_score(self) -> float | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores) if scores else None

    @property
    def can_start(self) -> bool:
        return not self.passed and (self.open_attempt is not None or self.left > 0)


def attempts_of(user_id: int, course_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.course_id == course_id)
            .order_by(QuizAttempt.number)
        )
    )


def quiz_status(user_id: int, course: Course) -> QuizStatus:
    attempts = attempts_of(user_id, course.id)
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    passed = any(a.passed for a in attempts)
    return QuizStatus(attempts, open_attempt, course.current_version.max_attempts, passed)


def start_attempt(user_id: int, course: Course) -> QuizAttempt:
    """Resume the open attempt or start a new one, within the course's max_attempts."""
    if enrolment_for(user_id, course.id) is None:
        raise QuizNotEnrolled()
    status = quiz_status(user_id, course)
    if status.passed:
        raise AlreadyPassed()
    if status.open_attempt is not None:
        return status.open_attempt
    version = course.current_version
    if status.used >= version.max_attempts:
        raise NoAttemptsLeft(count=version.max_attempts)
    # The number comes from the same read as the checks above: two clicks that both saw N
    # attempts both try number N + 1, and the unique constraint lets only one through.
    # (A second query here could see the other click's commit and pick N + 2.)
    number = max((a.number for a in status.attempts), default=0) + 1
    try:
        with db.session.begin_nested():
            attempt = QuizAttempt(
                user_id=user_id,
                course_id=course.id,
                course_version_id=version.id,
                number=number,
                layout=make_layout(version.quiz["questions"]),
            )
            db.session.add(attempt)
        return attempt
    except IntegrityError:
        # Two clicks at once: the other request created attempt `number`; use that one.
        db.session.expire_all()
        status = quiz_status(user_id, course)
        if status.open_attempt is None:
            raise NoAttemptsLeft(count=version.max_attempts) from None
        return status.open_attempt


def questions_for_display(version: CourseVersion, attempt: QuizAttempt) -> list[dict]:
    """The attempt's questions in its order, without anything that tells the correct answer."""
    by_key = {q["key"]: q for q in version.quiz["questions"]}
    shown = []
    for number, entry in enumerate(attempt.layout, start=1):
        q = by_key[entry["key"]]
        options = {o["id"]: o["html"] for o in q.get("options", [])}
        shown.append(
            {
                "number": number,
                "key": q["key"],
                "kind": q["kind"],
                "points": q["points"],
                "prompt_html": q["prompt_html"],
                "options": [{"id": oid, "html": options[oid]} for oid in entry["options"]],
            }
        )
    return shown


def submit_attempt(attempt: QuizAttempt, form) -> tuple[Grade, Completion | None]:
    """Grade a submission once.

    Raises InvalidSubmission (nothing graded) or AttemptAlreadySubmitted (graded before).
    """
    if attempt.is_submitted:
        raise AttemptAlreadySubmitted()
    version = attempt.course_version
    questions = version.quiz["questions"]
    responses = read_responses(questions, attempt.layout, form)
    result = grade(questions, responses)
    passed = result.score >= version.pass_mark
    # The WHERE on submitted_at makes the second of two simultaneous submits change nothing.
    changed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(),
            responses=responses,
            results=result.results,
            score=result.score,
            passed=passed,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise AttemptAlreadySubmitted()
    db.session.expire(attempt)
    completion = try_complete(attempt.user_id, attempt.course) if passed else None
    return result, completion


def review(version: CourseVersion, attempt: QuizAttempt, reveal: bool) -> list[dict]:
    """After submission: each question with the learner's answer, its verdict and explanation.

    The correct answers themselves are shown only when `reveal` (passed, or no attempt left),
    so a failed attempt does not hand out the key for the next one.
    """
    by_key = {q["key"]: q for q in version.quiz["questions"]}
    items = []
    for number, entry in enumerate(attempt.layout, start=1):
        q = by_key[entry["key"]]
        answer = (attempt.responses or {}).get(q["key"])
        options = {o["id"]: o for o in q.get("options", [])}
        items.append(
            {
                "number": number,
                "kind": q["kind"],
                "prompt_html": q["prompt_html"],
                "explanation_html": q["explanation_html"],
                "fraction": (attempt.results or {}).get(q["key"], 0.0),
                "options": [
                    {
                        "html": options[oid]["html"],
                        "correct": reveal and options[oid]["correct"],
                        "chosen": oid in (answer or []),
                    }
                    for oid in entry["options"]
                ],
                "answer": answer,
                "expected": (q.get("answer") if q["kind"] == "true-false" else q.get("answers"))
                if reveal
                else None,
            }
        )
    return items
