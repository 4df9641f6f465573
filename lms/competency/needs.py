"""The training-needs analysis: per competency, employees below requirement and JP to close it.

For HR, per unit (with its sub-units); exportable as CSV or XLSX, logged like every export.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.catalog.models import CourseCompetency
from lms.competency import rules
from lms.competency.models import Competency, PositionRequirement
from lms.competency.services import course_offers, jabatan_key
from lms.extensions import db
from lms.learning.models import Completion
from lms.reports import tables
from lms.reports.exports import Column
from lms.reports.queries import unit_and_descendants

_DEVELOPED_BY_COMPLETION = CourseCompetency.course_version_id == Completion.course_version_id


@dataclass
class NeedRow:
    line: rules.NeedLine
    name: str
    kind: str | None


@dataclass
class TrainingNeeds:
    rows: list[NeedRow]
    employees: int  # active employees in scope
    with_requirements: int  # of those, whose position has requirements
    with_gaps: int  # of those, below requirement in at least one competency


def _batched(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def training_needs(unit_id: int | None = None) -> TrainingNeeds:
    """Per competency, for active employees of the unit and its sub-units (or everyone)."""
    people = select(User.id, User.jabatan).where(User.active.is_(True))
    if unit_id:
        people = people.where(User.unit_id.in_(unit_and_descendants(unit_id)))
    employees = db.session.execute(people).all()
    by_position: dict[str, dict[str, int]] = {}
    requirements = select(
        PositionRequirement.jabatan, PositionRequirement.competency_code, PositionRequirement.level
    )
    for jabatan, code, level in db.session.execute(requirements):
        by_position.setdefault(jabatan_key(jabatan), {})[code] = level
    required = {
        user_id: by_position[jabatan_key(jabatan)]
        for user_id, jabatan in employees
        if jabatan_key(jabatan) in by_position
    }
    levels: dict[int, dict[str, int]] = {}
    completed: dict[int, set[int]] = {}
    for chunk in _batched(list(required)):
        for user_id, code, level in db.session.execute(
            select(Completion.user_id, CourseCompetency.code, func.max(CourseCompetency.level))
            .join(CourseCompetency, _DEVELOPED_BY_COMPLETION)
            .where(Completion.user_id.in_(chunk))
            .group_by(Completion.user_id, CourseCompetency.code)
        ):
            levels.setdefault(user_id, {})[code] = level
        for user_id, course_id in db.session.execute(
            select(Completion.user_id, Completion.course_id).where(Completion.user_id.in_(chunk))
        ):
            completed.setdefault(user_id, set()).add(course_id)
    people_gaps = [
        rules.EmployeeGaps(
            tuple(rules.gaps(needs, levels.get(user_id, {}))),
            frozenset(completed.get(user_id, ())),
        )
        for user_id, needs in required.items()
    ]
    lines = rules.training_needs(people_gaps, course_offers())
    entries = {c.code: c for c in db.session.scalars(select(Competency))}
    rows = [
        NeedRow(
            line,
            entries[line.code].name if line.code in entries else line.code,
            entries[line.code].kind if line.code in entries else None,
        )
        for line in lines
    ]
    return TrainingNeeds(
        rows=rows,
        employees=len(employees),
        with_requirements=len(required),
        with_gaps=sum(1 for p in people_gaps if p.gaps),
    )


# --- The training-needs export ------------------------------------------------------------------

NEED_COLUMNS = (
    Column("competency_code", "Kode kompetensi", 16),
    Column("competency_name", "Kompetensi", 36),
    Column("kind", "Jenis", 16),
    Column("employees_below", "Pegawai di bawah syarat", 14),
    Column("closable", "Dapat ditutup kursus", 14),
    Column("without_course", "Belum ada kursus", 14),
    Column("jp_to_close", "JP untuk menutup", 12),
)
KIND_NAMES = {
    "managerial": "Manajerial",
    "socio-cultural": "Sosial kultural",
    "technical": "Teknis",
}


def need_records(needs: TrainingNeeds) -> list[dict]:
    """The report's lines as export rows keyed by NEED_COLUMNS."""
    return [
        {
            "competency_code": row.line.code,
            "competency_name": row.name,
            "kind": KIND_NAMES.get(row.kind or "", ""),
            "employees_below": row.line.employees_below,
            "closable": row.line.closable,
            "without_course": row.line.without_course,
            "jp_to_close": row.line.jp_to_close,
        }
        for row in needs.rows
    ]


def export_training_needs(
    fmt: str, unit_id: int | None, *, actor: str, channel: str, user_id: int | None
) -> tables.TableExport:
    """The training-needs report as CSV or XLSX, logged like every other export."""
    return tables.logged_table_export(
        fmt, report="training-needs", log_name="training-needs",
        file_stem="kebutuhan-pelatihan", sheet="Kebutuhan pelatihan", columns=NEED_COLUMNS,
        records=need_records(training_needs(unit_id)),
        filters={"unit_id": unit_id} if unit_id else {},
        actor=actor, channel=channel, user_id=user_id,
    )  # fmt: skip
