"""Reading and checking employee and unit files: every bad row with its number, hostile files."""

from __future__ import annotations

import io
import os
import zipfile

import openpyxl
import pytest

from lms.accounts import importing
from lms.accounts.importing import UnitDirectory, UnreadableFile, check_employees, check_units

UNITS = UnitDirectory(
    {
        "KOTA": ("Pemerintah Kota", None),
        "DINKES": ("Dinas Kesehatan", "KOTA"),
        "DINKES-UMUM": ("Bidang Umum", "DINKES"),
        "DISDIK-UMUM": ("Bidang Umum", "KOTA"),
    }
)
HEADER = "nip,nama,email,unit_kerja,jabatan"


def nip(n: int) -> str:
    return f"19860926201505{1}{n:03d}"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list], sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for i in range(1, sheets):
        book.create_sheet(f"Lain {i}").append(["kode", "nama"])
    book.active = sheets - 1  # the first sheet is read, whichever tab was open
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def found(checked) -> list[tuple[int, str | None, str]]:
    return [(p.row, p.column, p.message) for p in checked.problems]


def test_every_kind_of_bad_employee_row_is_reported_with_its_row():
    """Does HR learn, for each bad row, its row number, the column and why?"""
    long_name = "A" * 201
    checked = check_employees(
        csv_bytes(
            HEADER,
            f"{nip(1)},Budi Santoso,budi@kota.go.id,DINKES,Analis",
            "198613262015051002,Ani,,DINKES,Analis",
            f"{nip(3)},,,DINKES,Analis",
            f"{nip(4)},Cici,,DINSOS,Analis",
            f"{nip(5)},Dodi,,DINKES,",
            "1986 0926 2015 05 1 005,Dodi Lagi,,DINKES,",
            f"{nip(7)},Eka,eka@,DINKES,",
            f"{nip(8)},{long_name},,DINKES,",
            ",Fajar,,DINKES,",
            f"{nip(10)},Gita,,Bidang Umum,",
            f"{nip(11)},Hana,,,",
        ),
        UNITS,
    )
    problems = found(checked)
    assert (3, "nip", "digits 1-8 are not a real birth date (YYYYMMDD)") in problems
    assert (4, "name", "The name is missing.") in problems
    assert (5, "unit", importing.N_(
        "No unit has this code or name. Import the units first, or check the spelling."
    )) in problems  # fmt: skip
    assert (6, "nip", "The same NIP is also in row 7.") in problems
    assert (7, "nip", "The same NIP is also in row 6.") in problems
    assert (8, "email", "Not a valid email address.") in problems
    assert (9, "name", "Too long: at most 200 characters.") in problems
    assert (10, "nip", "The NIP is missing.") in problems
    assert (11, "unit", "Several units have this name; use the unit code.") in problems
    assert (12, "unit", "The unit is missing.") in problems
    assert [r["row"] for r in checked.rows] == [2]
    assert checked.total == 11 and checked.invalid == 10
    assert checked.rows[0] == {
        "row": 2, "nip": nip(1), "name": "Budi Santoso", "email": "budi@kota.go.id",
        "unit": "DINKES", "jabatan": "Analis",
    }  # fmt: skip


def test_problem_keeps_the_value_hr_typed():
    """Does a problem show what was read, so HR can find the cell?"""
    checked = check_employees(csv_bytes(HEADER, "12345,Ani,,DINKES,"), UNITS)
    (problem,) = checked.problems
    assert problem.value == "12345"
    assert problem.message == "a NIP has exactly 18 digits, this one has 5"
    assert problem.as_dict()["params"] == {"count": 5}


def test_units_are_found_by_code_in_any_case_or_by_unique_name():
    checked = check_employees(
        csv_bytes(HEADER, f"{nip(1)},A,,dinkes,", f"{nip(2)},B,,Dinas Kesehatan,"), UNITS
    )
    assert [r["unit"] for r in checked.rows] == ["DINKES", "DINKES"]


def test_bom_semicolons_and_english_headers_in_any_case():
    """Does a CSV saved by Excel in Indonesian (BOM, semicolons) with English headers read well?"""
    data = csv_bytes(
        "NIP;Name;E-mail;Unit;Position;Grade;Rank;Echelon",
        f"{nip(1)};Budi;;DINKES;Analis;III/a;Penata Muda;",
        bom=True,
    )
    checked = check_employees(data, UNITS)
    assert checked.problems == []
    assert checked.rows[0]["golongan"] == "III/a" and checked.rows[0]["pangkat"] == "Penata Muda"
    assert checked.rows[0]["eselon"] == ""  # present and empty: the field is cleared


