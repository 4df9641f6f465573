"""The file field every import form shares: CSV or XLSX, with the size and row limits stated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize

from lms.accounts.importing import MAX_BYTES, MAX_ROWS


def import_file_field() -> FileField:
    return FileField(
        _l("CSV or Excel (.xlsx) file"),
        description=_l(
            "At most %(mb)d MB and %(rows)d rows. The first row holds the column names.",
            mb=MAX_BYTES // 2**20,
            rows=MAX_ROWS,
        ),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
            FileSize(
                MAX_BYTES, message=_l("The file is larger than %(max)d MB.", max=MAX_BYTES // 2**20)
            ),
        ],
    )
