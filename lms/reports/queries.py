"""Report queries: the completion filter, and rows streamed from SQL in batches for exports.

Nothing here writes learning data. Rows come out as `CompletionRow`/`AttemptRow`, batch by batch,
so an export of a million completions never holds them all in memory; the CSV export reads the same
select as driver records (`completion_records`), without building a row object per completion.
A learning record is a completion or a confirmed mentoring session (the mentee's): both come from
one UNION ALL of two selects with the same columns, ordered by the record time.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Cast,
    DateTime,
    Float,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from lms.accounts.models import Unit, User
from lms.catalog.models import Course, CourseCompetency, CourseVersion
from lms.extensions import db
from lms.learning.models import Completion
from lms.mentoring.models import (
    CONFIRMED,
    JENIS_DIKLAT_MENTORING,
    MentoringProgramme,
    MentoringSession,
    Mentorship,
)
from lms.quiz.models import FINAL, QuizAttempt
from lms.reports.rows import COMPLETION, MENTORING, AttemptRow, CompletionRow

BATCH = 1000


@dataclass(frozen=True)
class CompletionFilter:
    """What HR asked for. Dates are calendar days in `zone`; `until` is inclusive."""

    since: date | None = None
    until: date | None = None
    unit_id: int | None = None  # includes the unit's sub-units
    course_code: str | None = None
    category: str | None = None
    competency: str | None = None
    zone: str = "Asia/Jakarta"

    @classmethod
    def this_year(cls, zone: str = "Asia/Jakarta", **kwargs) -> CompletionFilter:
        today = datetime.now(ZoneInfo(zone)).date()
        return cls(
            since=date(today.year, 1, 1), until=date(today.year, 12, 31), zone=zone, **kwargs
        )

    def describe(self) -> dict:
        """The filter as stored in the audit log: only what was asked for."""
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v
        }

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        tz = ZoneInfo(self.zone)
        start = datetime.combine(self.since, datetime.min.time(), tz) if self.since else None
        end = (
            datetime.combine(self.until + timedelta(days=1), datetime.min.time(), tz)
            if self.until
            else None
        )
        return start, end

    @property
    def courses_only(self) -> bool:
        """A course, category or competency filter selects courses: mentoring records have none,
        so they are left out of everything such a filter narrows (the report page says so)."""
        return bool(self.course_code or self.category or self.competency)


def unit_and_descendants(unit_id: int):
    """A recursive CTE of the unit and every unit below it."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("unit_tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return select(tree.c.id)


def apply_filter(
    stmt: Select, f: CompletionFilter, *, happened_at=None, version_id=None, units=None
) -> Select:
    """Narrow a statement joined with User, Course and CourseVersion to what the filter asks.

    The period applies to `happened_at` (Completion.completed_at unless told otherwise, e.g. a
    quiz attempt's submitted_at); the competency to `version_id` (the completion's version).
    `units`: the unit tree to use (`unit_and_descendants`), when a UNION's arms must share it.
    """
    happened_at = Completion.completed_at if happened_at is None else happened_at
    version_id = Completion.course_version_id if version_id is None else version_id
    start, end = f.bounds()
    if start is not None:
        stmt = stmt.where(happened_at >= start)
    if end is not None:
        stmt = stmt.where(happened_at < end)
    if f.unit_id:
        stmt = stmt.where(
            User.unit_id.in_(unit_and_descendants(f.unit_id) if units is None else units)
        )
    if f.course_code:
        stmt = stmt.where(Course.code == f.course_code)
    if f.category:
        stmt = stmt.where(CourseVersion.category == f.category)
    if f.competency:
        stmt = stmt.where(
            version_id.in_(
                select(CourseCompetency.course_version_id).where(
                    CourseCompetency.code == f.competency
                )
            )
        )
    return stmt


class UTCText(FunctionElement):
    """A stored timestamp as UTC text, "YYYY-MM-DD HH:MM:SS.ffffff" (SQLAlchemy's SQLite format).

    SQLite stores exactly that text; PostgreSQL formats it, whatever the session's TimeZone or
    DateStyle. Text costs the driver no datetime object and lets the CSV writer shift it by a
    cached offset (see lms.reports.exports.LocalTimes).
    """

    type = String()
    name = "utc_text"
    inherit_cache = True


@compiles(UTCText)
def _utc_text_elsewhere(element, compiler, **kw):
    raise CompileError(f"UTCText is not written for {compiler.dialect.name}")


