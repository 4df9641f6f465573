"""Report summaries for HR pages: totals, per course, per unit, per employee and the JP spread.

Aggregates run in SQL; Python only merges a few grouped results (units and courses are few).
Confirmed mentoring sessions are learning records of the mentee: they count in JP, per unit and per
person, but not per course; a course, category or competency filter leaves them out (as exports do).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, literal, select, true, union_all

from lms.accounts.models import Unit, User
from lms.catalog.models import Course, CourseVersion
from lms.extensions import db
from lms.learning.models import Completion, Enrolment
from lms.mentoring.models import MentoringSession, Mentorship
from lms.quiz.models import FINAL, QuizAttempt
from lms.reports.queries import (
    CompletionFilter,
    apply_filter,
    apply_mentoring_filter,
    confirmed_sessions,
    unit_and_descendants,
)


def _completions_joined(*columns):
    return (
        select(*columns)
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
    )


@dataclass(frozen=True)
class Summary:
    completions: int
    learners: int  # people with a completion or a confirmed mentoring session in the filter
    jp: float  # completions' and mentoring sessions' JP
    average_score: float | None  # of completions
    mentoring_sessions: int = 0
    mentoring_jp: float = 0.0

    @property
    def records(self) -> int:
        """The rows an export of the same filter writes."""
        return self.completions + self.mentoring_sessions


def _mentoring_in(f: CompletionFilter, *columns, units=None):
    """`columns` over the confirmed sessions the filter covers, or None when it selects courses."""
    if f.courses_only:
        return None
    return apply_mentoring_filter(confirmed_sessions(*columns), f, units=units)


def summary(f: CompletionFilter) -> Summary:
    stmt = apply_filter(
        _completions_joined(
            func.count(Completion.id),
            func.coalesce(func.sum(Completion.jp), 0.0),
            func.avg(Completion.score),
        ),
        f,
    )
    completions, jp, average = db.session.execute(stmt).one()
    average = float(average) if average is not None else None
    units = unit_and_descendants(f.unit_id) if f.unit_id else None  # one CTE in the UNION
    people = apply_filter(_completions_joined(Completion.user_id.label("user_id")), f, units=units)
    sessions, mentoring_jp = 0, 0.0
    mentoring = _mentoring_in(
        f, func.count(MentoringSession.id), func.coalesce(func.sum(MentoringSession.jp), 0.0)
    )
    if mentoring is not None:
        sessions, mentoring_jp = db.session.execute(mentoring).one()
        mentees = _mentoring_in(f, Mentorship.mentee_id.label("user_id"), units=units)
        people = union_all(people, mentees)
    people = people.subquery()
    learners = db.session.scalar(select(func.count(distinct(people.c.user_id))))
    return Summary(
        completions, learners or 0, float(jp or 0) + float(mentoring_jp or 0), average,
        sessions, float(mentoring_jp or 0),
    )  # fmt: skip


@dataclass
class CourseLine:
    code: str
    title: str
    enrolments: int = 0
    completions: int = 0
    jp: float = 0.0
    attempts: int = 0
    passed_attempts: int = 0
    median: float | None = None

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completions / self.enrolments if self.enrolments else None

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed_attempts / self.attempts if self.attempts else None

    @property
    def median_score(self) -> float | None:
        return self.median


def by_course(f: CompletionFilter) -> list[CourseLine]:
    """Enrolments, completions, JP, pass rate of graded attempts and median score per course."""
    current = CourseVersion.__table__.alias("current_version")
    lines: dict[str, CourseLine] = {
        code: CourseLine(code, title)
        for code, title in db.session.execute(
            select(Course.code, current.c.title)
            .join(current, current.c.id == Course.current_version_id)
            .where(Course.code == f.course_code if f.course_code else true())
        )
    }
    people = _people(f)
    enrolled = select(Course.code, func.count(Enrolment.id)).join(
        Course, Course.id == Enrolment.course_id
    )
    enrolled = _in_period(enrolled, Enrolment.enrolled_at, f)
    if people is not None:
        enrolled = enrolled.where(Enrolment.user_id.in_(people))
    for code, count in db.session.execute(enrolled.group_by(Course.code)):
        if code in lines:
            lines[code].enrolments = count

    completed = apply_filter(
        _completions_joined(Course.code, func.count(Completion.id), func.sum(Completion.jp)), f
    ).group_by(Course.code)
    for code, count, jp in db.session.execute(completed):
        line = lines.get(code)
        if line is not None:
            line.completions, line.jp = count, float(jp or 0)
            line.median = _median_score(f, code, count)

    attempts = (
        select(
            Course.code,
            func.count(QuizAttempt.id),
            func.count(QuizAttempt.id).filter(QuizAttempt.passed),
        )
        .join(Course, Course.id == QuizAttempt.course_id)
        .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.kind == FINAL)
    )
    attempts = _in_period(attempts, QuizAttempt.submitted_at, f)
    if people is not None:
        attempts = attempts.where(QuizAttempt.user_id.in_(people))
    for code, total, passed in db.session.execute(attempts.group_by(Course.code)):
        if code in lines:
            lines[code].attempts, lines[code].passed_attempts = total, passed
    shown = [line for line in lines.values() if line.enrolments or line.completions]
    return sorted(shown, key=lambda line: (-line.completions, line.code))


def _median_score(f: CompletionFilter, code: str, count: int) -> float | None:
    """The median score of a course's filtered completions, read from SQL by position.

    SQLite has no median function; reading the one or two middle rows of the ordered scores
    keeps memory flat however many completions there are.
    """
    if not count:
        return None
    ordered = (
        apply_filter(_completions_joined(Completion.score), f)
        .where(Course.code == code)
        .order_by(Completion.score)
    )
    middle = list(
        db.session.scalars(ordered.offset((count - 1) // 2).limit(2 if count % 2 == 0 else 1))
    )
    return float(sum(middle) / len(middle))


def _in_period(stmt, column, f: CompletionFilter):
    """Keep rows whose `column` falls in the filter's period (local calendar days)."""
    start, end = f.bounds()
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column < end)
    return stmt


