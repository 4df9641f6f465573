"""Export writers: CSV, XLSX, JSON, xAPI statements and SIASN records from the shared export rows.

A row is a course completion or a confirmed mentoring session (`CompletionRow.kind`); every writer
writes both, with the cells a mentoring record has no value for left empty.

Pure functions (no Flask, no database) that take rows one at a time and hand out text in chunks,
so a million-row export never holds its rows in memory (openpyxl spools XLSX to a temporary file).
The web CSV is written from driver records instead (`csv_record_chunks`), to the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lms.reports.rows import MENTORING, AttemptRow, CompletionRow
from lms.reports.xlsx import ChunkSink, SheetWriter

DEFAULT_ZONE = "Asia/Jakarta"
CHUNK_ROWS = 500  # rows per yielded chunk: few enough writes per response, little memory


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # JSON key, stable for programs
    label: str  # header in CSV and XLSX, for people
    width: int  # XLSX column width in characters


EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("nip_or_username", "NIP / Nama pengguna", 22),
    Column("name", "Nama", 30),
    Column("unit_code", "Kode unit", 12),
    Column("unit_name", "Unit kerja", 36),
    Column("course_code", "Kode kursus", 14),
    Column("course_title", "Judul kursus", 40),
    Column("course_version", "Versi", 7),
    Column("competency_codes", "Kode kompetensi", 18),
    Column("jp", "JP", 7),
    Column("enrolled_at", "Waktu mendaftar", 18),
    Column("completed_at", "Waktu selesai", 18),
    Column("completed_on", "Tanggal selesai", 15),
    Column("score", "Nilai", 8),
    Column("certificate_no", "Nomor sertifikat", 24),
    # Last, so the columns HR's spreadsheets read by position stay where they were.
    Column("jenis", "Jenis", 16),
)

# SIASN's jenisDiklat names (the "Jenis" column); a number not listed here is written as is.
JENIS_DIKLAT_NAMES = {
    3: "Diklat Teknis", 4: "Workshop", 8: "Bimbingan Teknis", 9: "Seminar", 11: "Kursus",
    14: "Coaching", 15: "Mentoring", 16: "E-Learning", 17: "Pelatihan Jarak Jauh",
    22: "Belajar Mandiri", 23: "Komunitas Belajar",
}  # fmt: skip


def jenis_name(jenis_diklat: int) -> str:
    return JENIS_DIKLAT_NAMES.get(jenis_diklat, str(jenis_diklat))


# OWASP CSV injection: spreadsheet programs start a formula at any of these first characters.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would read as a formula, so it stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _local(moment: datetime, zone: tzinfo) -> datetime:
    # Rows promise aware UTC; a naive value would otherwise be read as the server's local time.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _learner_account(row: CompletionRow | AttemptRow) -> str:
    return row.nip or row.username or f"user-{row.user_id}"


def _typed_record(row: CompletionRow, zone: tzinfo) -> dict[str, object]:
    """The row's values keyed by EXPORT_COLUMNS, still typed: each format decides how to write.

    Plus "kind" ("completion" or "mentoring"), which only JSON writes: programs branch on it."""
    completed = _local(row.completed_at, zone)
    return {
        "nip_or_username": _learner_account(row),
        "name": row.name,
        "unit_code": row.unit_code,
        "unit_name": row.unit_name,
        "course_code": row.course_code,
        "course_title": row.course_title,
        "course_version": row.course_version,
        "competency_codes": row.competency_codes,
        "jp": row.jp,
        "enrolled_at": _local(row.enrolled_at, zone) if row.enrolled_at is not None else None,
        "completed_at": completed,
        "completed_on": completed.date(),  # the local day: Excel reads YYYY-MM-DD as a date
        "score": row.score,
        "certificate_no": row.certificate_no,
        "jenis": jenis_name(row.jenis_diklat),
        "kind": row.kind,
    }


# --- CSV ---------------------------------------------------------------------------------------


def _csv_number(value: int | float, decimal_comma: bool) -> str:
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",") if decimal_comma else text


def _csv_cell(value: object, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _csv_number(value, decimal_comma)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return neutralise(", ".join(value))
    return neutralise(str(value))


def csv_chunks(
    rows: Iterable[CompletionRow], *, delimiter: str = ",", tz: str | tzinfo = DEFAULT_ZONE
) -> Iterator[str]:
    """CSV text in chunks of CHUNK_ROWS rows; the first chunk starts with a BOM and the header.

    The BOM makes Excel read the file as UTF-8. `delimiter=";"` is the variant for Excel in the
    Indonesian locale, which also expects a decimal comma, so JP and scores are written "2,5".
    Text cells are neutralised against formula injection; numbers are left as numbers; what a
    mentoring record has not (version, enrolment, score) is an empty cell.
    An 18-digit NIP is text here, but Excel opening a CSV directly turns it into a number and loses
    the last digits: the XLSX export (NIP as a text cell) is the one to open in Excel.
    """
    zone = _zone(tz)
    comma = delimiter == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write("\ufeff")
    writer.writerow([column.label for column in EXPORT_COLUMNS])
    for count, row in enumerate(rows, 1):
        # One line per row, column by column in EXPORT_COLUMNS order: a generic per-cell type
        # dispatch cost more than the database read on a million rows (bench/export.py).
        completed = _local(row.completed_at, zone)
        writer.writerow(
            (
                neutralise(row.nip or row.username or f"user-{row.user_id}"),
                neutralise(row.name),
                neutralise(row.unit_code) if row.unit_code is not None else "",
                neutralise(row.unit_name) if row.unit_name is not None else "",
                neutralise(row.course_code),
                neutralise(row.course_title),
                str(row.course_version) if row.course_version is not None else "",
                neutralise(", ".join(row.competency_codes)),
                _csv_number(row.jp, comma),
                _local(row.enrolled_at, zone).isoformat(timespec="seconds")
                if row.enrolled_at is not None
                else "",
                completed.isoformat(timespec="seconds"),
                completed.date().isoformat(),
                _csv_number(row.score, comma) if row.score is not None else "",
                neutralise(row.certificate_no),
                neutralise(jenis_name(row.jenis_diklat)),
            )
        )
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if tail := buffer.getvalue():
        yield tail


_UTC_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}")


class LocalTimes(dict):
    """UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]", as `UTCText` reads it) to local ISO time and day.

    Keyed by the UTC hour ("YYYY-MM-DD HH"): within an hour a whole-hour offset (WIB +7, WITA +8,
    WIT +9) keeps minutes and seconds, so a time is the hour's local prefix, the same ":MM:SS" and
    the offset, with no datetime built per value. An hour whose offset changes inside it or is not
    whole hours (a DST switch, +05:45, old local mean time) maps to None: `exact` converts those
    one by one, the way the row path does (`_local`). The text must be UTC as `UTCText` reads it
    (SQLite holds what SQLAlchemy wrote, PostgreSQL formats it): no offset after the seconds.
    """

    def __init__(self, zone: tzinfo):
        super().__init__()
        self.zone = zone

    def __missing__(self, hour: str) -> tuple[str, str, str] | None:
        self[hour] = local = self._shift(hour)
        return local

    def _shift(self, hour: str) -> tuple[str, str, str] | None:
        if not _UTC_HOUR.fullmatch(hour):
            return None  # not what `UTCText` reads: `exact` parses it as the row path would
        start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
        first = start.astimezone(self.zone)
        offset = first.utcoffset()
        last = (start + timedelta(hours=1, microseconds=-1)).astimezone(self.zone)
        if offset is None or offset != last.utcoffset() or offset % timedelta(hours=1):
            return None
        text = first.isoformat(timespec="seconds")  # "YYYY-MM-DDTHH:00:00+07:00"
        return text[:13], text[19:], first.date().isoformat()

    def exact(self, utc_text: str) -> tuple[str, str]:
        """The local ISO time to the second and the local day of one UTC text, without the cache."""
        local = _local(datetime.fromisoformat(utc_text), self.zone)
        return local.isoformat(timespec="seconds"), local.date().isoformat()


class _CsvText:
    """Text as `csv.writer` writes it in a row: as is, or quoted when it holds the delimiter, a
    quote or a line break. The quoted form comes from the csv module itself, so both agree."""

    def __init__(self, delimiter: str):
        self.needs_quotes = re.compile(f'[{re.escape(delimiter)}"\r\n]').search
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter)

    def __call__(self, text: str) -> str:
        return self.quoted(text) if self.needs_quotes(text) else text

    def quoted(self, text: str) -> str:
        return self.cells((text,))

    def cells(self, texts: Sequence[str]) -> str:
        """Several adjacent cells, delimited, without the line end."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(texts)
        return self._buffer.getvalue()[:-2]  # the writer's "\r\n"


