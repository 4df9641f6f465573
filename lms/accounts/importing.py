"""Employee and unit files (CSV or XLSX) read and checked row by row: pure code, no Flask, no DB.

Every problem is collected with its spreadsheet row number; messages are templates marked with N_.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from lms.accounts.models import EMPLOYEES, UNITS
from lms.accounts.nip import InvalidNip, parse_nip
from lms.content.problems import N_

KINDS = (EMPLOYEES, UNITS)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX is a ZIP: a small upload could unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COLUMNS = 50
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
ZONE_ABBREVIATIONS = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

# Column -> the header names accepted (Indonesian, English); the template uses the first one.
HEADERS = {
    EMPLOYEES: {
        "nip": ("nip", "nip_baru"),
        "name": ("nama", "name", "nama_lengkap", "full_name"),
        "email": ("email", "e_mail", "surel"),
        "unit": ("unit_kerja", "unit", "kode_unit", "unit_code"),
        "jabatan": ("jabatan", "position"),
        "golongan": ("golongan", "gol", "grade"),
        "pangkat": ("pangkat", "rank"),
        "eselon": ("eselon", "echelon"),
    },
    UNITS: {
        "code": ("kode", "code", "kode_unit", "unit_code"),
        "name": ("nama", "name", "nama_unit", "unit_name"),
        "parent": ("induk", "parent", "kode_induk", "parent_code"),
        "timezone": ("zona_waktu", "zona", "timezone", "time_zone"),
    },
}
REQUIRED = {EMPLOYEES: ("nip", "name", "unit"), UNITS: ("code", "name")}
# The downloadable templates use the first name of each column.
TEMPLATE_HEADERS = {kind: tuple(names[0] for names in HEADERS[kind].values()) for kind in KINDS}
MAX_LENGTH = {
    EMPLOYEES: {
        "name": 200, "email": 254, "unit": 200, "jabatan": 200,
        "golongan": 10, "pangkat": 60, "eselon": 10,
    },
    UNITS: {"code": 40, "name": 200, "parent": 40, "timezone": 40},
}  # fmt: skip
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
TOO_MANY_ROWS = N_("The file has more than %(max)d rows; split it into smaller files.")
NOT_A_TABLE = N_(
    "This file is neither a CSV text file (UTF-8) nor an Excel workbook (.xlsx). "
    "Use the template, or save the spreadsheet as CSV UTF-8 or .xlsx."
)


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (not CSV/XLSX, too big, no header...)."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str | None
    template: str
    params: dict = field(default_factory=dict)
    value: str | None = None

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def as_dict(self) -> dict:
        return {
            "row": self.row, "column": self.column, "value": self.value,
            "template": self.template, "params": self.params,
        }  # fmt: skip


@dataclass
class CheckedFile:
    kind: str
    columns: tuple[str, ...]  # canonical names of the columns the file has, in canonical order
    rows: list[dict]  # the valid rows, each with its "row" number and one key per column
    problems: list[RowProblem]
    total: int  # data rows read (blank rows are skipped)

    @property
    def invalid(self) -> int:
        return len({p.row for p in self.problems if p.row > 1})


@dataclass(frozen=True)
class UnitDirectory:
    """What the portal already knows about units: code -> (name, parent code)."""

    units: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    def resolve(self, text: str) -> list[str]:
        """Codes a unit cell may mean: its code (any case), else units with that exact name."""
        if text in self.units:
            return [text]
        lowered = text.lower()
        by_code = [c for c in self.units if c.lower() == lowered]
        if by_code:
            return by_code
        return sorted(c for c, (name, _) in self.units.items() if name.lower() == lowered)


# --- reading ------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number, raw cell values), blank rows left out


def read_table(data: bytes) -> Table:
    """Read a CSV (UTF-8, comma or semicolon) or the first sheet of an XLSX; header row first."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(
            N_("The file is larger than %(max)d MB."), max=MAX_BYTES // (1024 * 1024)
        )
    if not data.strip():
        raise UnreadableFile(N_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            N_("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
               "CSV UTF-8 and upload it again.")
        )  # fmt: skip
    else:
        rows = _csv_rows(data)
    header: list[str] | None = None
    body: list[tuple[int, list]] = []
    for number, cells in rows:
        if not any(_text(c) for c in cells):
            continue
        if header is None:
            header = [_text(c) for c in cells]
            continue
        if len(body) == MAX_ROWS:
            raise UnreadableFile(TOO_MANY_ROWS, max=MAX_ROWS)
        body.append((number, list(cells)))
    if header is None:
        raise UnreadableFile(N_("The file is empty."))
    return Table(header, body)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    if b"\x00" in data:  # UTF-16 text or a binary file
        raise UnreadableFile(NOT_A_TABLE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            N_("The file is not UTF-8 text (see line %(line)d). Save it as CSV UTF-8 or as an "
               "Excel workbook (.xlsx)."),
            line=data[: exc.start].count(b"\n") + 1,
        ) from None  # fmt: skip
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text[:4096]):
        raise UnreadableFile(NOT_A_TABLE)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        raise UnreadableFile(
            N_("The CSV file cannot be read at row %(row)d."), row=number + 1
        ) from None


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise UnreadableFile(N_("The Excel workbook cannot be read.")) from None
    if len(entries) > 1000 or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(N_("The Excel workbook is too large once unpacked."))
    import openpyxl  # only when needed: it takes a while to import

    # openpyxl warns about features it drops (data validation, missing styles): harmless here.
    # Everything is read inside this block: warning filters are process-wide, so a generator
    # must not keep them changed while other code runs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # data_only=False: a formula is read as its text ("=A1+B1"), never evaluated.
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
        except Exception:  # any failure to parse means the same thing to HR
            raise UnreadableFile(N_("The Excel workbook cannot be read.")) from None
        try:
            if not book.worksheets:
                raise UnreadableFile(N_("The file is empty."))
            rows = []
            cells_by_row = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
            for number, cells in enumerate(cells_by_row, start=1):
                if number > 2 * MAX_ROWS + 1:  # empty formatted rows can run to a million
                    raise UnreadableFile(TOO_MANY_ROWS, max=MAX_ROWS)
                values = list(cells)
                while values and values[-1] is None:
                    values.pop()
                rows.append((number, values))
            return rows
        except UnreadableFile:
            raise
        except Exception:
            raise UnreadableFile(N_("The Excel workbook cannot be read.")) from None
        finally:
            book.close()