def test_columns_left_out_are_left_alone():
    """Is a column missing from the file absent from the rows (so the field is not cleared)?"""
    checked = check_employees(csv_bytes("nama,nip,unit", f"Budi,{nip(1)},DINKES"), UNITS)
    assert checked.columns == ("nip", "name", "unit")
    assert set(checked.rows[0]) == {"row", "nip", "name", "unit"}


def test_unknown_columns_are_reported_but_do_not_spoil_rows():
    checked = check_employees(csv_bytes("nip,nama,unit,golonga", f"{nip(1)},A,KOTA,III/a"), UNITS)
    assert found(checked) == [(1, "golonga", "Unknown column, ignored.")]
    assert len(checked.rows) == 1 and checked.invalid == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n", "The file is empty."),
        (b"nama,email\r\nBudi,b@x.id\r\n", "Required columns are missing: nip, unit_kerja."),
        (b"nip,nama,unit\r\n", "column names but no data rows"),
        (b"nip,nama,nama,unit\r\n1,a,b,c\r\n", "The column nama appears twice."),
    ],
)
def test_file_level_problems(data, reason):
    with pytest.raises(UnreadableFile) as caught:
        check_employees(data, UNITS)
    assert reason in str(caught.value)


def test_xlsx_first_sheet_blank_rows_and_numeric_nips():
    """Are XLSX rows numbered as Excel shows them, and is a NIP typed as a number caught?"""
    data = xlsx_bytes(
        [
            ["NIP", "Nama", "Unit Kerja", "Golongan"],
            [nip(1), "Budi", "DINKES", "III/a"],
            [None, None, None, None],
            [198609262015051002, "Ani", "DINKES", None],  # Excel keeps 15 digits of it
            [12345, "Cici", "KOTA", None],
            [nip(4), "Dodi", "KOTA", 3.0],
        ],
        sheets=2,
    )
    checked = check_employees(data, UNITS)
    assert [(r["row"], r["golongan"]) for r in checked.rows] == [(2, "III/a"), (6, "3")]
    assert [(row, column) for row, column, _ in found(checked)] == [(4, "nip"), (5, "nip")]
    assert "stored as a number" in checked.problems[0].message
    assert checked.problems[1].value == "12345"


def test_formulas_are_imported_as_text_unchanged():
    """Is a cell like =HYPERLINK(...) kept as the text HR typed, never evaluated?"""
    formula = '=HYPERLINK("http://contoh.id","klik")'
    from_xlsx = check_employees(
        xlsx_bytes([["nip", "nama", "unit", "jabatan"], [nip(1), "Budi", "KOTA", formula]]), UNITS
    )
    from_csv = check_employees(csv_bytes("nip,nama,unit", f'{nip(2)},"+1+2",KOTA'), UNITS)
    assert from_xlsx.rows[0]["jabatan"] == formula
    assert from_csv.rows[0]["name"] == "+1+2"


def test_a_nip_with_an_apostrophe_or_spaces_is_accepted():
    checked = check_employees(csv_bytes("nip,nama,unit", f"'{nip(1)},A,KOTA"), UNITS)
    assert checked.rows[0]["nip"] == nip(1)


# --- hostile files ------------------------------------------------------------------------


def test_non_utf8_text_says_which_line():
    data = "nip,nama,unit\r\n1,Budi,KOTA\r\n2,Jos\xe9,KOTA\r\n".encode("latin-1")
    with pytest.raises(UnreadableFile) as caught:
        check_employees(data, UNITS)
    assert caught.value.params == {"line": 3}
    assert "not UTF-8" in caught.value.template


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(2048) + b"\x00",
        "nip,nama,unit\r\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"nip,nama,unit\x01\x02\x03\r\n",
    ],
)
def test_binary_garbage_is_refused_clearly(data):
    with pytest.raises(UnreadableFile) as caught:
        check_employees(data, UNITS)
    assert "neither a CSV" in caught.value.template or "not UTF-8" in caught.value.template


def test_old_xls_and_broken_or_foreign_zip_files():
    with pytest.raises(UnreadableFile, match=r"old Excel file \(\.xls\)"):
        check_employees(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, UNITS)
    with pytest.raises(UnreadableFile, match="cannot be read"):
        check_employees(b"PK\x03\x04 not really a zip", UNITS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "a zip, but not a workbook")
    with pytest.raises(UnreadableFile, match="cannot be read"):
        check_employees(buffer.getvalue(), UNITS)