class _Numbers(dict):
    """A JP or score cell per distinct value: a course has few of each (bounded, in case not)."""

    def __init__(self, cell: _CsvText, decimal_comma: bool):
        super().__init__()
        self.cell = cell
        self.decimal_comma = decimal_comma

    def __missing__(self, value: int | float) -> str:
        text = self.cell(_csv_number(value, self.decimal_comma))
        if len(self) < 10_000:
            self[value] = text
        return text


def csv_record_chunks(
    batches: Iterable[tuple[Sequence[Sequence], Mapping[int, tuple[str, ...]]]],
    *,
    delimiter: str = ",",
    tz: str | tzinfo = DEFAULT_ZONE,
) -> Iterator[str]:
    """`csv_chunks`, byte for byte, from driver records (lms.reports.queries.completion_records).

    The same cells, written without a CompletionRow, a datetime or a csv.writer call per row:
    the unit's and the course's cells are written once per unit and per version, numbers once
    per value, times shifted by a cached offset per UTC hour (`LocalTimes`), and the rest of a
    line joined as is unless a cell needs quotes. One chunk after the header, then one per batch.
    tests/unit/test_exports.py and tests/integration/test_export_fast_path.py hold it to
    `csv_chunks` on awkward values, zones and filters.
    """
    times = LocalTimes(_zone(tz))
    text = _CsvText(delimiter)
    needs_quotes, quoted = text.needs_quotes, text.quoted
    numbers = _Numbers(text, decimal_comma=delimiter == ";")
    units: dict[tuple[str | None, str | None], str] = {}
    courses: dict[int | str, str] = {}  # by version id; a mentoring record (none) by its title
    jenis_cells: dict[int, str] = {}
    triggers = FORMULA_TRIGGERS
    join = delimiter.join
    yield "\ufeff" + text.cells([column.label for column in EXPORT_COLUMNS]) + "\r\n"
    for records, competencies in batches:
        lines = []
        for (
            _completion_id, user_id, nip, username, name, unit_code, unit_name, course_code,
            course_title, course_version, version_id, jp, jenis, enrolled, completed, score,
            _pass_mark, certificate_no, _kind, _minutes,
        ) in records:  # fmt: skip
            unit = units.get((unit_code, unit_name))
            if unit is None:
                unit = units[unit_code, unit_name] = text.cells(
                    (
                        neutralise(unit_code) if unit_code is not None else "",
                        neutralise(unit_name) if unit_name is not None else "",
                    )
                )
            course_key = course_title if version_id is None else version_id
            course = courses.get(course_key)
            if course is None:
                course = courses[course_key] = text.cells(
                    (
                        neutralise(course_code),
                        neutralise(course_title),
                        str(course_version) if course_version is not None else "",
                        neutralise(", ".join(competencies.get(version_id, ()))),
                    )
                )
            jenis_cell = jenis_cells.get(jenis)
            if jenis_cell is None:
                jenis_cell = jenis_cells[jenis] = text(neutralise(jenis_name(jenis)))
            account = nip or username or f"user-{user_id}"
            if account.startswith(triggers):
                account = "'" + account
            if needs_quotes(account):
                account = quoted(account)
            if name.startswith(triggers):
                name = "'" + name
            if needs_quotes(name):
                name = quoted(name)
            if certificate_no.startswith(triggers):
                certificate_no = "'" + certificate_no
            if needs_quotes(certificate_no):
                certificate_no = quoted(certificate_no)
            # ISO times and days never need quotes.
            if enrolled is None:  # a mentoring record
                enrolled = ""
            elif (shift := times[enrolled[:13]]) is None:
                enrolled = times.exact(enrolled)[0]
            else:
                enrolled = shift[0] + enrolled[13:19] + shift[1]
            shift = times[completed[:13]]
            if shift is None:
                completed, completed_on = times.exact(completed)
            else:
                completed, completed_on = shift[0] + completed[13:19] + shift[1], shift[2]
            line = join((
                account, name, unit, course, numbers[jp], enrolled, completed, completed_on,
                numbers[score] if score is not None else "", certificate_no, jenis_cell,
            ))  # fmt: skip
            lines.append(line)
        if lines:
            lines.append("")  # the last line's end
            yield "\r\n".join(lines)


