"""Learning rules: enrolment, marking modules done, the completion rule and yearly JP.

A course is complete when every module of its current version is done and the final quiz is
passed. The completion is inserted once; a concurrent duplicate hits the unique constraint
inside a savepoint and the existing row is returned instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.accounts.models import ADMIN, HR, User
from lms.catalog.models import Course, CourseModule, CourseVersion
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.models import Completion, Enrolment, ModuleProgress
from lms.mentoring.models import CONFIRMED, MentoringSession, Mentorship
from lms.quiz.models import FINAL, QuizAttempt

# Crockford's base32 alphabet: no I, L, O or U to misread when a number is typed from paper.
_CERT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class NotEnrolled(DomainError):
    template = N_("Enrol in this course first.")


class UnknownModule(DomainError):
    template = N_("This module is not part of the course.")


@dataclass(frozen=True)
class CourseProgress:
    done: frozenset[str]  # module keys marked done (current version's keys only)
    total: int

    @property
    def percent(self) -> float:
        return round(100 * len(self.done) / self.total, 1) if self.total else 0.0

    @property
    def all_done(self) -> bool:
        return self.total > 0 and len(self.done) == self.total


def enrolment_for(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(user_id: int, course: Course) -> tuple[Enrolment, bool]:
    """Enrol a learner; enrolling twice (or two clicks at once) keeps the first enrolment."""
    existing = enrolment_for(user_id, course.id)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            enrolment = Enrolment(user_id=user_id, course_id=course.id)
            db.session.add(enrolment)
        return enrolment, True
    except IntegrityError:
        return enrolment_for(user_id, course.id), False


# Built once: the module page runs it on every view, and building a select costs more
# than running it.
_LEARNER_STATE = (
    select(Enrolment.id, CourseModule.key)
    .select_from(Enrolment)
    .outerjoin(
        ModuleProgress,
        (ModuleProgress.user_id == Enrolment.user_id)
        & (ModuleProgress.course_id == Enrolment.course_id),
    )
    .outerjoin(CourseModule, CourseModule.id == ModuleProgress.module_id)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.course_id == bindparam("course_id"))
)


def learner_state(user_id: int, course_id: int) -> tuple[bool, set[str]]:
    """(enrolled?, module keys done) in one query: the module page's per-learner part."""
    # On the session's connection: plain rows, without the ORM's execution layer.
    params = {"user_id": user_id, "course_id": course_id}
    rows = db.session.connection().execute(_LEARNER_STATE, params).all()
    return bool(rows), {key for _, key in rows if key is not None}


def done_keys(user_id: int, course_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(CourseModule.key)
            .join(ModuleProgress, ModuleProgress.module_id == CourseModule.id)
            .where(ModuleProgress.user_id == user_id, ModuleProgress.course_id == course_id)
        )
    )


def progress_for(
    user_id: int, version: CourseVersion, done: set[str] | None = None
) -> CourseProgress:
    keys = version.module_keys
    if done is None:
        done = done_keys(user_id, version.course_id)
    return CourseProgress(frozenset(k for k in keys if k in done), len(keys))


def mark_done(user_id: int, course: Course, module_key: str) -> Completion | None:
    """Mark a module of the current version done (idempotent); return the completion, if any."""
    version = course.current_version
    if enrolment_for(user_id, course.id) is None:
        raise NotEnrolled()
    if module_key not in version.module_keys:
        raise UnknownModule()
    module_id = db.session.scalar(
        select(CourseModule.id).where(
            CourseModule.course_id == course.id, CourseModule.key == module_key
        )
    )
    already = db.session.scalar(
        select(ModuleProgress.id).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id
        )
    )
    if already is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    ModuleProgress(user_id=user_id, module_id=module_id, course_id=course.id)
                )
        except IntegrityError:
            pass  # a concurrent request marked it first: the module is done either way
    return try_complete(user_id, course)


def completion_for(user_id: int, course_id: int) -> Completion | None:
    return db.session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )


def best_passed_attempt(user_id: int, course_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.kind == FINAL,  # the pre-test never completes a course
            QuizAttempt.passed.is_(True),
        )
        .order_by(QuizAttempt.score.desc(), QuizAttempt.submitted_at)
        .limit(1)
    )


def new_certificate_number(year: int) -> str:
    body = "".join(secrets.choice(_CERT_ALPHABET) for _ in range(12))
    return f"{year}-{body[:4]}-{body[4:8]}-{body[8:]}"