def _people(f: CompletionFilter):
    """The users a unit filter covers (None: everybody)."""
    if not f.unit_id:
        return None
    return select(User.id).where(User.unit_id.in_(unit_and_descendants(f.unit_id)))


@dataclass
class UnitLine:
    unit_id: int | None
    name: str
    employees: int = 0
    enrolled: int = 0
    completed: int = 0
    jp: float = 0.0  # completions' and confirmed mentoring sessions' JP
    reached_target: int = 0
    mentoring_sessions: int = 0  # confirmed sessions of the unit's mentees
    mentoring_jp: float = 0.0

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completed / self.enrolled if self.enrolled else None


def by_unit(f: CompletionFilter, jp_target: float) -> list[UnitLine]:
    """Per unit (its own staff): employees, enrolments, completions, JP, who reached the target."""
    units = select(Unit.id, Unit.name)
    if f.unit_id:
        units = units.where(Unit.id.in_(unit_and_descendants(f.unit_id)))
    lines: dict[int | None, UnitLine] = {
        uid: UnitLine(uid, name) for uid, name in db.session.execute(units)
    }

    for uid, count in db.session.execute(
        select(User.unit_id, func.count(User.id))
        .where(User.active.is_(True))
        .group_by(User.unit_id)
    ):
        if uid in lines:
            lines[uid].employees = count

    # Enrolments and completions are both counted per course taken, so their ratio is a rate.
    enrolled = select(User.unit_id, func.count(Enrolment.id)).join(
        User, User.id == Enrolment.user_id
    )
    enrolled = _in_period(enrolled, Enrolment.enrolled_at, f)
    for uid, count in db.session.execute(enrolled.group_by(User.unit_id)):
        if uid in lines:
            lines[uid].enrolled = count

    completed = apply_filter(
        _completions_joined(User.unit_id, func.count(Completion.id), func.sum(Completion.jp)), f
    ).group_by(User.unit_id)
    for uid, count, jp in db.session.execute(completed):
        if uid in lines:
            lines[uid].completed, lines[uid].jp = count, float(jp or 0)

    # HR sees mentoring activity per unit: the sessions of the unit's mentees, and their JP.
    mentoring = _mentoring_in(
        f, User.unit_id, func.count(MentoringSession.id), func.sum(MentoringSession.jp)
    )
    if mentoring is not None:
        for uid, count, jp in db.session.execute(mentoring.group_by(User.unit_id)):
            if uid in lines:
                line = lines[uid]
                line.mentoring_sessions, line.mentoring_jp = count, float(jp or 0)
                line.jp += line.mentoring_jp

    # The 20 JP entitlement counts every completion in the period, whatever course filter is set.
    totals = _jp_per_person(f).subquery()
    reached = (
        select(User.unit_id, func.count())
        .join(totals, totals.c.user_id == User.id)
        .where(totals.c.jp >= jp_target)
        .group_by(User.unit_id)
    )
    for uid, count in db.session.execute(reached):
        if uid in lines:
            lines[uid].reached_target = count
    return sorted(lines.values(), key=lambda line: (-line.jp, line.name))


def _jp_per_person(f: CompletionFilter):
    """Per person with a record in the period: JP (completions and confirmed mentoring
    sessions), completions (n) and mentoring sessions (m). Each kind is summed on its own
    (completions through their time index) and the few totals per person are added up."""
    courses = select(
        Completion.user_id.label("user_id"),
        func.sum(Completion.jp).label("jp"),
        func.count(Completion.id).label("n"),
        literal(0).label("m"),
    )
    courses = _in_period(courses, Completion.completed_at, f).group_by(Completion.user_id)
    sessions = confirmed_sessions(
        Mentorship.mentee_id.label("user_id"),
        func.sum(MentoringSession.jp).label("jp"),
        literal(0).label("n"),
        func.count(MentoringSession.id).label("m"),
    )
    sessions = _in_period(sessions, MentoringSession.started_at, f).group_by(Mentorship.mentee_id)
    both = union_all(courses, sessions).subquery()
    return select(
        both.c.user_id,
        func.sum(both.c.jp).label("jp"),
        func.sum(both.c.n).label("n"),
        func.sum(both.c.m).label("m"),
    ).group_by(both.c.user_id)