# --- XLSX --------------------------------------------------------------------------------------

_DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
_DATE_FORMAT = "dd-mm-yyyy"


def _xlsx_text(text: str) -> str:
    # openpyxl refuses XML control characters; one stray \x01 must not abort the whole export.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones: the local wall-clock time
    if isinstance(value, date):
        return value
    if isinstance(value, tuple):
        return _xlsx_text(", ".join(value))
    return _xlsx_text(str(value))


def write_xlsx(
    rows: Iterable[CompletionRow], fileobj: BinaryIO, *, tz: str | tzinfo = DEFAULT_ZONE
) -> None:
    """Write one sheet "Penyelesaian" with a bold, frozen header and typed cells to `fileobj`.

    Dates are real date cells in local time, JP and scores are numbers, and text is neutralised
    against formula injection. Rows are written into the zip as they come (lms.reports.xlsx), in
    constant memory.
    """
    for _ in _xlsx_rows(rows, fileobj, tz):
        pass


def xlsx_chunks(
    rows: Iterable[CompletionRow], *, tz: str | tzinfo = DEFAULT_ZONE
) -> Iterator[bytes]:
    """The same workbook as `write_xlsx`, handed out in pieces as it is written, so a download
    starts at once and nothing is spooled to disk (the zip is written for an unseekable stream)."""
    sink = ChunkSink()
    for _ in _xlsx_rows(rows, sink, tz):
        if sink.size >= 256 * 1024:
            yield sink.take()
    if sink.size:
        yield sink.take()


