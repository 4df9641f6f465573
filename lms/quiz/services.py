"""Quiz rules: starting an attempt within max_attempts, submitting it exactly once, grading it.

The correct answers never leave the server before submission: `questions_for_display` strips them.
The optional pre-test goes through the same functions (attempts of kind PRETEST): one attempt per
learner and course, graded the same way, with a score but no pass or fail and no completion.
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
from lms.quiz.models import FINAL, PRETEST, QuizAttempt


class NoAttemptsLeft(DomainError):
    template = N_("You have used all %(count)d attempts of this quiz.")


class AlreadyPassed(DomainError):
    template = N_("You have already passed this quiz.")


class AttemptAlreadySubmitted(DomainError):
    template = N_("This attempt was already submitted; it was graded once.")


class QuizNotEnrolled(DomainError):
    template = N_("Enrol in this course before taking its quiz.")


class NoPretest(DomainError):
    template = N_("This course has no pre-test.")


class PretestAlreadyTaken(DomainError):
    template = N_("You have already taken the pre-test of this course; it has one attempt.")


class PretestClosed(DomainError):
    template = N_(
        "The pre-test is offered before the final quiz; you have already taken the final quiz."
    )


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


def attempts_of(user_id: int, course_id: int, kind: str = FINAL) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.kind == kind,
            )
            .order_by(QuizAttempt.number)
        )
    )


def quiz_of(version: CourseVersion, kind: str) -> dict:
    """The parsed quiz an attempt of `kind` answers (answers included: server side only)."""
    return (version.pretest if kind == PRETEST else version.quiz) or {"questions": []}


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
                kind=FINAL,
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
    by_key = {q["key"]: q for q in quiz_of(version, attempt.kind)["questions"]}
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
    if attempt.is_pretest and final_quiz_started(attempt.user_id, attempt.course_id):
        raise PretestClosed()
    version = attempt.course_version
    questions = quiz_of(version, attempt.kind)["questions"]
    responses = read_responses(questions, attempt.layout, form)
    result = grade(questions, responses)
    # A pre-test measures where the learner starts: it has a score, not a pass or a fail.
    passed = None if attempt.is_pretest else result.score >= version.pass_mark
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
    completion = try_complete(attempt.user_id, attempt.course) if passed is True else None
    return result, completion


def review(version: CourseVersion, attempt: QuizAttempt, reveal: bool) -> list[dict]:
    """After submission: each question with the learner's answer, its verdict and explanation.

    The correct answers themselves are shown only when `reveal` (passed, or no attempt left),
    so a failed attempt does not hand out the key for the next one.
    """
    by_key = {q["key"]: q for q in quiz_of(version, attempt.kind)["questions"]}
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


# --- The pre-test --------------------------------------------------------------------------


@dataclass
class PretestStatus:
    """A learner's pre-test of one course: one attempt, taken or not, whatever the version."""

    attempt: QuizAttempt | None  # the learner's only pre-test attempt, open or submitted
    final_started: bool  # a final-quiz attempt was submitted: a pre-test would measure nothing

    @property
    def taken(self) -> bool:
        return self.attempt is not None and self.attempt.is_submitted

    @property
    def offered(self) -> bool:
        """Invite the learner: not taken yet and the final quiz not tried yet (never blocking)."""
        return not self.taken and not self.final_started


def pretest_attempt(user_id: int, course_id: int) -> QuizAttempt | None:
    return next(iter(attempts_of(user_id, course_id, PRETEST)), None)


def final_quiz_started(user_id: int, course_id: int) -> bool:
    return (
        db.session.scalar(
            select(QuizAttempt.id)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.kind == FINAL,
                QuizAttempt.submitted_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def pretest_status(user_id: int, course: Course) -> PretestStatus | None:
    """None when the current version has no pre-test and the learner never took one."""
    attempt = pretest_attempt(user_id, course.id)
    if course.current_version.pretest is None and attempt is None:
        return None
    return PretestStatus(attempt, final_quiz_started(user_id, course.id))


def pretest_invited(user_id: int, course_id: int, version_id: int) -> bool:
    """One query for the module page: does this version have a pre-test the learner may take?"""
    done_or_closed = (
        select(QuizAttempt.id)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .exists()
    )
    return (
        db.session.scalar(
            select(CourseVersion.id).where(
                CourseVersion.id == version_id, CourseVersion.pretest.is_not(None), ~done_or_closed
            )
        )
        is not None
    )


def start_pretest(user_id: int, course: Course) -> QuizAttempt:
    """Resume the open pre-test attempt or start the only one; refused once taken."""
    if enrolment_for(user_id, course.id) is None:
        raise QuizNotEnrolled()
    version = course.current_version
    attempt = pretest_attempt(user_id, course.id)
    if attempt is not None and attempt.is_submitted:
        raise PretestAlreadyTaken()
    if final_quiz_started(user_id, course.id):
        raise PretestClosed()
    if attempt is not None:
        return attempt
    if version.pretest is None:
        raise NoPretest()
    try:
        with db.session.begin_nested():
            attempt = QuizAttempt(
                user_id=user_id,
                course_id=course.id,
                course_version_id=version.id,
                kind=PRETEST,
                number=1,  # the unique constraint keeps it the only one, even for two clicks
                layout=make_layout(version.pretest["questions"]),
            )
            db.session.add(attempt)
        return attempt
    except IntegrityError:
        db.session.expire_all()
        attempt = pretest_attempt(user_id, course.id)
        if attempt is None or attempt.is_submitted:
            raise PretestAlreadyTaken() from None
        return attempt


def pretest_review_open(user_id: int, course: Course) -> bool:
    """The pre-test's answers and explanations wait until the final quiz is over for the learner
    (passed, or no attempt left): pre-test questions often come back in the final quiz."""
    status = quiz_status(user_id, course)
    return status.passed or status.left == 0
