"""Assigned training's rules: who a target reaches, saving without duplicates, cancelling,
later joiners, and the per-person view (earliest due date) that every page and export reads.

Membership is materialised in `assignment_member` rather than resolved at query time because:
- a person who leaves the unit (or changes jabatan) keeps what was assigned to them when it was
  made, which a query on today's unit cannot know;
- the database can then guarantee "once per assignment and person" (a unique constraint) and
  every report is a plain join;
- later joiners are added by `include_later_joiners`, which the employee import and the admin's
  user form call after they change a unit or a jabatan (and the unit import, which can move a
  unit into a tree). It inserts with ON CONFLICT DO NOTHING, so it is safe to run twice or at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from lms.accounts.models import Unit, User
from lms.accounts.nip import looks_like_nip, normalise_nip
from lms.assignments.models import (
    JABATAN,
    PEOPLE,
    REASON_MAX,
    UNIT,
    Assignment,
    AssignmentMember,
)
from lms.assignments.status import OVERDUE, AssignmentStatus, status_of
from lms.catalog.models import Course, CourseVersion, ModuleVersion
from lms.clock import utcnow
from lms.competency.services import jabatan_key, normalise_jabatan
from lms.content.problems import N_
from lms.database import contains_pattern
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.models import Completion, Enrolment, ModuleProgress
from lms.notifications.services import notify_many, register_kind
from lms.reports import tables
from lms.reports.exports import Column
from lms.reports.queries import unit_and_descendants

MAX_PEOPLE_LINES = 2000
PREVIEW_NAMES = 200  # the preview lists this many people by name, then counts the rest

ASSIGNED = "assignment-new"
register_kind(ASSIGNED, N_("You are assigned the course “%(course)s”, due %(due)s."))


def _tell_assigned(assignment: Assignment, user_ids: Iterable[int]) -> None:
    """Each newly assigned person hears of it in the app (the dashboard shows it first too)."""
    course = assignment.course or db.session.get(Course, assignment.course_id)
    title = course.current_version.title if course.current_version else course.code
    notify_many(
        user_ids, ASSIGNED, f"/courses/{course.code}",
        course=title, due=assignment.due_on.strftime("%d-%m-%Y"),
    )  # fmt: skip


class DueInPast(DomainError):
    template = N_("The due date cannot be in the past.")


class CourseNotPublished(DomainError):
    template = N_("Choose a published course.")


class ReachesNobody(DomainError):
    template = N_(
        "This target reaches no active employee. Choose another target, or tick "
        "“also include employees who join later”."
    )


class AlreadyCancelled(DomainError):
    template = N_("This assignment was already cancelled.")


class DuplicateAssignment(DomainError):
    template = N_(
        "An active assignment of this course to this target already exists (due %(due)s). "
        "No second one was created."
    )

    def __init__(self, existing: Assignment):
        self.existing = existing
        super().__init__(due=existing.due_on.isoformat())


# --- Targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleProblem:
    line: int
    value: str
    template: str  # translated when shown


@dataclass(frozen=True)
class Target:
    kind: str
    unit_id: int | None = None
    include_subunits: bool = False
    jabatan: str | None = None
    user_ids: tuple[int, ...] = ()
    include_later: bool = False

    @property
    def key(self) -> str:
        """What makes two assignments "the same target" (include_later aside)."""
        if self.kind == UNIT:
            return f"unit:{self.unit_id}:{'tree' if self.include_subunits else 'only'}"
        if self.kind == JABATAN:
            return f"jabatan:{jabatan_key(self.jabatan)}"[:250]
        ids = ",".join(str(i) for i in sorted(set(self.user_ids)))
        return f"people:{hashlib.sha1(ids.encode()).hexdigest()}"  # noqa: S324 - a key, not a secret


def parse_people(text: str) -> tuple[tuple[int, ...], list[PeopleProblem]]:
    """NIPs or usernames, one a line: (the active accounts found, a problem per bad line)."""
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) > MAX_PEOPLE_LINES:
        problem = N_("At most %(count)d lines at once.")
        return (), [PeopleProblem(MAX_PEOPLE_LINES + 1, "", problem)]
    nips = {normalise_nip(v) for _, v in lines if looks_like_nip(v)}
    names = {v.lower() for _, v in lines if not looks_like_nip(v)}
    found: dict[str, User] = {}
    for chunk in _chunks(sorted(nips)):
        found.update(
            (u.nip, u) for u in db.session.scalars(select(User).where(User.nip.in_(chunk)))
        )
    for chunk in _chunks(sorted(names)):
        found.update(
            (u.username, u)
            for u in db.session.scalars(select(User).where(User.username.in_(chunk)))
        )
    ids: list[int] = []
    problems: list[PeopleProblem] = []
    for number, value in lines:
        key = normalise_nip(value) if looks_like_nip(value) else value.lower()
        user = found.get(key)
        if user is None:
            problems.append(PeopleProblem(number, value, N_("no account has this NIP or username")))
        elif not user.active:
            problems.append(PeopleProblem(number, value, N_("this account is deactivated")))
        elif user.id not in ids:
            ids.append(user.id)
    return tuple(ids), problems


def _chunks(items: Sequence, size: int = 500) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _target_users(target: Target) -> Select:
    """The active accounts a unit or jabatan target reaches today (ids, as a select)."""
    stmt = select(User.id).where(User.active.is_(True))
    if target.kind == UNIT:
        units = unit_and_descendants(target.unit_id) if target.include_subunits else None
        return stmt.where(
            User.unit_id.in_(units) if units is not None else User.unit_id == target.unit_id
        )
    if target.kind == JABATAN:
        # A cheap first cut in SQL; the exact rule (case and spacing) is applied in `reach`.
        # SQL lower() only knows ASCII on SQLite: no cut for other letters.
        first_word = jabatan_key(target.jabatan).split(" ")[0]
        stmt = stmt.where(User.jabatan.is_not(None))
        if first_word.isascii():
            like = contains_pattern(first_word)
            stmt = stmt.where(func.lower(User.jabatan).like(like, escape="\\"))
        return stmt
    return stmt.where(User.id.in_(target.user_ids))


def reach(target: Target, user_ids: Iterable[int] | None = None) -> list[int]:
    """The ids of the active employees the target reaches now (optionally among `user_ids`)."""
    stmt = _target_users(target)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    if target.kind == JABATAN:
        wanted = jabatan_key(target.jabatan)
        rows = db.session.execute(stmt.add_columns(User.jabatan)).all()
        return [user_id for user_id, jabatan in rows if jabatan_key(jabatan) == wanted]
    return list(db.session.scalars(stmt))


@dataclass
class Reach:
    count: int
    people: list[User]  # the first PREVIEW_NAMES, by name


def preview(target: Target) -> Reach:
    ids = reach(target)
    # Listed by name: straight from the target where SQL knows it exactly (a jabatan is
    # matched in Python, and rarely held by thousands).
    among = ids[:5000] if target.kind == JABATAN else _target_users(target)
    people = list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(among))
            .options(contains_eager(User.unit))
            .outerjoin(User.unit)
            .order_by(User.name, User.id)
            .limit(PREVIEW_NAMES)
        )
    )
    return Reach(len(ids), people)


def jabatan_values() -> list[str]:
    """Every jabatan on an active account, each spelled once (the most common spelling)."""
    rows = db.session.execute(
        select(User.jabatan, func.count())
        .where(User.active.is_(True), User.jabatan.is_not(None), User.jabatan != "")
        .group_by(User.jabatan)
        .order_by(func.count().desc(), User.jabatan)
    ).all()
    spelled: dict[str, str] = {}
    for jabatan, _count in rows:
        spelled.setdefault(jabatan_key(jabatan), normalise_jabatan(jabatan))
    return sorted(spelled.values(), key=str.casefold)


# --- Saving, updating, cancelling ------------------------------------------------------------


def published_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .join(Course.current_version)
            .options(contains_eager(Course.current_version))
            .where(Course.archived.is_(False))
            .order_by(CourseVersion.title, Course.code)
        )
    )


def _check_due(due_on: date, today: date) -> None:
    if due_on < today:
        raise DueInPast()


def find_identical(course_id: int, target: Target) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.course_id == course_id,
            Assignment.target_key == target.key,
            Assignment.cancelled_at.is_(None),
        )
    )


def create_assignment(
    course: Course,
    target: Target,
    *,
    due_on: date,
    reason: str,
    competency_code: str | None,
    created_by: User,
    today: date,
) -> Assignment:
    """Save the assignment and the people it reaches now; an identical active one is refused
    by the database (DuplicateAssignment carries it, so HR can update it instead)."""
    if course.archived or course.current_version_id is None:
        raise CourseNotPublished()
    _check_due(due_on, today)
    members = reach(target)
    if not members and not (target.include_later and target.kind != PEOPLE):
        raise ReachesNobody()
    assignment = Assignment(
        course_id=course.id, target_kind=target.kind, target_key=target.key,
        unit_id=target.unit_id if target.kind == UNIT else None,
        include_subunits=target.kind == UNIT and target.include_subunits,
        jabatan=normalise_jabatan(target.jabatan) if target.kind == JABATAN else None,
        include_later=target.include_later and target.kind != PEOPLE,
        due_on=due_on, reason=reason.strip()[:REASON_MAX],
        competency_code=(competency_code or None), created_by_id=created_by.id,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        existing = find_identical(course.id, target)
        if existing is None:  # the other one was cancelled meanwhile: let HR try again
            raise
        raise DuplicateAssignment(existing) from None
    now = utcnow()
    for chunk in _chunks(members):
        db.session.execute(
            AssignmentMember.__table__.insert(),
            [{"assignment_id": assignment.id, "user_id": u, "added_at": now} for u in chunk],
        )
    _tell_assigned(assignment, members)
    return assignment


def update_assignment(assignment: Assignment, *, due_on: date, reason: str, today: date) -> bool:
    """Change the due date and reason of an active assignment; True when something changed."""
    if not assignment.active:
        raise AlreadyCancelled()
    _check_due(due_on, today)
    reason = reason.strip()[:REASON_MAX]
    changed = (assignment.due_on, assignment.reason) != (due_on, reason)
    assignment.due_on, assignment.reason = due_on, reason
    db.session.flush()
    return changed


def cancel_assignment(assignment: Assignment, by: User) -> None:
    """Kept for history; learners no longer see it and reports no longer count it."""
    if not assignment.active:
        raise AlreadyCancelled()
    assignment.cancelled_at = utcnow()
    assignment.cancelled_by_id = by.id
    db.session.flush()


def _target_of(assignment: Assignment) -> Target:
    return Target(
        kind=assignment.target_kind,
        unit_id=assignment.unit_id,
        include_subunits=assignment.include_subunits,
        jabatan=assignment.jabatan,
        include_later=assignment.include_later,
    )


def include_later_joiners(user_ids: Iterable[int] | None = None) -> int:
    """Add the people who now match an active "include later" assignment (all, or among
    `user_ids`); nobody is removed. Returns how many memberships were added."""
    open_ended = db.session.scalars(
        select(Assignment).where(
            Assignment.cancelled_at.is_(None), Assignment.include_later.is_(True)
        )
    ).all()
    if not open_ended:
        return 0
    wanted = list(user_ids) if user_ids is not None else None
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    now = utcnow()
    for assignment in open_ended:
        matching = set(reach(_target_of(assignment), wanted))
        if not matching:
            continue
        present = set(
            db.session.scalars(
                select(AssignmentMember.user_id).where(
                    AssignmentMember.assignment_id == assignment.id
                )
            )
        )
        missing = sorted(matching - present)
        joined: list[int] = []
        for chunk in _chunks(missing):
            rows = [
                {
                    "assignment_id": assignment.id,
                    "user_id": u,
                    "added_at": now,
                    "joined_later": True,
                }
                for u in chunk
            ]
            table = AssignmentMember.__table__
            stmt = insert(table).values(rows).on_conflict_do_nothing().returning(table.c.user_id)
            # Only the rows this call wrote: a run at the same time tells its own joiners.
            joined += db.session.scalars(stmt).all()
        if joined:
            _tell_assigned(assignment, joined)
        added += len(joined)
    return added


# --- The per-person view: one line per person and course, earliest due date -------------------


def effective_assignments():
    """(user_id, course_id, due_on): each person's assigned courses once, with the earliest due
    date among the active assignments that reach them."""
    return (
        select(
            AssignmentMember.user_id.label("user_id"),
            Assignment.course_id.label("course_id"),
            func.min(Assignment.due_on).label("due_on"),
        )
        .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
        .where(Assignment.cancelled_at.is_(None))
        .group_by(AssignmentMember.user_id, Assignment.course_id)
        .subquery("effective")
    )


def _zone(unit_zone: str | None, default_zone: str) -> str:
    return unit_zone or default_zone


def _percent(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def _module_counts(course_ids: Iterable[int]) -> dict[int, int]:
    """Modules in each course's current version."""
    ids = list(set(course_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Course.id, func.count(ModuleVersion.id))
            .join(ModuleVersion, ModuleVersion.course_version_id == Course.current_version_id)
            .where(Course.id.in_(ids))
            .group_by(Course.id)
        ).all()
    )