def _xlsx_rows(rows: Iterable[CompletionRow], fileobj, tz: str | tzinfo) -> Iterator[None]:
    """Write the workbook into `fileobj`, pausing after each row (for xlsx_chunks)."""
    zone = _zone(tz)
    sheet = SheetWriter(
        fileobj, "Penyelesaian", [c.width for c in EXPORT_COLUMNS],
        datetime_format=_DATETIME_FORMAT, date_format=_DATE_FORMAT,
    )  # fmt: skip
    sheet.header([c.label for c in EXPORT_COLUMNS])
    keys = [c.key for c in EXPORT_COLUMNS]
    for row in rows:
        record = _typed_record(row, zone)
        sheet.row([_xlsx_value(record[key]) for key in keys])
        yield
    sheet.close()
    yield


# --- JSON --------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def json_array_chunks(items: Iterable[object]) -> Iterator[str]:
    """A JSON array in chunks: "[" first, items separated by ",\\n", "]" last; "[]" when empty."""
    parts = ["["]
    pending = 0
    for count, item in enumerate(items):
        if count:
            parts.append(",\n")
        parts.append(json.dumps(item, ensure_ascii=False))
        pending += 1
        if pending == CHUNK_ROWS:
            yield "".join(parts)
            parts, pending = [], 0
    parts.append("]")
    yield "".join(parts)


def json_chunks(rows: Iterable[CompletionRow], *, tz: str | tzinfo = DEFAULT_ZONE) -> Iterator[str]:
    """The completions as a JSON array of objects keyed by EXPORT_COLUMNS keys.

    Numbers stay numbers, competency codes are a list, times are ISO 8601 with the zone's offset.
    Text is not neutralised: JSON is read by programs, and a quote would change the data.
    """
    zone = _zone(tz)
    return json_array_chunks(json_record(row, zone) for row in rows)


def json_record(row: CompletionRow, tz: str | tzinfo = DEFAULT_ZONE) -> dict[str, object]:
    """One completion as the JSON export writes it (the API's items use the same keys)."""
    zone = _zone(tz)
    return {key: _json_value(value) for key, value in _typed_record(row, zone).items()}