def try_complete(user_id: int, course: Course) -> Completion | None:
    """Write the completion when the rule holds; return it (new or existing), else None."""
    existing = completion_for(user_id, course.id)
    if existing is not None:
        return existing
    version = course.current_version
    if not progress_for(user_id, version).all_done:
        return None
    attempt = best_passed_attempt(user_id, course.id)
    if attempt is None:
        return None
    enrolment = enrolment_for(user_id, course.id)
    now = utcnow()
    try:
        with db.session.begin_nested():
            completion = Completion(
                user_id=user_id,
                course_id=course.id,
                course_version_id=version.id,
                score=attempt.score,
                jp=version.jp,
                enrolled_at=enrolment.enrolled_at if enrolment else now,
                completed_at=now,
                certificate_no=new_certificate_number(now.year),
            )
            db.session.add(completion)
        return completion
    except IntegrityError:
        return completion_for(user_id, course.id)


def completion_by_number(number: str) -> Completion | None:
    """The completion a certificate number belongs to, with what its certificate shows."""
    return db.session.scalar(
        select(Completion)
        .where(Completion.certificate_no == number)
        .options(
            joinedload(Completion.user).joinedload(User.unit),
            joinedload(Completion.course),
            joinedload(Completion.course_version).selectinload(CourseVersion.competencies),
        )
    )


def may_see_certificate(user, completion: Completion) -> bool:
    """The full certificate (with the whole NIP): its holder, HR and admin."""
    return completion.user_id == user.id or user.has_role(HR, ADMIN)


def completion_day(completion: Completion, default_zone: str) -> date:
    """The day the certificate states: the calendar day in the holder's zone, whoever reads it."""
    unit = completion.user.unit
    zone = (unit.timezone if unit is not None else None) or default_zone
    return completion.completed_at.astimezone(ZoneInfo(zone)).date()


def year_bounds(year: int, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants where a calendar year starts and ends in the given zone."""
    tz = ZoneInfo(zone)
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def jp_in_year(user_id: int, year: int, zone: str) -> float:
    """All the JP a person earned in a calendar year of `zone`: completions and confirmed
    mentoring sessions (as a mentee), each in the year it happened."""
    start, end = year_bounds(year, zone)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Completion.jp), 0.0)).where(
            Completion.user_id == user_id,
            Completion.completed_at >= start,
            Completion.completed_at < end,
        )
    )
    return float(total or 0) + mentoring_jp_in_year(user_id, year, zone)


def mentoring_jp_in_year(user_id: int, year: int, zone: str) -> float:
    """The JP of a mentee's confirmed mentoring sessions that started in the year (local days).
    Pending and declined sessions never count."""
    start, end = year_bounds(year, zone)
    total = db.session.scalar(
        select(func.coalesce(func.sum(MentoringSession.jp), 0.0))
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .where(
            Mentorship.mentee_id == user_id,
            MentoringSession.status == CONFIRMED,
            MentoringSession.started_at >= start,
            MentoringSession.started_at < end,
        )
    )
    return float(total or 0)


@dataclass
class DashboardEntry:
    course: Course
    progress: CourseProgress
    completion: Completion | None


def dashboard(user_id: int) -> tuple[list[DashboardEntry], list[DashboardEntry]]:
    """(in progress, completed) for the learner's enrolled courses."""
    rows = db.session.execute(
        select(Course, Completion)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .join(Course.current_version)
        .outerjoin(
            Completion, (Completion.course_id == Course.id) & (Completion.user_id == user_id)
        )
        .where(Enrolment.user_id == user_id)
        .order_by(Enrolment.enrolled_at.desc())
    ).all()
    done_by_course: dict[int, set[str]] = {}
    for course_id, key in db.session.execute(
        select(ModuleProgress.course_id, CourseModule.key)
        .join(CourseModule, CourseModule.id == ModuleProgress.module_id)
        .where(ModuleProgress.user_id == user_id)
    ):
        done_by_course.setdefault(course_id, set()).add(key)
    in_progress, completed = [], []
    for course, completion in rows:
        progress = progress_for(
            user_id, course.current_version, done_by_course.get(course.id, set())
        )
        entry = DashboardEntry(course, progress, completion)
        (completed if completion else in_progress).append(entry)
    return in_progress, completed


def enrolled_course_ids(user_id: int) -> set[int]:
    return set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == user_id)))