def _done_counts(pairs_users: Select, course_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(user, course) -> modules of the current version marked done, for users in the select."""
    ids = list(set(course_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(ModuleProgress.user_id, ModuleProgress.course_id, func.count(ModuleProgress.id))
        .join(Course, Course.id == ModuleProgress.course_id)
        .join(
            ModuleVersion,
            (ModuleVersion.course_version_id == Course.current_version_id)
            & (ModuleVersion.module_id == ModuleProgress.module_id),
        )
        .where(ModuleProgress.course_id.in_(ids), ModuleProgress.user_id.in_(pairs_users))
        .group_by(ModuleProgress.user_id, ModuleProgress.course_id)
    ).all()
    return {(u, c): n for u, c, n in rows}


@dataclass
class AssignedLine:
    """One assigned course for one person, with its status."""

    user_id: int
    name: str
    nip: str | None
    login: str
    unit_name: str | None
    course_id: int
    course_code: str
    course_title: str
    due_on: date
    status: AssignmentStatus
    reason: str = ""


def _lines(stmt: Select, users: Select, default_zone: str, now: datetime) -> list[AssignedLine]:
    """Rows of (user id, name, nip, username, unit name, unit zone, course id, code, title,
    due_on, completed_at, enrolled?, reason) -> AssignedLine with the status rule applied."""
    rows = db.session.execute(stmt).all()
    course_ids = {r[6] for r in rows}
    totals = _module_counts(course_ids)
    done = _done_counts(users, course_ids) if rows else {}
    lines = []
    for r in rows:
        user_id, name, nip, username, unit_name, zone, course_id, code, title = r[:9]
        due_on, completed_at, enrolment_id, reason = r[9:13]
        status = status_of(
            due_on, _zone(zone, default_zone), now,
            completed_at=completed_at, enrolled=enrolment_id is not None,
            percent=_percent(done.get((user_id, course_id), 0), totals.get(course_id, 0)),
        )  # fmt: skip
        lines.append(
            AssignedLine(
                user_id,
                name,
                nip,
                nip or username or "",
                unit_name,
                course_id,
                code,
                title,
                due_on,
                status,
                reason or "",
            )
        )
    return lines


def _line_select(effective, reason=None) -> Select:
    return (
        select(
            User.id,
            User.name,
            User.nip,
            User.username,
            Unit.name,
            Unit.timezone,
            Course.id,
            Course.code,
            CourseVersion.title,
            effective.c.due_on,
            Completion.completed_at,
            Enrolment.id,
            reason if reason is not None else literal(""),
        )
        .select_from(effective)
        .join(User, User.id == effective.c.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == effective.c.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(
            Completion,
            (Completion.user_id == effective.c.user_id)
            & (Completion.course_id == effective.c.course_id),
        )
        .outerjoin(
            Enrolment,
            (Enrolment.user_id == effective.c.user_id)
            & (Enrolment.course_id == effective.c.course_id),
        )
    )


def learner_assignments(user: User, default_zone: str, now: datetime) -> list[AssignedLine]:
    """The person's assigned courses, once each, earliest due first, with the reason of the
    assignment that set that due date."""
    effective = effective_assignments()
    first = (
        select(Assignment.reason)
        .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
        .where(
            AssignmentMember.user_id == effective.c.user_id,
            Assignment.course_id == effective.c.course_id,
            Assignment.due_on == effective.c.due_on,
            Assignment.cancelled_at.is_(None),
        )
        .order_by(Assignment.id)
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        _line_select(effective, first)
        .where(effective.c.user_id == user.id, Course.archived.is_(False))
        .order_by(effective.c.due_on, CourseVersion.title)
    )
    return _lines(stmt, select(User.id).where(User.id == user.id), default_zone, now)


def assigned_due(user_id: int, course_id: int):
    """The earliest due date of the person's active assignments of this course (one query)."""
    return db.session.scalar(
        select(func.min(Assignment.due_on))
        .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
        .where(
            AssignmentMember.user_id == user_id,
            Assignment.course_id == course_id,
            Assignment.cancelled_at.is_(None),
        )
    )


def assignment_people(
    assignment: Assignment, default_zone: str, now: datetime
) -> list[AssignedLine]:
    """Everyone the assignment reaches, each with the status of that course for them (by the
    earliest due date among their active assignments of it, as every report counts it)."""
    effective = effective_assignments()
    members = select(AssignmentMember.user_id).where(
        AssignmentMember.assignment_id == assignment.id
    )
    due = func.coalesce(effective.c.due_on, assignment.due_on)
    stmt = (
        select(
            User.id,
            User.name,
            User.nip,
            User.username,
            Unit.name,
            Unit.timezone,
            Course.id,
            Course.code,
            CourseVersion.title,
            due,
            Completion.completed_at,
            Enrolment.id,
            Assignment.reason,
        )
        .select_from(_members_joined(effective))
        .join(Course, Course.id == Assignment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(
            Enrolment,
            (Enrolment.user_id == User.id) & (Enrolment.course_id == Assignment.course_id),
        )
        .where(AssignmentMember.assignment_id == assignment.id)
        .order_by(User.name, User.id)
    )
    return _lines(stmt, members, default_zone, now)


def _members_joined(effective):
    """Assignment members with their assignment, person, unit, earliest due date (`effective`)
    and completion of the course, if any: what both per-assignment views read.

    Disabled accounts (people who left or moved away) are left out, as from the overdue list:
    they can no longer take the course, so they would stay "overdue" for ever. Their membership
    is kept, so they count again if the account is enabled again."""
    return (
        AssignmentMember.__table__.join(Assignment, Assignment.id == AssignmentMember.assignment_id)
        .join(User, (User.id == AssignmentMember.user_id) & User.active.is_(True))
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(
            effective,
            and_(
                effective.c.user_id == AssignmentMember.user_id,
                effective.c.course_id == Assignment.course_id,
            ),
        )
        .outerjoin(
            Completion,
            (Completion.user_id == AssignmentMember.user_id)
            & (Completion.course_id == Assignment.course_id),
        )
    )


@dataclass
class Counts:
    assigned: int = 0
    completed: int = 0
    overdue: int = 0


def assignment_counts(
    assignments: Sequence[Assignment], default_zone: str, now: datetime
) -> dict[int, Counts]:
    """Per assignment: people reached, completed, overdue (by each person's earliest due date
    and local today)."""
    ids = [a.id for a in assignments]
    counts = {i: Counts() for i in ids}
    if not ids:
        return counts
    effective = effective_assignments()
    due = func.coalesce(effective.c.due_on, Assignment.due_on)
    completed = Completion.id.is_not(None)
    rows = db.session.execute(
        select(AssignmentMember.assignment_id, Unit.timezone, due, completed, func.count())
        .select_from(_members_joined(effective))
        .where(AssignmentMember.assignment_id.in_(ids))
        .group_by(AssignmentMember.assignment_id, Unit.timezone, due, completed)
    ).all()
    for assignment_id, zone, due_on, is_completed, n in rows:
        c = counts[assignment_id]
        c.assigned += n
        if is_completed:
            c.completed += n
        elif status_of(due_on, _zone(zone, default_zone), now).kind == OVERDUE:
            c.overdue += n
    return counts


def list_assignments() -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .options(contains_eager(Assignment.course).contains_eager(Course.current_version))
            .join(Assignment.course)
            .join(Course.current_version)
            .order_by(Assignment.cancelled_at.is_not(None), Assignment.due_on, Assignment.id)
        )
    )