def ndjson_chunks(objects: Iterable[object]) -> Iterator[str]:
    """Newline-delimited JSON (one object per line), in chunks of CHUNK_ROWS lines."""
    parts: list[str] = []
    for obj in objects:
        parts.append(json.dumps(obj, ensure_ascii=False) + "\n")
        if len(parts) == CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    if parts:
        yield "".join(parts)


# --- xAPI 1.0.3 --------------------------------------------------------------------------------

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"
ACTIVITY_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ACTIVITY_MEETING = "http://adlnet.gov/expapi/activities/meeting"

_VERB_DISPLAY = {
    VERB_COMPLETED: {"en-US": "completed", "id-ID": "menyelesaikan"},
    VERB_PASSED: {"en-US": "passed", "id-ID": "lulus"},
    VERB_FAILED: {"en-US": "failed", "id-ID": "tidak lulus"},
    VERB_ATTENDED: {"en-US": "attended", "id-ID": "menghadiri"},
}

# Never change this: statement ids derive from it, and an LRS de-duplicates re-exports by id.
STATEMENT_NAMESPACE = uuid.UUID("89431993-febd-488f-9422-1597c41c142e")

# xAPI 1.0.3 (Data, 2.4.10): a provider that sets "version" MUST set "1.0.0", the data model
# every 1.0.x shares; the patch level travels in the X-Experience-API-Version header instead.
STATEMENT_VERSION = "1.0.0"


