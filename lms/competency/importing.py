"""Technical-competency and position-requirement files (CSV or XLSX) checked row by row (pure).

Reads tables with the employee import's reader, so the same files work (CSV UTF-8 with comma or
semicolon, or the first sheet of an .xlsx); every problem keeps its spreadsheet row number.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime

from lms.accounts.importing import CheckedFile, RowProblem, UnreadableFile, read_table
from lms.competency.models import COMPETENCIES, REQUIREMENTS
from lms.content.problems import N_
from lms.content.vocabulary import BUILTIN_COMPETENCIES, TECHNICAL_CODE

KINDS = (COMPETENCIES, REQUIREMENTS)
LEVEL_COLUMNS = tuple(f"level_{n}" for n in range(1, 6))

# Column -> header names accepted (Indonesian first: the template uses the first one).
HEADERS = {
    COMPETENCIES: {
        "code": ("kode", "code", "kode_kompetensi", "competency_code"),
        "name": ("nama", "name", "nama_kompetensi", "competency_name"),
        "description": ("deskripsi", "description", "uraian"),
        **{
            f"level_{n}": (f"level_{n}", f"level{n}", f"deskripsi_level_{n}", f"tingkat_{n}")
            for n in range(1, 6)
        },
    },
    REQUIREMENTS: {
        "jabatan": ("jabatan", "position", "nama_jabatan"),
        "code": ("kode_kompetensi", "kode", "code", "competency_code", "competency"),
        "level": ("level", "level_dibutuhkan", "required_level", "tingkat"),
    },
}
REQUIRED = {COMPETENCIES: ("code", "name"), REQUIREMENTS: ("jabatan", "code", "level")}
TEMPLATE_HEADERS = {kind: tuple(names[0] for names in HEADERS[kind].values()) for kind in KINDS}
MAX_LENGTH = {
    COMPETENCIES: {"code": 40, "name": 200, "description": 2000}
    | dict.fromkeys(LEVEL_COLUMNS, 500),
    REQUIREMENTS: {"jabatan": 200},
}


def _text(value) -> str:
    """A cell as text: numbers without a trailing .0, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return " ".join(str(value).split())


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-/.]+", "_", text.strip().strip("*").strip().lower()).strip("_")


class _Problems(list):
    def add(self, row: int, column: str | None, template: str, value=None, **params) -> None:
        shown = None if value is None else str(value)[:80]
        self.append(RowProblem(row, column, template, params, shown))


def _records(kind: str, data: bytes):
    table = read_table(data)
    aliases = {alias: name for name, names in HEADERS[kind].items() for alias in names}
    positions: dict[str, int] = {}
    problems = _Problems()
    for index, title in enumerate(table.header):
        if not title:
            continue
        name = aliases.get(_header_key(title))
        if name is None:
            problems.add(1, title, N_("Unknown column, ignored."), title)
        elif name in positions:
            raise UnreadableFile(N_("The column %(column)s appears twice."), column=title)
        else:
            positions[name] = index
    missing = [HEADERS[kind][name][0] for name in REQUIRED[kind] if name not in positions]
    if missing:
        raise UnreadableFile(
            N_("Required columns are missing: %(columns)s. The first row must hold the column "
               "names, as in the template."),
            columns=", ".join(missing),
        )  # fmt: skip
    if not table.rows:
        raise UnreadableFile(N_("The file has column names but no data rows."))
    columns = tuple(name for name in HEADERS[kind] if name in positions)
    records = [
        (
            number,
            {
                name: _text(cells[positions[name]] if positions[name] < len(cells) else None)
                for name in columns
            },
        )
        for number, cells in table.rows
    ]
    return columns, records, problems


def _check_lengths(kind: str, number: int, row: dict, problems: _Problems) -> None:
    for name, limit in MAX_LENGTH[kind].items():
        if len(row.get(name) or "") > limit:
            problems.add(
                number, name, N_("Too long: at most %(max)d characters."), row[name], max=limit
            )


def _result(kind, columns, records, rows, problems: _Problems) -> CheckedFile:
    bad = {p.row for p in problems}
    valid = [{"row": number, **row} for number, row in rows if number not in bad]
    order = {name: i for i, name in enumerate(HEADERS[kind])}
    problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
    return CheckedFile(kind, columns, valid, list(problems), len(records))


def _duplicates(keys: dict, problems: _Problems, column: str, template: str) -> None:
    for value, numbers in keys.items():
        for number in numbers if len(numbers) > 1 else ():
            other = next(n for n in numbers if n != number)
            problems.add(number, column, template, value if isinstance(value, str) else None,
                         other=other)  # fmt: skip


def check_competencies(data: bytes) -> CheckedFile:
    """Technical competencies: code T-..., name, optional description and level descriptions."""
    columns, records, problems = _records(COMPETENCIES, data)
    rows: list[tuple[int, dict]] = []
    by_code: dict[str, list[int]] = {}
    for number, row in records:
        row["code"] = row["code"].upper()
        code = row["code"]
        if not code:
            problems.add(number, "code", N_("The competency code is missing."))
        elif code in BUILTIN_COMPETENCIES:
            problems.add(
                number, "code",
                N_("%(code)s is a competency of PermenPANRB 38/2017: it comes with the portal "
                   "and cannot be changed."),
                code, code=code,
            )  # fmt: skip
        elif not TECHNICAL_CODE.match(code):
            problems.add(
                number, "code",
                N_("A technical competency code is T- followed by capital letters, digits and "
                   "-, for example T-PROYEK."),
                code,
            )  # fmt: skip
        else:
            by_code.setdefault(code, []).append(number)
        if not row["name"]:
            problems.add(number, "name", N_("The name is missing."))
        _check_lengths(COMPETENCIES, number, row, problems)
        rows.append((number, row))
    _duplicates(by_code, problems, "code", N_("The same code is also in row %(other)d."))
    return _result(COMPETENCIES, columns, records, rows, problems)


def parse_level(text: str) -> int | None:
    """A required level from a cell: a whole number 1 to 5 ("3" or "3.0"), else None."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value.is_integer() and 1 <= value <= 5 else None


def check_requirements(data: bytes, known_codes: Collection[str]) -> CheckedFile:
    """Position requirements: jabatan, competency code (in the dictionary), level 1 to 5."""
    columns, records, problems = _records(REQUIREMENTS, data)
    rows: list[tuple[int, dict]] = []
    by_key: dict[tuple[str, str], list[int]] = {}
    for number, row in records:
        row["code"] = row["code"].upper()
        if not row["jabatan"]:
            problems.add(number, "jabatan", N_("The position (jabatan) is missing."))
        if not row["code"]:
            problems.add(number, "code", N_("The competency code is missing."))
        elif row["code"] not in known_codes:
            problems.add(
                number, "code",
                N_("Unknown competency code: add it to the competency dictionary first."),
                row["code"],
            )  # fmt: skip
        level = parse_level(row["level"])
        if level is None:
            problems.add(
                number, "level", N_("The level must be a whole number from 1 to 5."),
                row["level"],
            )  # fmt: skip
        else:
            row["level"] = level
        _check_lengths(REQUIREMENTS, number, row, problems)
        if row["jabatan"] and row["code"]:
            by_key.setdefault((row["jabatan"].lower(), row["code"]), []).append(number)
        rows.append((number, row))
    _duplicates(
        by_key, problems, "jabatan",
        N_("The same position and competency are also in row %(other)d."),
    )  # fmt: skip
    return _result(REQUIREMENTS, columns, records, rows, problems)