# --- The overdue list -------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFilter:
    unit_id: int | None = None  # with its sub-units (the person's current unit)
    course_id: int | None = None

    def describe(self) -> dict:
        return {k: v for k, v in (("unit_id", self.unit_id), ("course_id", self.course_id)) if v}


def overdue_lines(f: OverdueFilter, default_zone: str, now: datetime) -> list[AssignedLine]:
    """Active employees past an assigned course's due day (in their zone) without completing
    it: most days overdue first, then by unit and name."""
    effective = effective_assignments()
    # Local today is at most UTC+9 (WIT) here; the status rule decides exactly per person.
    latest_today = (now + timedelta(hours=14)).date()
    stmt = (
        _line_select(effective)
        .where(
            Completion.id.is_(None),
            effective.c.due_on < latest_today,
            User.active.is_(True),
            Course.archived.is_(False),  # learners no longer see an archived course's assignment
        )
        .order_by(effective.c.due_on, Unit.name, User.name, User.id)
    )
    users = select(effective.c.user_id).where(effective.c.due_on < latest_today)
    if f.unit_id:
        tree = unit_and_descendants(f.unit_id)
        stmt = stmt.where(User.unit_id.in_(tree))
        users = users.where(effective.c.user_id.in_(select(User.id).where(User.unit_id.in_(tree))))
    if f.course_id:
        stmt = stmt.where(effective.c.course_id == f.course_id)
        users = users.where(effective.c.course_id == f.course_id)
    lines = [line for line in _lines(stmt, users, default_zone, now) if line.status.kind == OVERDUE]
    lines.sort(key=lambda line: (-line.status.days_overdue, line.unit_name or "", line.name))
    return lines


