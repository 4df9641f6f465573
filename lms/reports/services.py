"""Report services: summaries for the report page, and exports that are logged before they stream.

Every export (web, shell or API) goes through `start_export`, which counts the rows, writes the
audit entry and returns the streaming body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.reports import exports
from lms.reports.models import ExportLog
from lms.reports.queries import (
    CompletionFilter,
    attempt_rows,
    completion_records,
    completion_rows,
    count_records,
)
from lms.reports.xlsx import MAX_DATA_ROWS


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


class TooManyRowsForExcel(DomainError):
    template = N_(
        "This selection has %(count)s rows, more than an Excel sheet holds (%(max)s). Narrow the "
        "filter (a shorter period or one unit), or download CSV."
    )


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
    """Log the export (who, when, filter, rows) and return its body, to be streamed after commit.

    The rows are learning records: completions and confirmed mentoring sessions."""
    export_format = FORMATS[fmt]
    count = count_records(f)
    if fmt == "xlsx" and count > MAX_DATA_ROWS:
        raise TooManyRowsForExcel(count=f"{count:,}".replace(",", "."), max="1.048.575")
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
    if fmt in ("csv", "csv-semicolon"):
        # Records, not rows: the same CSV as `exports.csv_chunks(completion_rows(f))`, at a
        # fraction of the cost per row (bench/export.py).
        delimiter = ";" if fmt == "csv-semicolon" else ","
        records = completion_records(f)
        return _encode(exports.csv_record_chunks(records, delimiter=delimiter, tz=f.zone))
    rows = completion_rows(f)
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
    # Written as it streams: the first bytes leave before the last row is read.
    return exports.xlsx_chunks(rows, tz=zone)
