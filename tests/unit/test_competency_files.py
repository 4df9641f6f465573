"""Competency and requirement files checked row by row, and course packages against the dictionary."""

from __future__ import annotations

import io

import openpyxl
import pytest

from lms.accounts.importing import UnreadableFile
from lms.competency import importing
from lms.content.package import read_package
from tests.conftest import write_course

KNOWN = {"M1", "M2", "M3", "SK1", "T-SURVKES"}


def problems_of(checked) -> list[tuple[int, str | None, str]]:
    return [(p.row, p.column, p.message) for p in checked.problems]


def test_a_requirement_file_lists_every_problem_with_its_row():
    """Unknown code, level 0 and 6, a text level, a missing position: each on its own row?"""
    data = (
        b"Jabatan;Kode Kompetensi;Level\n"
        b"Analis SDM;m1;3\n"  # row 2: fine, code in lower case
        b"Analis SDM;T-TIDAKADA;2\n"
        b"Analis SDM;M2;0\n"
        b"Analis SDM;M3;6\n"
        b";SK1;2\n"
        b"Analis SDM;T-SURVKES;dua\n"
        b"Analis SDM;SK1;2.5\n"
    )
    checked = importing.check_requirements(data, KNOWN)
    assert checked.rows == [{"row": 2, "jabatan": "Analis SDM", "code": "M1", "level": 3}]
    assert problems_of(checked) == [
        (3, "code", "Unknown competency code: add it to the competency dictionary first."),
        (4, "level", "The level must be a whole number from 1 to 5."),
        (5, "level", "The level must be a whole number from 1 to 5."),
        (6, "jabatan", "The position (jabatan) is missing."),
        (7, "level", "The level must be a whole number from 1 to 5."),
        (8, "level", "The level must be a whole number from 1 to 5."),
    ]
    assert checked.total == 7 and checked.invalid == 6


def test_the_same_position_and_competency_twice_is_refused_in_both_rows():
    data = b"jabatan,kode_kompetensi,level\nAnalis SDM,M1,3\nanalis  sdm,M1,2\nAnalis SDM,M2,2\n"
    checked = importing.check_requirements(data, KNOWN)
    assert [r["row"] for r in checked.rows] == [4]
    assert {(p.row, p.params["other"]) for p in checked.problems} == {(2, 3), (3, 2)}


def test_a_requirement_file_without_a_level_column_is_unreadable():
    with pytest.raises(UnreadableFile) as caught:
        importing.check_requirements(b"jabatan,kode_kompetensi\nA,M1\n", KNOWN)
    assert caught.value.params == {"columns": "level"}


def test_a_requirement_workbook_reads_numbers_as_levels():
    book = openpyxl.Workbook()
    book.active.append(["jabatan", "kode_kompetensi", "level"])
    book.active.append(["Analis SDM", "M1", 3.0])
    book.active.append(["Analis SDM", "M2", 7])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = importing.check_requirements(buffer.getvalue(), KNOWN)
    assert [(r["code"], r["level"]) for r in checked.rows] == [("M1", 3)]
    assert [(p.row, p.column) for p in checked.problems] == [(3, "level")]


def test_a_competency_file_accepts_technical_codes_only():
    data = (
        b"kode,nama,deskripsi,level_1\n"
        b"t-pbj,Pengadaan,Beli sesuai aturan,Tahu\n"
        b"M1,Integritas,,\n"
        b"PBJ,Tanpa awalan,,\n"
        b"T-KOSONG,,,\n"
        b",Tanpa kode,,\n"
    )
    checked = importing.check_competencies(data)
    assert checked.rows == [
        {"row": 2, "code": "T-PBJ", "name": "Pengadaan", "description": "Beli sesuai aturan",
         "level_1": "Tahu"},
    ]  # fmt: skip
    assert [(p.row, p.column) for p in checked.problems] == [
        (3, "code"), (4, "code"), (5, "name"), (6, "code"),
    ]  # fmt: skip
    assert "PermenPANRB" in checked.problems[0].message


@pytest.mark.parametrize(
    ("text", "level"), [("1", 1), ("5", 5), ("3.0", 3), ("2,0", 2), ("0", None), ("6", None),
                        ("2.5", None), ("", None), ("tiga", None)],
)  # fmt: skip
def test_parse_level(text, level):
    assert importing.parse_level(text) == level


# --- course packages against the dictionary ---------------------------------------------------


def test_a_package_is_checked_against_the_dictionary_when_one_is_given(tmp_path):
    """Is a well-shaped T- code refused when the dictionary lacks it, with file and line?"""
    folder = write_course(tmp_path / "c")
    text = (folder / "course.md").read_text().replace("code: M1", "code: T-PROYEK")
    (folder / "course.md").write_text(text)
    package, problems = read_package(folder)  # no dictionary: the built-in rule (shape only)
    assert problems == [] and package.competencies == [{"code": "T-PROYEK", "level": 2}]
    package, problems = read_package(folder, known_competencies=KNOWN)
    assert package is None
    assert [str(p) for p in problems] == [f"{folder}/course.md:7: unknown competency code T-PROYEK"]
    package, problems = read_package(folder, known_competencies=KNOWN | {"T-PROYEK"})
    assert problems == []


def test_the_dictionary_does_not_relax_the_level_rule(tmp_path):
    folder = write_course(tmp_path / "c")
    text = (folder / "course.md").read_text().replace("level: 2", "level: 0")
    (folder / "course.md").write_text(text)
    _, problems = read_package(folder, known_competencies=KNOWN)
    assert [str(p) for p in problems] == [
        f"{folder}/course.md:7: competency level must be 1 to 5 (M1)"
    ]