# --- The overdue export -----------------------------------------------------------------------

OVERDUE_COLUMNS = (
    Column("name", "Nama", 30),
    Column("nip", "NIP", 20),
    Column("unit", "Unit kerja", 30),
    Column("course_code", "Kode kursus", 14),
    Column("course_title", "Kursus", 36),
    Column("due_on", "Batas waktu", 12),
    Column("days_overdue", "Hari terlambat", 10),
    Column("progress", "Kemajuan (%)", 10),
)


def overdue_records(lines: Sequence[AssignedLine]) -> list[dict]:
    return [
        {
            "name": line.name,
            "nip": line.login,
            "unit": line.unit_name or "",
            "course_code": line.course_code,
            "course_title": line.course_title,
            "due_on": line.due_on.isoformat(),
            "days_overdue": line.status.days_overdue,
            "progress": line.status.percent,
        }
        for line in lines
    ]


def export_overdue(
    fmt: str, f: OverdueFilter, *, default_zone: str, now: datetime, actor: str, user_id: int
) -> tables.TableExport:
    """The overdue list as CSV or XLSX, logged like every other export of personal data."""
    return tables.logged_table_export(
        fmt, report="assignments-overdue", log_name="overdue",
        file_stem="pelatihan-terlambat", sheet="Pelatihan terlambat", columns=OVERDUE_COLUMNS,
        records=overdue_records(overdue_lines(f, default_zone, now)), filters=f.describe(),
        actor=actor, channel="web", user_id=user_id,
    )  # fmt: skip
