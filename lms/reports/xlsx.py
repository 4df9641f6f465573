"""A streaming XLSX writer for exports of any size: one sheet, written as SpreadsheetML directly.

openpyxl builds a cell object per value and writes at about 3,000 rows a second, so a million-row
completion export took longer than a worker may spend on a request. This writes each row as XML
text into the zip as it comes (inline strings, no shared-string table, a fixed set of styles), in
constant memory. Small report tables still use openpyxl (lms.reports.tables).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

ROWS_PER_WRITE = 500
MAX_DATA_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, the header included

# Cell styles (indexes into cellXfs below): plain, bold header, date and time, date.
PLAIN, BOLD, DATETIME, DATE = 0, 1, 2, 3

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OOXML = "http://schemas.openxmlformats.org"
_MAIN = f"{_OOXML}/spreadsheetml/2006/main"
_REL = f"{_OOXML}/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _overrides(parts: dict[str, str]) -> str:
    return "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in parts.items())


def _relationships(targets: dict[str, tuple[str, str]]) -> str:
    """rId -> (relationship type under .../relationships/, target)."""
    items = "".join(
        f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'
        for rid, (kind, target) in targets.items()
    )
    return (
        f'{_XML}<Relationships xmlns="{_OOXML}/package/2006/relationships">{items}</Relationships>'
    )


_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + _overrides({
        "/xl/workbook.xml": f"{_SML}.sheet.main+xml",
        "/xl/worksheets/sheet1.xml": f"{_SML}.worksheet+xml",
        "/xl/styles.xml": f"{_SML}.styles+xml",
    })
    + "</Types>"
)  # fmt: skip
_ROOT_RELS = _relationships({"rId1": ("officeDocument", "xl/workbook.xml")})
_WORKBOOK_RELS = _relationships(
    {"rId1": ("worksheet", "worksheets/sheet1.xml"), "rId2": ("styles", "styles.xml")}
)


def _styles(datetime_format: str, date_format: str) -> str:
    return (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{escape(datetime_format)}"/>'
        f'<numFmt numFmtId="165" formatCode="{escape(date_format)}"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )  # fmt: skip


class ChunkSink:
    """A write-only, unseekable file that keeps what is written until taken (to stream a zip)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts, self.size = b"".join(self._parts), [], 0
        return data


def _text(value: str) -> str:
    # XML 1.0 has no place for most control characters: a stray one drops out, the text stays.
    return escape(ILLEGAL_CHARACTERS_RE.sub("", value))


class SheetWriter:
    """One worksheet with a frozen, bold header row; rows are written (and compressed) as they
    come. Values: None (empty), int, float, str, naive datetime or date (local wall-clock time,
    as Excel has no time zones). Text is written as given: neutralising formulas is the caller's."""

    def __init__(
        self,
        fileobj: BinaryIO,
        sheet_name: str,
        widths: Sequence[int],
        *,
        datetime_format: str,
        date_format: str,
    ) -> None:
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._letters = [get_column_letter(n) for n in range(1, len(widths) + 1)]
        self._row = 0
        self._pending: list[str] = []
        self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        self._zip.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        self._zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self._zip.writestr("xl/styles.xml", _styles(datetime_format, date_format))
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        columns = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, 1)
        )
        self._write(
            f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            f"</sheetView></sheetViews><cols>{columns}</cols><sheetData>"
        )

    def _write(self, text: str) -> None:
        self._sheet.write(text.encode("utf-8"))

    def header(self, labels: Sequence[str]) -> None:
        self._add([(label, BOLD) for label in labels])

    def row(self, values: Sequence[object]) -> None:
        self._add([(value, PLAIN) for value in values])

    def _add(self, cells: Sequence[tuple[object, int]]) -> None:
        if self._row > MAX_DATA_ROWS:
            raise ValueError("an Excel sheet holds at most 1,048,576 rows")
        self._row += 1
        n = self._row
        parts = [f'<row r="{n}">']
        for letter, (value, style) in zip(self._letters, cells, strict=False):
            ref = f"{letter}{n}"
            if value is None:
                continue
            if isinstance(value, bool):
                parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            elif isinstance(value, datetime):
                parts.append(f'<c r="{ref}" s="{DATETIME}"><v>{to_excel(value)!r}</v></c>')
            elif isinstance(value, date):
                parts.append(f'<c r="{ref}" s="{DATE}"><v>{to_excel(value)!r}</v></c>')
            else:
                style_attr = f' s="{style}"' if style else ""
                parts.append(
                    f'<c r="{ref}"{style_attr} t="inlineStr"><is>'
                    f'<t xml:space="preserve">{_text(str(value))}</t></is></c>'
                )
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= ROWS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending))
            self._pending = []

    def close(self) -> None:
        self._flush()
        self._write("</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()