@compiles(UTCText, "sqlite")
def _utc_text_sqlite(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(UTCText, "postgresql")
def _utc_text_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"


def _completion_select(*, text_times: bool = False) -> Select:
    """The completion columns in `CompletionRow` field order (the course version id where the
    competency codes go), joined and ready for `apply_filter`. Labelled where the UNION with
    `_mentoring_select` orders by them."""
    if text_times:
        enrolled, completed = UTCText(Completion.enrolled_at), UTCText(Completion.completed_at)
    else:
        # Read as plain timestamps: the UTC wrapper type costs a Python call per value, and
        # CompletionRow consumers already read a naive timestamp as UTC.
        enrolled = type_coerce(Completion.enrolled_at, DateTime())
        completed = type_coerce(Completion.completed_at, DateTime())
    return (
        select(
            Completion.id.label("record_id"),
            Completion.user_id,
            User.nip,
            User.username,
            User.name,
            Unit.code,
            Unit.name,
            Course.code,
            CourseVersion.title,
            CourseVersion.number,
            Completion.course_version_id,
            Completion.jp,
            CourseVersion.jenis_diklat,
            enrolled,
            completed.label("record_at"),
            Completion.score,
            CourseVersion.pass_mark,
            Completion.certificate_no,
            _typed(f"'{COMPLETION}'", String()).label("kind"),
            _typed("NULL", Integer()).label("minutes"),
        )
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
    )


MENTORING_TITLE = "Mentoring: "  # then the programme's name (SIASN's namaKursus, the title)


def _typed(sql: str, type_) -> Cast:
    """A constant cast to the type of the completion column it stands for, so both kinds of
    record have the same column types (in SQLite's UNION and in PostgreSQL's two streams)."""
    return cast(literal_column(sql), type_)


def _mentoring_select(*, text_times: bool = False) -> Select:
    """Confirmed mentoring sessions as learning records of the mentee, in the columns (and types)
    of `_completion_select`: no course, version, enrolment, score or certificate; the record
    time is the meeting's start. Pending and declined sessions never count."""
    if text_times:
        started = UTCText(MentoringSession.started_at)
    else:
        started = type_coerce(MentoringSession.started_at, DateTime())
    return (
        select(
            MentoringSession.id,
            Mentorship.mentee_id,
            User.nip,
            User.username,
            User.name,
            Unit.code,
            Unit.name,
            _typed("''", String()).label("course_code"),
            cast(literal(MENTORING_TITLE, String()) + MentoringProgramme.name, String()).label(
                "course_title"
            ),
            _typed("NULL", Integer()).label("course_version"),
            _typed("NULL", Integer()).label("version_id"),
            # Fixed at confirmation, so never NULL for a confirmed session; 0 if it ever were.
            func.coalesce(MentoringSession.jp, _typed("0", Float())).label("jp"),
            _typed(str(JENIS_DIKLAT_MENTORING), Integer()).label("jenis_diklat"),
            _typed("NULL", DateTime(timezone=True)).label("enrolled_at"),
            started.label("record_at"),
            _typed("NULL", Float()).label("score"),
            _typed("NULL", Integer()).label("pass_mark"),
            _typed("''", String()).label("certificate_no"),
            _typed(f"'{MENTORING}'", String()).label("kind"),
            MentoringSession.minutes,
        )
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .join(MentoringProgramme, MentoringProgramme.id == Mentorship.programme_id)
        .join(User, User.id == Mentorship.mentee_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(MentoringSession.status == CONFIRMED)
    )


def apply_mentoring_filter(stmt: Select, f: CompletionFilter, *, units=None) -> Select:
    """Narrow a select of confirmed sessions joined with the mentee (User) to the period (the
    meeting's start, local days) and unit. Callers leave mentoring out when `f.courses_only`."""
    start, end = f.bounds()
    if start is not None:
        stmt = stmt.where(MentoringSession.started_at >= start)
    if end is not None:
        stmt = stmt.where(MentoringSession.started_at < end)
    if f.unit_id:
        stmt = stmt.where(
            User.unit_id.in_(unit_and_descendants(f.unit_id) if units is None else units)
        )
    return stmt


def confirmed_sessions(*columns) -> Select:
    """A select of `columns` over confirmed sessions joined with their pairing and the mentee."""
    return (
        select(*columns)
        .select_from(MentoringSession)
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .join(User, User.id == Mentorship.mentee_id)
        .where(MentoringSession.status == CONFIRMED)
    )


def _record_batches(
    f: CompletionFilter, *, text_times: bool = False
) -> Iterator[Sequence[Sequence]]:
    """Both kinds of record the filter asks for, oldest first by (record time, id, kind), in
    batches of driver rows, each arm read in its time index's order.

    SQLite merges the two arms of a UNION ALL itself (MERGE (UNION ALL) in its plan; UTCText is
    the stored text there, so the record time orders as the index does). PostgreSQL plans each
    arm of a UNION of joins on its own and sorts every row before the first (EXPLAIN shows a
    Sort over an Append): there the two index-ordered streams are merged here instead, batch
    by batch, with the few mentoring rows inserted into each batch of completions.
    """
    if f.courses_only:
        completions = apply_filter(_completion_select(text_times=text_times), f)
        yield from _batches(completions.order_by(Completion.completed_at, Completion.id))
        return
    units = unit_and_descendants(f.unit_id) if f.unit_id else None  # one CTE for both arms
    completions = apply_filter(_completion_select(text_times=text_times), f, units=units)
    sessions = apply_mentoring_filter(_mentoring_select(text_times=text_times), f, units=units)
    if db.session.get_bind().dialect.name == "sqlite":
        both = union_all(completions, sessions)
        # The id before the kind: each arm's time index ends in its row id, so (time, id) is
        # the order it reads in; (time, kind, id) made SQLite sort every group of equal times.
        yield from _batches(both.order_by(both.selected_columns.record_at, "record_id", "kind"))
        return
    yield from _merged_batches(
        _batches(completions.order_by(Completion.completed_at, Completion.id)),
        _batches(sessions.order_by(MentoringSession.started_at, MentoringSession.id)),
    )


def _record_key(record: Sequence) -> tuple:
    return record[14], record[0], record[18]  # record time, id, kind


def _merged_batches(
    completions: Iterator[Sequence[Sequence]], sessions: Iterator[Sequence[Sequence]]
) -> Iterator[Sequence[Sequence]]:
    """Two streams of batches, each in `_record_key` order, as one: a batch of completions is
    passed on as it is unless mentoring rows fall before its last row (bisected in, then)."""
    pending = (row for batch in sessions for row in batch)
    session = next(pending, None)
    for batch in completions:
        last = _record_key(batch[-1])
        if session is None or _record_key(session) > last:
            yield batch
            continue
        merged = list(batch)
        while session is not None and _record_key(session) < last:
            insort(merged, session, key=_record_key)
            session = next(pending, None)
        yield merged
    rest = [] if session is None else [session]
    for session in pending:
        rest.append(session)
        if len(rest) == BATCH:
            yield rest
            rest = []
    if rest:
        yield rest


def count_mentoring(f: CompletionFilter) -> int:
    """Confirmed mentoring sessions the filter covers (none when it selects courses)."""
    if f.courses_only:
        return 0
    stmt = apply_mentoring_filter(confirmed_sessions(func.count(MentoringSession.id)), f)
    return db.session.scalar(stmt) or 0


def count_records(f: CompletionFilter) -> int:
    """The rows an export of `f` writes: completions and confirmed mentoring sessions."""
    return count_completions(f) + count_mentoring(f)


def count_completions(f: CompletionFilter) -> int:
    stmt = apply_filter(
        select(func.count(Completion.id))
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id),
        f,
    )
    return db.session.scalar(stmt) or 0


def completion_rows(f: CompletionFilter) -> Iterator[CompletionRow]:
    """Stream the filtered learning records (completions and confirmed mentoring sessions),
    oldest first, in batches of BATCH rows."""
    yield from _rows(_record_batches(f))


def completion_records(
    f: CompletionFilter,
) -> Iterator[tuple[Sequence[Sequence], dict[int, tuple[str, ...]]]]:
    """The same completions as `completion_rows`, in the same order, batch by batch as records.

    A record is the driver's row of `_completion_select` (CompletionRow's fields in order, the
    version id in place of the competency codes) with both times as UTC text (`UTCText`); each
    batch comes with the competency codes of every version it names. For the CSV export, which
    would otherwise spend most of its time building and converting a million row objects.
    """
    competencies: dict[int, tuple[str, ...]] = {}
    for batch in _record_batches(f, text_times=True):
        missing = {record[10] for record in batch} - competencies.keys()
        missing.discard(None)  # a mentoring record has no course version
        if missing:
            competencies.update(_competency_codes(missing))
        yield batch, competencies


def completion_page(f: CompletionFilter, *, after_id: int, limit: int) -> list[CompletionRow]:
    """One keyset page for polling systems: filtered completions with ids above `after_id`.

    In id order, not completed_at order: an id is fixed when the record is written, so a poller
    that remembers the last id it saw cannot skip a record written later with an earlier time
    (the API makes sure no lower id is still being written when it reads; see lms.api.services).
    """
    stmt = (
        apply_filter(_completion_select(), f)
        .where(Completion.id > after_id)
        .order_by(Completion.id)
        .limit(limit)
    )
    return list(_rows(_batches(stmt)))


def mentoring_page(
    f: CompletionFilter,
    *,
    after: tuple[datetime, int] | None,
    settled_before: datetime,
    limit: int,
) -> list[tuple[CompletionRow, datetime]]:
    """One keyset page of confirmed mentoring records, each with its confirmation time.

    In (decided_at, id) order: a session becomes a record when it is confirmed, in any order of
    its id (logged earlier), so its id cannot be the poller's key; its confirmation time can,
    once no confirmation with an earlier time can still be on its way. The application writes
    decided_at before its transaction commits, so only sessions confirmed before
    `settled_before` (now less a margin longer than any request lives) are handed out.
    Unless `f.courses_only`: then there are none.
    """
    if f.courses_only:
        return []
    key = MentoringSession.decided_at
    stmt = apply_mentoring_filter(_mentoring_select(), f).add_columns(key)
    stmt = stmt.where(key < settled_before)
    if after is not None:
        at, session_id = after
        stmt = stmt.where((key > at) | ((key == at) & (MentoringSession.id > session_id)))
    stmt = stmt.order_by(key, MentoringSession.id).limit(limit)
    return [(_row(r, {}), _utc(r[20])) for r in db.session.execute(stmt)]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _batches(stmt: Select) -> Iterator[Sequence[Sequence]]:
    # Core execution on the session's connection: no ORM result machinery for plain columns.
    # (Options on the statement: Connection.execution_options would change the connection
    # itself, and every later statement of the request would run through a server cursor.)
    result = db.session.connection().execute(stmt.execution_options(yield_per=BATCH))
    yield from result.partitions()


def _rows(batches: Iterator[Sequence[Sequence]]) -> Iterator[CompletionRow]:
    competencies: dict[int, tuple[str, ...]] = {}
    for batch in batches:
        missing = {row[10] for row in batch} - competencies.keys()
        missing.discard(None)  # a mentoring record has no course version
        if missing:
            competencies.update(_competency_codes(missing))
        for r in batch:
            yield _row(r, competencies)


def _row(r: Sequence, competencies: Mapping[int, tuple[str, ...]]) -> CompletionRow:
    return CompletionRow(
        completion_id=r[0], user_id=r[1], nip=r[2], username=r[3], name=r[4],
        unit_code=r[5], unit_name=r[6], course_code=r[7], course_title=r[8],
        course_version=r[9], competency_codes=competencies.get(r[10], ()), jp=r[11],
        jenis_diklat=r[12], enrolled_at=_utc(r[13]) if r[13] is not None else None,
        completed_at=_utc(r[14]), score=r[15], pass_mark=r[16], certificate_no=r[17],
        kind=r[18], minutes=r[19],
    )  # fmt: skip


def _competency_codes(version_ids: set[int]) -> dict[int, tuple[str, ...]]:
    codes: dict[int, list[str]] = {v: [] for v in version_ids}
    for version_id, code in db.session.execute(
        select(CourseCompetency.course_version_id, CourseCompetency.code)
        .where(CourseCompetency.course_version_id.in_(version_ids))
        .order_by(CourseCompetency.code)
    ):
        codes[version_id].append(code)
    return {v: tuple(c) for v, c in codes.items()}


def attempt_rows(f: CompletionFilter) -> Iterator[AttemptRow]:
    """Stream graded final-quiz attempts submitted in the filter's period, for the same people."""
    stmt = (
        select(
            QuizAttempt.id,
            QuizAttempt.user_id,
            User.nip,
            User.username,
            User.name,
            Course.code,
            CourseVersion.title,
            CourseVersion.number,
            QuizAttempt.number,
            QuizAttempt.started_at,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
            CourseVersion.pass_mark,
            QuizAttempt.passed,
        )
        .join(User, User.id == QuizAttempt.user_id)
        .join(Course, Course.id == QuizAttempt.course_id)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.kind == FINAL)
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    )
    stmt = apply_filter(
        stmt, f, happened_at=QuizAttempt.submitted_at, version_id=QuizAttempt.course_version_id
    )
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        for r in batch:
            yield AttemptRow(*r)
