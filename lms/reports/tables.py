"""Small report tables written as CSV or XLSX from the same (columns, rows): the summary exports.

For tables that fit in memory (a line per competency, per unit); the completion exports, which
stream millions of rows, have their own writers in lms.reports.exports. Both neutralise text a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms.extensions import db
from lms.reports.exports import Column, neutralise
from lms.reports.models import ExportLog

Row = Mapping[str, object]


def _csv_cell(value: object, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        return text.replace(".", ",") if decimal_comma else text
    return neutralise(str(value))


def table_csv(columns: Sequence[Column], rows: Iterable[Row], *, delimiter: str = ",") -> str:
    """CSV with a BOM (Excel reads it as UTF-8), the column labels, then one line per row.

    With `delimiter=";"` (Excel in the Indonesian locale) numbers get a decimal comma.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([c.label for c in columns])
    comma = delimiter == ";"
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), comma) for c in columns])
    return buffer.getvalue()


def _xlsx_cell(value: object) -> object:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def table_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Row]) -> bytes:
    """One sheet named `title`: a bold, frozen header, numbers as numbers, text neutralised."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(row.get(c.key)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Logged downloads of a report table --------------------------------------------------------

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIMETYPE}


@dataclass
class TableExport:
    log: ExportLog
    mimetype: str
    body: bytes
    filename: str

    def response(self) -> Response:
        """The download, named for the report and the time it was made."""
        response = Response(self.body, mimetype=self.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def logged_table_export(
    fmt: str,
    *,
    report: str,
    log_name: str,
    file_stem: str,
    sheet: str,
    columns: Sequence[Column],
    records: Sequence[Row],
    filters: Mapping[str, object],
    actor: str,
    channel: str,
    user_id: int | None,
) -> TableExport:
    """A report table as CSV or XLSX, logged like every export of personal data (who, when,
    which filter, how many rows): the log says `report` in its filters and `log_name-fmt` as
    its format (20 characters at most, e.g. "overdue-xlsx")."""
    log = ExportLog(
        user_id=user_id, actor=actor, channel=channel, export_format=f"{log_name}-{fmt}",
        filters={"report": report, **filters}, row_count=len(records),
    )  # fmt: skip
    db.session.add(log)
    db.session.flush()
    if fmt == "csv":
        body = table_csv(columns, records).encode("utf-8")
    else:
        body = table_xlsx(sheet, columns, records)
    filename = f"{file_stem}-{log.at.strftime('%Y%m%d-%H%M')}.{fmt}"
    return TableExport(log, TABLE_FORMATS[fmt], body, filename)