def _text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return " ".join(str(value).split())


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-/.]+", "_", text.strip().strip("*").strip().lower()).strip("_")


def _map_header(kind: str, header: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    aliases = {alias: name for name, names in HEADERS[kind].items() for alias in names}
    positions: dict[str, int] = {}
    notes: list[RowProblem] = []
    for index, title in enumerate(header):
        if not title:
            continue
        name = aliases.get(_header_key(title))
        if name is None:
            notes.append(RowProblem(1, title, N_("Unknown column, ignored."), value=title))
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
    return positions, notes


def _records(kind: str, data: bytes):
    table = read_table(data)
    positions, notes = _map_header(kind, table.header)
    if not table.rows:
        raise UnreadableFile(N_("The file has column names but no data rows."))
    columns = tuple(name for name in HEADERS[kind] if name in positions)

    def cell(cells: list, name: str):
        index = positions[name]
        return cells[index] if index < len(cells) else None

    records = [
        (number, {name: cell(cells, name) for name in columns}) for number, cells in table.rows
    ]
    return columns, records, notes


def _clip(value: str) -> str:
    return value if len(value) <= 80 else value[:79] + "…"


class _Problems(list):
    def add(self, row: int, column: str | None, template: str, value=None, **params) -> None:
        shown = None if value is None else _clip(str(value))
        self.append(RowProblem(row, column, template, params, shown))


def _check_lengths(kind: str, number: int, record: dict, problems: _Problems) -> None:
    for name, limit in MAX_LENGTH[kind].items():
        value = record.get(name) or ""
        if len(value) > limit:
            problems.add(
                number, name, N_("Too long: at most %(max)d characters."), value, max=limit
            )


# --- employees ----------------------------------------------------------------------------


def check_employees(data: bytes, units: UnitDirectory) -> CheckedFile:
    columns, records, notes = _records(EMPLOYEES, data)
    problems = _Problems(notes)
    candidates: list[tuple[int, dict]] = []
    rows_by_nip: dict[str, list[int]] = {}
    for number, raw in records:
        before = len(problems)
        row = {name: _text(value) for name, value in raw.items()}
        nip = _check_nip(number, raw["nip"], row["nip"], problems)
        if nip:
            row["nip"] = nip
            rows_by_nip.setdefault(nip, []).append(number)
        if not row["name"]:
            problems.add(number, "name", N_("The name is missing."))
        if row.get("email") and not EMAIL.match(row["email"]):
            problems.add(number, "email", N_("Not a valid email address."), row["email"])
        _check_lengths(EMPLOYEES, number, row, problems)
        if not row["unit"]:
            problems.add(number, "unit", N_("The unit is missing."))
        elif len(row["unit"]) <= MAX_LENGTH[EMPLOYEES]["unit"]:
            codes = units.resolve(row["unit"])
            if not codes:
                problems.add(
                    number, "unit",
                    N_("No unit has this code or name. Import the units first, or check the "
                       "spelling."),
                    row["unit"],
                )  # fmt: skip
            elif len(codes) > 1:
                problems.add(
                    number, "unit", N_("Several units have this name; use the unit code."),
                    row["unit"],
                )  # fmt: skip
            else:
                row["unit"] = codes[0]
        if len(problems) == before:
            candidates.append((number, row))
    for nip, numbers in rows_by_nip.items():
        if len(numbers) > 1:
            for number in numbers:
                other = next(n for n in numbers if n != number)
                problems.add(
                    number, "nip", N_("The same NIP is also in row %(other)d."), nip, other=other
                )
    return _result(EMPLOYEES, columns, records, candidates, problems)


def _check_nip(number: int, raw, text: str, problems: _Problems) -> str | None:
    if isinstance(raw, float) and abs(raw) >= 1e15:
        # Excel keeps 15 significant digits: an 18-digit NIP typed as a number is already wrong.
        problems.add(
            number, "nip",
            N_("The NIP was stored as a number and has lost digits. Format the NIP column as "
               "text and type the NIPs again."),
            text,
        )  # fmt: skip
        return None
    if not text:
        problems.add(number, "nip", N_("The NIP is missing."))
        return None
    try:
        # A leading apostrophe is how people force Excel to keep a number as text.
        return parse_nip(text.removeprefix("'")).value
    except InvalidNip as exc:
        problems.append(RowProblem(number, "nip", exc.template, exc.params, _clip(text)))
        return None


def _result(kind, columns, records, candidates, problems: _Problems) -> CheckedFile:
    bad = {p.row for p in problems}
    rows = [{"row": number, **row} for number, row in candidates if number not in bad]
    order = {name: i for i, name in enumerate(HEADERS[kind])}
    problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
    return CheckedFile(kind, columns, rows, list(problems), len(records))


# --- units --------------------------------------------------------------------------------


def check_units(data: bytes, units: UnitDirectory) -> CheckedFile:
    columns, records, notes = _records(UNITS, data)
    problems = _Problems(notes)
    rows: list[tuple[int, dict]] = []
    rows_by_code: dict[str, list[int]] = {}
    codes_by_lowercase = {code.lower(): code for code in units.units}
    for number, raw in records:
        row = {name: _text(value) for name, value in raw.items()}
        if not row["code"]:
            problems.add(number, "code", N_("The unit code is missing."))
        else:
            rows_by_code.setdefault(row["code"], []).append(number)
            existing = codes_by_lowercase.get(row["code"].lower())
            if existing is not None and row["code"] not in units.units:
                problems.add(
                    number, "code",
                    N_("The portal already has the unit %(code)s: write its code the same way."),
                    row["code"], code=existing,
                )  # fmt: skip
        if not row["name"]:
            problems.add(number, "name", N_("The name is missing."))
        if row.get("timezone"):
            zone = ZONE_ABBREVIATIONS.get(row["timezone"].upper(), row["timezone"])
            if zone not in ZONES:
                problems.add(
                    number, "timezone",
                    N_("Unknown time zone: use Asia/Jakarta (WIB), Asia/Makassar (WITA) or "
                       "Asia/Jayapura (WIT)."),
                    row["timezone"],
                )  # fmt: skip
            row["timezone"] = zone
        _check_lengths(UNITS, number, row, problems)
        rows.append((number, row))
    for code, numbers in rows_by_code.items():
        if len(numbers) > 1:
            for number in numbers:
                other = next(n for n in numbers if n != number)
                problems.add(
                    number, "code", N_("The same code is also in row %(other)d."), code,
                    other=other,
                )  # fmt: skip
    if "parent" in columns:
        _check_parents(rows, rows_by_code, units, problems)
    bad = {p.row for p in problems}
    return _result(UNITS, columns, records, [r for r in rows if r[0] not in bad], problems)


def _check_parents(rows, rows_by_code, units: UnitDirectory, problems: _Problems) -> None:
    for number, row in rows:
        parent = row["parent"]
        if parent and parent not in rows_by_code and parent not in units.units:
            problems.add(
                number, "parent",
                N_("No unit has this parent code, in the file or in the portal."), parent,
            )  # fmt: skip
    # Only rows without problems are applied, and each problem found here can make another row
    # unusable (a loop through it, or a child whose parent will not exist): repeat until stable.
    while True:
        bad = {p.row for p in problems}
        good = [(number, row) for number, row in rows if number not in bad]
        # The tree as it would be after applying: the portal's parents, changed by good rows.
        parents = {code: parent for code, (_, parent) in units.units.items()}
        parents.update({row["code"]: row["parent"] or None for _, row in good})
        found = len(problems)
        for number, row in good:
            chain, current = [row["code"]], parents.get(row["code"])
            seen = set(chain)
            while current is not None and current not in seen:
                chain.append(current)
                seen.add(current)
                current = parents.get(current)
            if current == row["code"]:
                problems.add(
                    number, "parent", N_("The parent chain loops back to this unit: %(chain)s."),
                    row["parent"], chain=" → ".join([*chain, current]),
                )  # fmt: skip
                continue
            parent = row["parent"]
            parent_rows = rows_by_code.get(parent, []) if parent else []
            if parent_rows and parent not in units.units and all(n in bad for n in parent_rows):
                problems.add(
                    number, "parent", N_("The parent is in row %(other)d, which has errors."),
                    parent, other=parent_rows[0],
                )  # fmt: skip
        if len(problems) == found:
            return


def check_file(kind: str, data: bytes, units: UnitDirectory) -> CheckedFile:
    if kind == EMPLOYEES:
        return check_employees(data, units)
    if kind == UNITS:
        return check_units(data, units)
    raise ValueError(f"unknown import kind {kind!r}")