def test_a_zip_bomb_is_refused_before_unpacking():
    """Is an XLSX that would unpack to more than 100 MB refused without unpacking it?"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (101 * 1024 * 1024))
    assert len(buffer.getvalue()) < importing.MAX_BYTES
    with pytest.raises(UnreadableFile, match="too large once unpacked"):
        check_employees(buffer.getvalue(), UNITS)


def test_too_big_and_too_many_rows():
    with pytest.raises(UnreadableFile, match="larger than 5 MB"):
        check_employees(b"x" * (importing.MAX_BYTES + 1), UNITS)
    lines = ["nip,nama,unit"] + [f"{n},A,KOTA" for n in range(importing.MAX_ROWS + 1)]
    with pytest.raises(UnreadableFile, match="more than 20000 rows"):
        check_employees(csv_bytes(*lines), UNITS)
    assert check_employees(csv_bytes(*lines[:-1]), UNITS).total == importing.MAX_ROWS


def test_a_csv_field_too_large_for_the_reader():
    data = b'nip,nama,unit\r\n1,"' + b"a" * 200_000 + b'",KOTA\r\n'
    with pytest.raises(UnreadableFile, match="cannot be read at row 2"):
        check_employees(data, UNITS)


# --- units --------------------------------------------------------------------------------


def test_a_unit_tree_in_any_order_is_valid():
    """Can children come before their parents in the file, and do WIB/WITA/WIT map to zones?"""
    checked = check_units(
        csv_bytes(
            "kode,nama,induk,zona_waktu",
            "P2P,Bidang P2P,DINKES2,",
            "DINKES2,Dinas Kesehatan,KOTA,WITA",
            "KOTA2,Pemerintah Kota Lain,,Asia/Jayapura",
        ),
        UNITS,
    )
    assert checked.problems == []
    assert [r["timezone"] for r in checked.rows] == ["", "Asia/Makassar", "Asia/Jayapura"]


def test_every_kind_of_bad_unit_row_is_reported_with_its_row():
    checked = check_units(
        csv_bytes(
            "Kode,Nama,Induk,Zona",
            ",Tanpa Kode,KOTA,",  # 2
            "A,Unit A,KOTA,",  # 3
            "A,Unit A lagi,KOTA,",  # 4
            "B,,KOTA,",  # 5
            "C,Unit C,TIDAK-ADA,",  # 6
            "D,Unit D,D,",  # 7
            "E,Unit E,F,",  # 8
            "F,Unit F,E,",  # 9
            "G,Unit G,KOTA,Europe/Paris",  # 10
            "H,Unit H,G,",  # 11: its parent row has an error and G is not in the portal
            "I,Unit I,H,",  # 12: and so on down the tree
            "dinkes,Dinas Kesehatan,KOTA,",  # 13: DINKES exists, in capitals
        ),
        UNITS,
    )
    problems = found(checked)
    assert (2, "code", "The unit code is missing.") in problems
    assert (3, "code", "The same code is also in row 4.") in problems
    assert (4, "code", "The same code is also in row 3.") in problems
    assert (5, "name", "The name is missing.") in problems
    assert (6, "parent", "No unit has this parent code, in the file or in the portal.") in problems
    assert (7, "parent", "The parent chain loops back to this unit: D → D.") in problems
    assert (8, "parent", "The parent chain loops back to this unit: E → F → E.") in problems
    assert (9, "parent", "The parent chain loops back to this unit: F → E → F.") in problems
    assert any(p[0] == 10 and p[1] == "timezone" for p in problems)
    assert (11, "parent", "The parent is in row 10, which has errors.") in problems
    assert (12, "parent", "The parent is in row 11, which has errors.") in problems
    assert (13, "code", "The portal already has the unit DINKES: write its code the same way.") in (
        problems
    )
    assert checked.rows == []


def test_a_loop_through_units_already_in_the_portal_is_found():
    """Would making the city government a child of one of its own bidang be caught?"""
    checked = check_units(csv_bytes("kode,nama,induk", "KOTA,Pemerintah Kota,DINKES-UMUM"), UNITS)
    ((row, column, message),) = found(checked)
    assert (row, column) == (2, "parent")
    assert "KOTA → DINKES-UMUM → DINKES → KOTA" in message


def test_a_loop_hidden_behind_a_row_with_errors_is_found():
    """If a row is skipped for another error, is a loop through its old parent still caught?"""
    units = UnitDirectory({"KOTA": ("Kota", None), "B": ("B", "KOTA"), "A": ("A", "B")})
    checked = check_units(
        csv_bytes("kode,nama,induk,zona", "KOTA,Kota,A,", "A,A,,Mars/Base"), units
    )
    assert {(p.row, p.column) for p in checked.problems} == {(2, "parent"), (3, "timezone")}


def test_without_a_parent_column_parents_are_not_checked_or_changed():
    checked = check_units(csv_bytes("kode,nama", "DINKES,Dinas Kesehatan Kota"), UNITS)
    assert checked.rows == [{"row": 2, "code": "DINKES", "name": "Dinas Kesehatan Kota"}]
