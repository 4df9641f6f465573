"""Report services: summaries for the report page, and exports that are logged before they stream.

Every export (web, shell or API) goes through `start_export`, which counts the rows, writes the
audit entry and returns the streaming body.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from lms.accounts.models import Unit, User
from lms.catalog.models import Course, CourseVersion
from lms.extensions import db
from lms.learning.models import Completion
from lms.reports import exports
from lms.reports.models import ExportLog
from lms.reports.queries import (
    CompletionFilter,
    apply_filter,
    attempt_rows,
    completion_rows,
    count_completions,
)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    mimetype: str
    extension: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "csv"),
    "csv-semicolon": ExportFormat("csv-semicolon", "text/csv; charset=utf-8", "csv"),
    "xlsx": ExportFormat(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
    "json": ExportFormat("json", "application/json", "json"),
    "xapi": ExportFormat("xapi", "application/x-ndjson", "ndjson"),
    "siasn": ExportFormat("siasn", "application/json", "siasn.json"),
}


@dataclass
class StartedExport:
    log: ExportLog
    format: ExportFormat
    body: Iterator[bytes]

    @property
    def filename(self) -> str:
        stamp = self.log.at.strftime("%Y%m%d-%H%M")
        return f"penyelesaian-{stamp}.{self.format.extension}"


def start_export(
    fmt: str,
    f: CompletionFilter,
    *,
    actor: str,
    channel: str,
    user_id: int | None,
    portal_url: str,
    organiser: str,
) -> StartedExport:
    """Log the export (who, when, filter, rows) and return its body, to be streamed after commit."""
    export_format = FORMATS[fmt]
    count = count_completions(f)
    log = ExportLog(
        user_id=user_id, actor=actor, channel=channel, export_format=fmt,
        filters=f.describe(), row_count=count,
    )  # fmt: skip
    db.session.add(log)
    db.session.flush()
    return StartedExport(log, export_format, _body(fmt, f, portal_url, organiser))


def _encode(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def _body(fmt: str, f: CompletionFilter, portal_url: str, organiser: str) -> Iterator[bytes]:
    rows = completion_rows(f)
    if fmt == "csv":
        return _encode(exports.csv_chunks(rows, tz=f.zone))
    if fmt == "csv-semicolon":
        return _encode(exports.csv_chunks(rows, delimiter=";", tz=f.zone))
    if fmt == "json":
        return _encode(exports.json_chunks(rows, tz=f.zone))
    if fmt == "xapi":
        statements = exports.xapi_statements(
            rows, attempt_rows(f), portal_url=portal_url, tz=f.zone
        )
        return _encode(exports.ndjson_chunks(statements))
    if fmt == "siasn":
        records = exports.siasn_records(rows, organiser=organiser, tz=f.zone)
        return _encode(exports.json_array_chunks(records))
    if fmt == "xlsx":
        return _xlsx(rows, f.zone)
    raise ValueError(fmt)


def _xlsx(rows, zone: str) -> Iterator[bytes]:
    # openpyxl writes the zip at the end: build it in a temporary file, then stream the file.
    with tempfile.TemporaryFile() as spool:
        exports.write_xlsx(rows, spool, tz=zone)
        spool.seek(0)
        while chunk := spool.read(64 * 1024):
            yield chunk


@dataclass(frozen=True)
class Summary:
    completions: int
    learners: int
    jp: float
    average_score: float | None


def summary(f: CompletionFilter) -> Summary:
    stmt = apply_filter(
        select(
            func.count(Completion.id),
            func.count(distinct(Completion.user_id)),
            func.coalesce(func.sum(Completion.jp), 0.0),
            func.avg(Completion.score),
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id),
        f,
    )
    completions, learners, jp, average = db.session.execute(stmt).one()
    return Summary(
        completions, learners, float(jp or 0), float(average) if average is not None else None
    )


def by_course(f: CompletionFilter) -> list[tuple]:
    """(code, current title, completions, JP, average score), most completions first."""
    current = CourseVersion.__table__.alias("current_version")
    stmt = apply_filter(
        select(
            Course.code,
            current.c.title,
            func.count(Completion.id),
            func.coalesce(func.sum(Completion.jp), 0.0),
            func.avg(Completion.score),
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .join(current, current.c.id == Course.current_version_id)
        .group_by(Course.code, current.c.title)
        .order_by(func.count(Completion.id).desc(), Course.code),
        f,
    )
    return list(db.session.execute(stmt))


def by_unit(f: CompletionFilter) -> list[tuple]:
    """(unit name, learners, completions, JP), most JP first; people without a unit together."""
    stmt = apply_filter(
        select(
            Unit.name,
            func.count(distinct(Completion.user_id)),
            func.count(Completion.id),
            func.coalesce(func.sum(Completion.jp), 0.0),
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .group_by(Unit.name)
        .order_by(func.sum(Completion.jp).desc()),
        f,
    )
    return list(db.session.execute(stmt))
