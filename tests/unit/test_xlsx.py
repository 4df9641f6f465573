"""The streaming XLSX writer: a package spreadsheet programs open, with the values written."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import openpyxl
import pytest

from lms.reports import xlsx


def written(rows, widths=(10, 20, 12)) -> bytes:
    buffer = io.BytesIO()
    sheet = xlsx.SheetWriter(
        buffer, "Data & <Uji>", widths, datetime_format="dd-mm-yyyy hh:mm", date_format="dd-mm-yyyy"
    )
    sheet.header(["A", "B", "C"][: len(widths)])
    for row in rows:
        sheet.row(row)
    sheet.close()
    return buffer.getvalue()


def test_every_part_is_well_formed_and_declared():
    """Would Excel find every part it needs, each a well-formed XML document?"""
    with zipfile.ZipFile(io.BytesIO(written([["x", 1, None]]))) as package:
        names = set(package.namelist())
        assert names == {
            "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
        }  # fmt: skip
        for name in names:
            ElementTree.fromstring(package.read(name))  # noqa: S314 - our own output
        types = package.read("[Content_Types].xml").decode()
        for part in ("/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"):
            assert f'PartName="{part}"' in types


def test_values_come_back_typed_and_unchanged():
    """Text with markup characters and spaces, numbers, dates, empty cells: read back as written?"""
    rows = [
        ['  Ani & <Budi> "Ç" 😀 ', 2.5, datetime(2026, 11, 23, 14, 5)],  # noqa: DTZ001
        [None, 7, date(2027, 1, 1)],
        ["nol\x01kontrol", True, None],
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(written(rows)))
    assert workbook.sheetnames == ["Data & <Uji>"]
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == ["A", "B", "C"] and all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 20
    assert [c.value for c in sheet[2]] == [
        "  Ani & <Budi> \"Ç\" 😀 ", 2.5, datetime(2026, 11, 23, 14, 5),  # noqa: DTZ001
    ]  # fmt: skip
    assert sheet.cell(2, 3).number_format == "dd-mm-yyyy hh:mm"
    assert [c.value for c in sheet[3]] == [None, 7, datetime(2027, 1, 1)]  # noqa: DTZ001
    assert sheet.cell(3, 3).number_format == "dd-mm-yyyy"
    assert [c.value for c in sheet[4]] == ["nolkontrol", True, None]
    assert sheet.max_row == 4


def test_a_sheet_stops_at_what_excel_holds(monkeypatch):
    """More rows than a sheet holds is an error, not a file Excel cuts short."""
    monkeypatch.setattr(xlsx, "MAX_DATA_ROWS", 2)
    with pytest.raises(ValueError, match="at most"):
        written([["a"], ["b"], ["c"]], widths=(5,))


def test_the_streamed_workbook_is_the_written_one():
    """Does the download streamed in pieces open like the file written in one go?"""
    from lms.reports.exports import write_xlsx, xlsx_chunks
    from tests.unit.test_exports import sample_rows

    whole = io.BytesIO()
    write_xlsx(iter(sample_rows()), whole)
    pieces = b"".join(xlsx_chunks(iter(sample_rows())))
    read = [
        [c.value for c in row]
        for body in (whole.getvalue(), pieces)
        for row in openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows()
    ]
    half = len(read) // 2
    assert read[:half] == read[half:] and half == 1 + len(sample_rows())