def iso_duration(span: timedelta) -> str:
    """An ISO 8601 duration such as "P3DT4H5M", "PT20M" or "PT1.5S", to 0.01 s as xAPI keeps it.

    Days are the largest unit, because months and years have no fixed length. A negative span can
    only be bad data; it is written as "PT0S" because an LRS rejects the whole batch otherwise.
    """
    micros = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
    centis = max(0, micros // 10_000)
    days, rest = divmod(centis, 8_640_000)
    hours, rest = divmod(rest, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, fraction = divmod(rest, 100)
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if fraction:
        time += f"{seconds}.{fraction:02d}".rstrip("0") + "S"
    elif seconds:
        time += f"{seconds}S"
    if not days and not time:
        return "PT0S"
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def statement_id(portal_url: str, kind: str, record_id: int) -> str:
    """A stable UUID for a statement, so re-exporting the same fact gives the same id.

    The portal URL is part of the name: two portals sending to one LRS must not collide.
    """
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{portal_url} {kind}:{record_id}"))


def _actor(row: CompletionRow | AttemptRow, portal_url: str) -> dict:
    return {
        "objectType": "Agent",
        "name": row.name,
        "account": {"homePage": portal_url, "name": _learner_account(row)},
    }


def _verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": _VERB_DISPLAY[verb_id]}


def _course_activity(portal_url: str, code: str, version: int, title: str) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{portal_url}/courses/{code}/v{version}",
        "definition": {"type": ACTIVITY_COURSE, "name": {"id-ID": title}},
    }


def _score(score: float) -> dict:
    return {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}


def _completion_statement(row: CompletionRow, portal_url: str, zone: tzinfo) -> dict:
    return {
        "id": statement_id(portal_url, "completion", row.completion_id),
        "actor": _actor(row, portal_url),
        "verb": _verb(VERB_COMPLETED),
        "object": _course_activity(
            portal_url, row.course_code, row.course_version, row.course_title
        ),
        "result": {
            "completion": True,
            "success": row.score >= row.pass_mark,
            "score": _score(row.score),
            "duration": iso_duration(row.completed_at - row.enrolled_at),
        },
        "timestamp": _iso(_local(row.completed_at, zone)),
        "version": STATEMENT_VERSION,
    }


def _mentoring_statement(row: CompletionRow, portal_url: str, zone: tzinfo) -> dict:
    """A confirmed mentoring session: the mentee attended a meeting that lasted its minutes."""
    return {
        "id": statement_id(portal_url, MENTORING, row.completion_id),
        "actor": _actor(row, portal_url),
        "verb": _verb(VERB_ATTENDED),
        "object": {
            "objectType": "Activity",
            "id": f"{portal_url}/mentoring/sessions/{row.completion_id}",
            "definition": {"type": ACTIVITY_MEETING, "name": {"id-ID": row.course_title}},
        },
        "result": {
            "completion": True,
            "duration": iso_duration(timedelta(minutes=row.minutes or 0)),
        },
        "timestamp": _iso(_local(row.completed_at, zone)),
        "version": STATEMENT_VERSION,
    }


def _attempt_statement(row: AttemptRow, portal_url: str, zone: tzinfo) -> dict:
    course = _course_activity(portal_url, row.course_code, row.course_version, row.course_title)
    quiz = {
        "objectType": "Activity",
        "id": f"{course['id']}/quiz",
        "definition": {
            "type": ACTIVITY_ASSESSMENT,
            "name": {"id-ID": f"Kuis akhir: {row.course_title}"},
        },
    }
    return {
        "id": statement_id(portal_url, "attempt", row.attempt_id),
        "actor": _actor(row, portal_url),
        # The grading recorded pass or fail when the attempt was submitted: report that fact.
        "verb": _verb(VERB_PASSED if row.passed else VERB_FAILED),
        "object": quiz,
        "result": {
            "success": row.passed,
            "score": _score(row.score),
            "duration": iso_duration(row.submitted_at - row.started_at),
        },
        "context": {"contextActivities": {"parent": [course]}},
        "timestamp": _iso(_local(row.submitted_at, zone)),
        "version": STATEMENT_VERSION,
    }


def xapi_statements(
    completions: Iterable[CompletionRow],
    attempts: Iterable[AttemptRow],
    *,
    portal_url: str,
    tz: str | tzinfo = DEFAULT_ZONE,
) -> Iterator[dict]:
    """xAPI statements: one "completed" per completion or "attended" per mentoring session, in
    the rows' order, then one "passed"/"failed" per attempt.

    The two sources are read one after the other (never both open at once). Statement ids are
    deterministic (see `statement_id`), so sending an export twice does not duplicate records.
    """
    zone = _zone(tz)
    portal_url = portal_url.rstrip("/")
    for row in completions:
        if row.kind == MENTORING:
            yield _mentoring_statement(row, portal_url, zone)
        else:
            yield _completion_statement(row, portal_url, zone)
    for attempt in attempts:
        yield _attempt_statement(attempt, portal_url, zone)


# --- SIASN -------------------------------------------------------------------------------------

SIASN_DATE = "%d-%m-%Y"


def _whole_hours(jp: float) -> int:
    # Half up, as people round (2.5 JP -> 3), not Python's round-half-even (2.5 -> 2).
    return int(Decimal(str(jp)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def siasn_records(
    rows: Iterable[CompletionRow],
    *,
    organiser: str,
    tz: str | tzinfo = DEFAULT_ZONE,
    on_skip: Callable[[CompletionRow], None] | None = None,
) -> Iterator[dict]:
    """Records shaped for SIASN's kursus/save, keyed by `nipBaru` for HR's loader.

    Rows without a NIP (non-ASN accounts) cannot go to SIASN and are skipped; `on_skip` is called
    with each skipped row, so the caller can count them and report the number once the stream
    has been read to the end. SIASN's own ids (`id`, `instansiId`, `pnsOrangId`, `lokasiId`,
    `path`) are unknown to the portal and left null. Dates are local days in `tz`, dd-mm-yyyy.
    A mentoring record (jenisDiklatId 15) starts and ends on its meeting's local day and has no
    certificate number.
    """
    zone = _zone(tz)
    for row in rows:
        if not row.nip:
            if on_skip is not None:
                on_skip(row)
            continue
        completed = _local(row.completed_at, zone)
        enrolled = completed if row.enrolled_at is None else _local(row.enrolled_at, zone)
        yield {
            "nipBaru": row.nip,
            "id": None,
            "instansiId": None,
            "institusiPenyelenggara": organiser,
            "jenisDiklatId": row.jenis_diklat,
            "jenisKursus": None,
            "jenisKursusSertipikat": None,
            # The course's JP as declared, not clock hours: SIASN counts jam pelajaran.
            "jumlahJam": _whole_hours(row.jp),
            "lokasiId": None,
            "namaKursus": row.course_title,
            "nomorSertipikat": row.certificate_no,
            "path": None,
            "pnsOrangId": None,
            "tahunKursus": completed.year,
            "tanggalKursus": enrolled.strftime(SIASN_DATE),
            "tanggalSelesaiKursus": completed.strftime(SIASN_DATE),
        }