@dataclass(frozen=True)
class EmployeeLine:
    user_id: int
    nip: str | None
    username: str | None
    name: str
    unit_name: str | None
    jabatan: str | None
    completions: int
    jp: float  # completions' and confirmed mentoring sessions' JP in the period
    mentoring_sessions: int = 0


EMPLOYEE_SORTS = {"name", "jp", "-jp", "unit"}


JP_STATUSES = {"below", "reached"}


def employees(
    f: CompletionFilter,
    *,
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    jp_target: float = 20.0,
):
    """Employees in the filter's units with their JP in the period; (lines, total count).

    `status` "below" keeps those under the JP target, "reached" those at or above it.
    """
    totals = _jp_per_person(f).subquery()
    jp = func.coalesce(totals.c.jp, 0.0)
    stmt = (
        select(
            User.id,
            User.nip,
            User.username,
            User.name,
            Unit.name,
            User.jabatan,
            func.coalesce(totals.c.n, 0),
            jp,
            func.coalesce(totals.c.m, 0),
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(totals, totals.c.user_id == User.id)
        .where(User.active.is_(True))
    )
    people = _people(f)
    if people is not None:
        stmt = stmt.where(User.id.in_(people))
    if status == "below":
        stmt = stmt.where(jp < jp_target)
    elif status == "reached":
        stmt = stmt.where(jp >= jp_target)
    order = {
        "name": (User.name, User.id),
        "jp": (jp, User.name, User.id),
        "-jp": (jp.desc(), User.name, User.id),
        "unit": (Unit.name, User.name, User.id),
    }[sort if sort in EMPLOYEE_SORTS else "name"]
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return [EmployeeLine(*r) for r in rows], total


def jp_distribution(
    f: CompletionFilter, target: float
) -> list[tuple[float | None, float | None, int]]:
    """Employees (in the filter's units) by JP in the period: (above, up to, count) buckets."""
    totals = _jp_per_person(f).subquery()
    stmt = (
        select(func.coalesce(totals.c.jp, 0.0))
        .select_from(User)
        .outerjoin(totals, totals.c.user_id == User.id)
        .where(User.active.is_(True))
    )
    people = _people(f)
    if people is not None:
        stmt = stmt.where(User.id.in_(people))
    bounds = [0, 5, 10, 15]
    buckets = [(None, 0.0)] + [
        (low, high) for low, high in zip(bounds, [*bounds[1:], target], strict=True)
    ]
    counts = [0] * (len(buckets) + 1)
    for (value,) in db.session.execute(stmt):
        if value >= target:
            counts[-1] += 1
            continue
        for i, (_low, high) in enumerate(buckets):
            if value <= high or (i == len(buckets) - 1):
                counts[i] += 1
                break
    return [(low, high, counts[i]) for i, (low, high) in enumerate(buckets)] + [
        (target, None, counts[-1])
    ]


@dataclass(frozen=True)
class ActiveLearner:
    unit_name: str | None
    rank: int
    user_id: int
    name: str
    jabatan: str | None
    completions: int
    jp: float
    mentoring_sessions: int = 0


def most_active(f: CompletionFilter, per_unit: int = 5) -> list[ActiveLearner]:
    """The learners with the most JP in the period, the top `per_unit` of each unit (ties share
    a rank), for recognition; only people with at least one completion or confirmed mentoring
    session in the period (mentoring JP count as the JP they are)."""
    totals = _jp_per_person(f).subquery()
    rank = (
        func.rank()
        .over(partition_by=User.unit_id, order_by=(totals.c.jp.desc(), totals.c.n.desc()))
        .label("rank")
    )
    ranked = (
        select(
            Unit.name.label("unit_name"),
            rank,
            User.id.label("user_id"),
            User.name.label("name"),
            User.jabatan.label("jabatan"),
            totals.c.n.label("n"),
            totals.c.jp.label("jp"),
            totals.c.m.label("m"),
        )
        .join(totals, totals.c.user_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.active.is_(True))
    )
    people = _people(f)
    if people is not None:
        ranked = ranked.where(User.id.in_(people))
    ranked = ranked.subquery()
    rows = db.session.execute(
        select(ranked)
        .where(ranked.c.rank <= per_unit)
        .order_by(ranked.c.unit_name, ranked.c.rank, ranked.c.name)
    )
    return [
        ActiveLearner(u, r, uid, name, jab, n, float(jp), m)
        for u, r, uid, name, jab, n, jp, m in rows
    ]
