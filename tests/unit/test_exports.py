"""Export writers: every format parsed back, formula injection, local dates, xAPI and SIASN shapes.

Rows are built by hand (no database); the streaming tests feed generators and watch when output starts.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.reports.exports import (
    CHUNK_ROWS,
    EXPORT_COLUMNS,
    csv_chunks,
    csv_record_chunks,
    iso_duration,
    json_array_chunks,
    json_chunks,
    ndjson_chunks,
    neutralise,
    siasn_records,
    write_xlsx,
    xapi_statements,
)
from lms.reports.rows import COMPLETION, MENTORING, AttemptRow, CompletionRow

PORTAL = "https://elearning.semarangkota.go.id"
WIB = timedelta(hours=7)
KEYS = [c.key for c in EXPORT_COLUMNS]
LABELS = [c.label for c in EXPORT_COLUMNS]
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
HOSTILE = {
    "name": '=HYPERLINK("http://evil.example","klik")',
    "unit_code": "\tX",
    "unit_name": "+628123",
    "course_title": "-1",
    "certificate_no": "@SUM(A1)",
}


def completion(**changes) -> CompletionRow:
    values = {
        "completion_id": 1,
        "user_id": 10,
        "nip": "198609262015051001",
        "username": None,
        "name": "Dra. Hj. Siti Ma’rifah, M.Si.",
        "unit_code": "DPUPR",
        "unit_name": "Dinas Pekerjaan Umum dan Penataan Ruang",
        "course_code": "PBJ-101",
        "course_title": "Pengadaan Barang/Jasa Pemerintah",
        "course_version": 2,
        "competency_codes": ("M1", "T-PBJ"),
        "jp": 2.5,
        "jenis_diklat": 16,
        "enrolled_at": datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
        "completed_at": datetime(2026, 11, 23, 7, 5, tzinfo=UTC),  # 14:05 WIB
        "score": 82.5,
        "pass_mark": 70,
        "certificate_no": "SERT/2026/0001",
    }
    return CompletionRow(**(values | changes))


def attempt(**changes) -> AttemptRow:
    values = {
        "attempt_id": 1,
        "user_id": 10,
        "nip": "198609262015051001",
        "username": None,
        "name": "Dra. Hj. Siti Ma’rifah, M.Si.",
        "course_code": "PBJ-101",
        "course_title": "Pengadaan Barang/Jasa Pemerintah",
        "course_version": 2,
        "number": 1,
        "started_at": datetime(2026, 11, 23, 6, 45, tzinfo=UTC),
        "submitted_at": datetime(2026, 11, 23, 7, 5, tzinfo=UTC),
        "score": 82.5,
        "pass_mark": 70,
        "passed": True,
    }
    return AttemptRow(**(values | changes))


def mentoring(**changes) -> CompletionRow:
    """A confirmed mentoring session as the mentee's learning record (queries._mentoring_select)."""
    values = {
        "completion_id": 7,
        "user_id": 10,
        "nip": "198609262015051001",
        "username": None,
        "name": "Dra. Hj. Siti Ma’rifah, M.Si.",
        "unit_code": "DPUPR",
        "unit_name": "Dinas Pekerjaan Umum dan Penataan Ruang",
        "course_code": "",
        "course_title": "Mentoring: Mentoring CPNS 2026",
        "course_version": None,
        "competency_codes": (),
        "jp": 2.0,
        "jenis_diklat": 15,
        "enrolled_at": None,
        "completed_at": datetime(2026, 11, 24, 17, 30, tzinfo=UTC),  # 00:30 WIB on the 25th
        "score": None,
        "pass_mark": None,
        "certificate_no": "",
        "kind": MENTORING,
        "minutes": 90,
    }
    return CompletionRow(**(values | changes))


def sample_rows() -> list[CompletionRow]:
    return [
        completion(),
        completion(completion_id=2, user_id=11, nip="199001012019032002", **HOSTILE),
        # 00:30 WIB on 1 January 2027 is still 31 December 2026 in UTC.
        completion(
            completion_id=3,
            user_id=12,
            nip="198512312010011003",
            name="I Gusti Ayu Ngurah Putri Ré",
            enrolled_at=datetime(2026, 12, 30, 18, 0, tzinfo=UTC),  # 31-12-2026 01:00 WIB
            completed_at=datetime(2026, 12, 31, 17, 30, tzinfo=UTC),
            jp=1.0,
            score=60.0,
            competency_codes=(),
        ),
        # A non-ASN (honorer) account: no NIP, only a username.
        completion(completion_id=4, user_id=13, nip=None, username="honorer.andi", name="Andi"),
    ]


def sample_attempts() -> list[AttemptRow]:
    return [
        attempt(attempt_id=1, passed=False, score=40.0, number=1),
        attempt(attempt_id=2, number=2),
        attempt(attempt_id=3, user_id=13, nip=None, username="honorer.andi", name="Andi"),
    ]


def read_csv(rows, delimiter=",", tz="Asia/Jakarta"):
    text = "".join(csv_chunks(rows, delimiter=delimiter, tz=tz))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def by_key(record: list[str]) -> dict[str, str]:
    return dict(zip(KEYS, record, strict=True))


# --- neutralise -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("x")', "+628123", "-1", "@SUM(A1)", "\tX", "\rX"]
)
def test_neutralise_quotes_formula_starts(text):
    """Does text a spreadsheet would run as a formula get a leading quote (and nothing else)?"""
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Siti", "1-2", "a=b", "PBJ-101", "'sudah", " =spasi"])
def test_neutralise_leaves_plain_text(text):
    """Is ordinary text, including a minus or equals sign inside it, left exactly as it was?"""
    assert neutralise(text) == text


def test_columns_have_unique_keys_and_indonesian_labels():
    """Do the columns shared by CSV, XLSX and JSON have one key each and the labels HR reads?"""
    assert len(set(KEYS)) == len(KEYS)
    assert KEYS[:2] == ["nip_or_username", "name"]
    assert {"Nama", "Judul kursus", "JP", "Tanggal selesai", "Nilai", "Nomor sertifikat"} <= set(
        LABELS
    )


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_has_bom_header_and_one_line_per_row():
    """Does the CSV open in Excel as UTF-8, with the header and one line per completion?"""
    table = read_csv(sample_rows())
    assert table[0] == LABELS
    assert len(table) == 1 + 4
    first = by_key(table[1])
    assert first["name"] == "Dra. Hj. Siti Ma’rifah, M.Si."  # the comma was quoted, not split
    assert first["nip_or_username"] == "198609262015051001"
    assert first["competency_codes"] == "M1, T-PBJ"
    assert first["course_version"] == "2"


def test_csv_times_are_local_iso_with_offset():
    """Are times written as ISO 8601 in WIB with +07:00, and the local completion day apart?"""
    first = by_key(read_csv(sample_rows())[1])
    assert first["completed_at"] == "2026-11-23T14:05:00+07:00"
    assert first["enrolled_at"] == "2026-11-20T10:00:00+07:00"
    assert first["completed_on"] == "2026-11-23"
    assert datetime.fromisoformat(first["completed_at"]).utcoffset() == WIB


def test_csv_local_day_differs_from_utc_day_after_midnight():
    """Does a completion at 00:30 WIB on 1 January count on 1 January, not 31 December (UTC)?"""
    midnight = by_key(read_csv(sample_rows())[3])
    assert midnight["completed_on"] == "2027-01-01"
    assert midnight["completed_at"] == "2027-01-01T00:30:00+07:00"


def test_csv_other_time_zone():
    """Does a unit in WITA get its own offset and local times?"""
    wita = by_key(read_csv([completion()], tz="Asia/Makassar")[1])
    assert wita["completed_at"] == "2026-11-23T15:05:00+08:00"
    assert wita["enrolled_at"] == "2026-11-20T11:00:00+08:00"


def test_csv_neutralises_every_hostile_text_cell():
    """Would any hostile text run as a formula when HR opens the CSV in a spreadsheet?"""
    hostile = by_key(read_csv(sample_rows())[2])
    for key, text in HOSTILE.items():
        assert hostile[key] == "'" + text
    cells = [cell for record in read_csv(sample_rows()) for cell in record]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_csv_numbers_are_not_neutralised():
    """Are JP and score written as plain numbers that a spreadsheet can sum?"""
    records = [by_key(r) for r in read_csv(sample_rows())[1:]]
    assert [(r["jp"], r["score"]) for r in records[:3]] == [("2.5", "82.5")] * 2 + [("1", "60")]


def test_csv_semicolon_variant_uses_decimal_comma():
    """Does the Indonesian-Excel variant split on ';' and write 2,5 instead of 2.5?"""
    table = read_csv(sample_rows(), delimiter=";")
    assert table[0] == LABELS
    first, hostile = by_key(table[1]), by_key(table[2])
    assert (first["jp"], first["score"]) == ("2,5", "82,5")
    assert first["name"] == "Dra. Hj. Siti Ma’rifah, M.Si."
    assert first["competency_codes"] == "M1, T-PBJ"
    assert first["completed_at"] == "2026-11-23T14:05:00+07:00"
    assert hostile["name"].startswith("'=HYPERLINK")
    assert hostile["unit_name"] == "'+628123"


def test_csv_row_without_nip_shows_username():
    """Does a non-ASN account appear under its username in the NIP column?"""
    assert by_key(read_csv(sample_rows())[4])["nip_or_username"] == "honorer.andi"


def test_csv_with_no_rows_is_just_the_header():
    """Does an empty filter still give a file with a BOM and the header?"""
    assert read_csv([]) == [LABELS]


# --- CSV from driver records (the fast path of the web and CLI export) ---------------------------

ZONES = (
    "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Europe/Amsterdam",
    "America/New_York", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe",
)  # fmt: skip
TRICKY_TEXT = (
    "", "=1+1", '=HYPERLINK("http://x","klik")', "+628123", "-1", "@SUM(A1)", "\tTab", "\rCR",
    "Nur'aini, S.Kom.", 'Siti "Ani" Ma’rifah', "baris\nbaru", "baris\r\nCRLF", "titik;koma",
    "I Gusti Ayu Ngurah Putri Ré", " =spasi", "'sudah", "tab\tdi tengah", "日本語",
)  # fmt: skip


def utc_text(moment: datetime) -> str:
    """A naive UTC time as SQLite stores it and `UTCText` reads it on PostgreSQL."""
    return moment.isoformat(sep=" ", timespec="microseconds")


def record(row: CompletionRow, version_id: int) -> tuple:
    """The driver record `completion_records` yields for a row (see queries._completion_select)."""
    return (
        row.completion_id, row.user_id, row.nip, row.username, row.name, row.unit_code,
        row.unit_name, row.course_code, row.course_title, row.course_version, version_id, row.jp,
        row.jenis_diklat,
        utc_text(row.enrolled_at.astimezone(UTC).replace(tzinfo=None))
        if row.enrolled_at is not None else None,
        utc_text(row.completed_at.astimezone(UTC).replace(tzinfo=None)), row.score,
        row.pass_mark, row.certificate_no, row.kind, row.minutes,
    )  # fmt: skip


def version_of(row: CompletionRow) -> tuple:
    return row.course_code, row.course_title, row.course_version, row.competency_codes


def both_csvs(rows: list[CompletionRow], *, delimiter=",", tz="Asia/Jakarta", batch=3):
    """The reference CSV (from rows) and the fast one (from records, `batch` records a batch)."""
    # One version id per distinct course code, title, number and competencies, as in the database;
    # none for a mentoring record.
    versions: dict[tuple, int] = {}
    for r in rows:
        if r.kind == COMPLETION:
            versions.setdefault(version_of(r), len(versions) + 1)
    competencies = {
        versions[version_of(r)]: r.competency_codes for r in rows if r.kind == COMPLETION
    }
    records = [record(r, versions.get(version_of(r))) for r in rows]
    batches = [(records[i : i + batch], competencies) for i in range(0, len(records), batch)]
    reference = "".join(csv_chunks(rows, delimiter=delimiter, tz=tz))
    fast = "".join(csv_record_chunks(batches, delimiter=delimiter, tz=tz))
    return reference, fast


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("tz", ZONES)
def test_csv_from_records_equals_csv_from_rows(delimiter, tz):
    """Is the fast CSV byte for byte the row-by-row CSV, hostile text and midnight included?"""
    rows = sample_rows() + [
        completion(completion_id=10 + n, user_id=20 + n, nip=None, username=text or "u",
                   name=text, unit_code=text or None, unit_name=text or None,
                   certificate_no=f"{text}{n}", course_code=f"K-{n}", course_title=text,
                   competency_codes=(text, "M1") if text else (), jp=0.25 * n, score=100 / (n + 1))
        for n, text in enumerate(TRICKY_TEXT)
    ] + [
        mentoring(completion_id=100 + n, user_id=20 + n, name=text, unit_code=text or None,
                  course_title=f"Mentoring: {text}", jp=0.5 * n, minutes=n + 1)
        for n, text in enumerate(TRICKY_TEXT)
    ]  # fmt: skip
    reference, fast = both_csvs(rows, delimiter=delimiter, tz=tz)
    assert fast == reference


@pytest.mark.parametrize("tz", ZONES)
def test_csv_from_records_local_times_through_the_year(tz):
    """Are local times and days right through a year, minute by minute around DST switches?"""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    zone = ZoneInfo(tz)
    days = [start + timedelta(days=d) for d in range(366)]
    switches = [
        d
        for d, e in itertools.pairwise(days)
        if d.astimezone(zone).utcoffset() != e.astimezone(zone).utcoffset()
    ]
    moments = [
        start + timedelta(minutes=97 * n, seconds=n % 60) for n in range(365 * 24 * 60 // 97)
    ]
    for day in switches:
        moments += [day + timedelta(seconds=433 * n) for n in range(2 * 24 * 3600 // 433)]
    rows = [
        completion(completion_id=n, completed_at=moment + timedelta(microseconds=999_999 * (n % 2)),
                   enrolled_at=moment - timedelta(minutes=n))
        for n, moment in enumerate(moments)
    ]  # fmt: skip
    reference, fast = both_csvs(rows, tz=tz, batch=1000)
    assert fast == reference


def test_csv_from_records_before_whole_hour_offsets():
    """Does a time from before WIB (Batavia's +07:07:12 local mean time) still match?"""
    old = datetime(1920, 5, 1, 16, 55, 30, tzinfo=UTC)
    rows = [completion(enrolled_at=old, completed_at=old + timedelta(hours=1))]
    reference, fast = both_csvs(rows)
    assert "+07:07:12" in fast and fast == reference


def test_csv_from_records_with_no_records_is_just_the_header():
    """Does an empty export still give the same BOM and header as the row path?"""
    reference, fast = both_csvs([])
    assert fast == reference == "\ufeff" + ",".join(LABELS) + "\r\n"


def test_csv_from_records_streams_batch_by_batch():
    """Does the header go out before any batch is read, and each batch before the next?"""
    read = 0

    def batches():
        nonlocal read
        for n in range(50):
            read += 1
            yield [record(completion(completion_id=n), 1)] * 10, {1: ("M1", "T-PBJ")}

    chunks = csv_record_chunks(batches())
    assert next(chunks) == "\ufeff" + ",".join(LABELS) + "\r\n" and read == 0
    assert next(chunks).count("\r\n") == 10 and read == 1
    assert sum(1 for _ in chunks) == 49 and read == 50


texts = st.one_of(st.sampled_from(TRICKY_TEXT), st.text(st.characters(exclude_categories=["Cs"])))
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)).map(  # noqa: DTZ001
    lambda naive: naive.replace(tzinfo=UTC)
)
numbers = st.one_of(
    st.floats(min_value=0, max_value=1e6), st.integers(0, 200), st.sampled_from([2.5, 82.5, 1e-07])
)


@st.composite
def completions(draw):
    course = draw(st.integers(1, 3))  # a version's own values, as the join gives them
    return completion(
        completion_id=draw(st.integers(1, 10**6)), user_id=draw(st.integers(1, 10**6)),
        nip=draw(st.one_of(st.none(), texts)), username=draw(st.one_of(st.none(), texts)),
        name=draw(texts), unit_code=draw(st.one_of(st.none(), texts)),
        unit_name=draw(st.one_of(st.none(), texts)), course_code=f"K{course}",
        course_title=f"=Judul {course};\n", course_version=course,
        competency_codes=("M1", f"-T{course}")[: course - 1], jp=draw(numbers),
        enrolled_at=draw(moments), completed_at=draw(moments), score=draw(numbers),
        certificate_no=draw(texts),
    )  # fmt: skip


@st.composite
def mentoring_records(draw):
    programme = draw(st.integers(1, 3))
    return mentoring(
        completion_id=draw(st.integers(1, 10**6)), user_id=draw(st.integers(1, 10**6)),
        nip=draw(st.one_of(st.none(), texts)), username=draw(st.one_of(st.none(), texts)),
        name=draw(texts), unit_code=draw(st.one_of(st.none(), texts)),
        unit_name=draw(st.one_of(st.none(), texts)),
        course_title=f"Mentoring: =Program {programme};\n", jp=draw(numbers),
        completed_at=draw(moments), minutes=draw(st.integers(1, 1440)),
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.one_of(completions(), mentoring_records()), max_size=12),
    delimiter=st.sampled_from([",", ";"]),
    tz=st.sampled_from(ZONES),
    batch=st.integers(1, 5),
)
def test_csv_from_records_equals_csv_from_rows_for_any_values(rows, delimiter, tz, batch):
    """Whatever the text, numbers, times and zone, is the fast CSV the row-by-row CSV?"""
    reference, fast = both_csvs(rows, delimiter=delimiter, tz=tz, batch=batch)
    assert fast == reference


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.fixture
def sheet():
    buffer = io.BytesIO()
    write_xlsx(iter(sample_rows()), buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    assert workbook.sheetnames == ["Penyelesaian"]
    return workbook["Penyelesaian"]


def xlsx_record(sheet, row_number: int) -> dict:
    return {key: sheet.cell(row_number, i).value for i, key in enumerate(KEYS, 1)}


def test_xlsx_header_is_bold_and_frozen(sheet):
    """Does the sheet have the bold header row, frozen so it stays visible while scrolling?"""
    assert [cell.value for cell in sheet[1]] == LABELS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.max_row == 1 + 4


def test_xlsx_cells_are_typed(sheet):
    """Are dates real date cells in local time and JP and scores numbers?"""
    first = xlsx_record(sheet, 2)
    assert first["completed_at"] == datetime(2026, 11, 23, 14, 5)  # noqa: DTZ001 - Excel is naive
    assert first["enrolled_at"] == datetime(2026, 11, 20, 10, 0)  # noqa: DTZ001
    assert first["completed_on"] == datetime(2026, 11, 23)  # noqa: DTZ001
    assert sheet.cell(2, KEYS.index("completed_at") + 1).number_format == "dd-mm-yyyy hh:mm"
    assert sheet.cell(2, KEYS.index("completed_on") + 1).number_format == "dd-mm-yyyy"
    assert isinstance(first["jp"], float) and first["jp"] == 2.5
    assert isinstance(first["score"], float | int) and first["score"] == 82.5
    assert first["course_version"] == 2
    assert first["nip_or_username"] == "198609262015051001"  # text: no digits lost
    assert xlsx_record(sheet, 4)["completed_on"] == datetime(2027, 1, 1)  # noqa: DTZ001


def test_xlsx_neutralises_hostile_text(sheet):
    """Is a hostile name stored as text in the workbook, never as a formula?"""
    for key, text in HOSTILE.items():
        cell = sheet.cell(3, KEYS.index(key) + 1)
        assert cell.value == "'" + text
        assert cell.data_type == "s"


def test_xlsx_survives_control_characters():
    """Does a stray control character in a name drop out instead of aborting the export?"""
    buffer = io.BytesIO()
    write_xlsx([completion(name="\x01=cmd|' /C calc'!A0")], buffer)
    buffer.seek(0)
    assert openpyxl.load_workbook(buffer).active.cell(2, 2).value == "'=cmd|' /C calc'!A0"


# --- JSON -----------------------------------------------------------------------------------------


def test_json_array_parses_with_typed_values():
    """Does the JSON export parse as an array keyed by the column keys, with typed values?"""
    records = json.loads("".join(json_chunks(sample_rows())))
    assert len(records) == 4
    assert all(list(record) == [*KEYS, "kind"] for record in records)
    assert {record["kind"] for record in records} == {COMPLETION}
    first = records[0]
    assert first["competency_codes"] == ["M1", "T-PBJ"]
    assert first["jp"] == 2.5 and first["score"] == 82.5 and first["course_version"] == 2
    assert first["completed_at"] == "2026-11-23T14:05:00+07:00"
    assert datetime.fromisoformat(first["enrolled_at"]).utcoffset() == WIB
    assert records[2]["completed_on"] == "2027-01-01"
    assert records[2]["competency_codes"] == []
    assert records[3]["nip_or_username"] == "honorer.andi"
    assert records[3]["unit_code"] == "DPUPR"


def test_json_keeps_text_as_written():
    """Is text left unchanged in JSON, which programs read (no quote added)?"""
    records = json.loads("".join(json_chunks(sample_rows())))
    assert records[1]["name"] == HOSTILE["name"]
    assert records[0]["name"] == "Dra. Hj. Siti Ma’rifah, M.Si."


def test_json_array_layout_and_empty_input():
    """Is the array '[' ... ',\\n' ... ']', and exactly '[]' when there are no rows?"""
    assert "".join(json_chunks([])) == "[]"
    assert "".join(json_array_chunks([{"a": 1}, {"a": 2}])) == '[{"a": 1},\n{"a": 2}]'
    text = "".join(json_chunks(sample_rows()))
    assert text.startswith("[{") and text.endswith("}]") and text.count("},\n{") == 3


def test_json_array_stays_valid_across_chunk_boundaries():
    """Is the array still valid JSON when it spans several chunks?"""
    chunks = list(json_array_chunks({"n": n} for n in range(2 * CHUNK_ROWS + 3)))
    assert len(chunks) == 3
    assert json.loads("".join(chunks)) == [{"n": n} for n in range(2 * CHUNK_ROWS + 3)]


# --- xAPI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (timedelta(days=1, hours=2, minutes=3), "P1DT2H3M"),
        (timedelta(days=3, hours=4, minutes=5), "P3DT4H5M"),
        (timedelta(minutes=20), "PT20M"),
        (timedelta(days=3), "P3D"),
        (timedelta(hours=1, seconds=5), "PT1H5S"),
        (timedelta(seconds=61), "PT1M1S"),
        (timedelta(seconds=1, milliseconds=500), "PT1.5S"),
        (timedelta(milliseconds=50), "PT0.05S"),
        (timedelta(milliseconds=4), "PT0S"),  # below xAPI's 0.01 s precision
        (timedelta(0), "PT0S"),
        (timedelta(days=400), "P400D"),
        (timedelta(minutes=-5), "PT0S"),
    ],
)
def test_iso_duration(span, expected):
    """Is a time span written as the ISO 8601 duration an LRS expects?"""
    assert iso_duration(span) == expected
    assert ISO_DURATION.match(expected)


def read_ndjson(completions, attempts, portal_url=PORTAL) -> list[dict]:
    statements = xapi_statements(completions, attempts, portal_url=portal_url)
    text = "".join(ndjson_chunks(statements))
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_xapi_statements_have_required_properties():
    """Does every statement carry id, actor, verb, object, timestamp and valid results?"""
    statements = read_ndjson(sample_rows(), sample_attempts())
    assert len(statements) == 4 + 3
    for s in statements:
        assert {"id", "actor", "verb", "object", "timestamp", "result", "version"} <= set(s)
        assert str(uuid.UUID(s["id"])) == s["id"]
        assert s["version"] == "1.0.0"
        assert s["actor"]["objectType"] == "Agent"
        assert s["actor"]["account"]["homePage"] == PORTAL
        assert s["object"]["objectType"] == "Activity"
        assert s["object"]["definition"]["name"]["id-ID"]
        assert datetime.fromisoformat(s["timestamp"]).utcoffset() == WIB
        score = s["result"]["score"]
        assert -1 <= score["scaled"] <= 1
        assert score["min"] <= score["raw"] <= score["max"]
        assert ISO_DURATION.match(s["result"]["duration"])
    assert len({s["id"] for s in statements}) == len(statements)


def test_xapi_completed_statement():
    """Is a completion a 'completed' statement on the versioned course, with score and duration?"""
    s = read_ndjson([completion()], [])[0]
    assert s["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed", "id-ID": "menyelesaikan"},
    }
    assert s["actor"] == {
        "objectType": "Agent",
        "name": "Dra. Hj. Siti Ma’rifah, M.Si.",
        "account": {"homePage": PORTAL, "name": "198609262015051001"},
    }
    assert s["object"]["id"] == f"{PORTAL}/courses/PBJ-101/v2"
    assert s["object"]["definition"] == {
        "type": "http://adlnet.gov/expapi/activities/course",
        "name": {"id-ID": "Pengadaan Barang/Jasa Pemerintah"},
    }
    assert s["result"] == {
        "completion": True,
        "success": True,
        "score": {"scaled": 0.825, "raw": 82.5, "min": 0, "max": 100},
        "duration": "P3DT4H5M",
    }
    assert s["timestamp"] == "2026-11-23T14:05:00+07:00"


def test_xapi_completion_below_pass_mark_is_not_a_success():
    """Is a completion scored under the pass mark reported with success false?"""
    s = read_ndjson([completion(score=65.0)], [])[0]
    assert s["result"]["success"] is False and s["result"]["completion"] is True


def test_xapi_attempt_statements():
    """Are graded attempts 'passed'/'failed' on the quiz, inside the course activity?"""
    failed, passed, non_asn = read_ndjson([], sample_attempts())
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert failed["result"]["success"] is False and passed["result"]["success"] is True
    assert failed["result"]["score"]["scaled"] == 0.4
    assert passed["result"]["duration"] == "PT20M"
    assert passed["object"]["id"] == f"{PORTAL}/courses/PBJ-101/v2/quiz"
    assert (
        passed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    )
    parent = passed["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parent] == [f"{PORTAL}/courses/PBJ-101/v2"]
    assert parent[0]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert passed["timestamp"] == "2026-11-23T14:05:00+07:00"
    assert non_asn["actor"]["account"]["name"] == "honorer.andi"


def test_xapi_ids_are_stable_across_exports():
    """Does exporting twice give the same statement ids, so an LRS de-duplicates them?"""
    first = [s["id"] for s in read_ndjson(sample_rows(), sample_attempts())]
    again = [s["id"] for s in read_ndjson(sample_rows(), sample_attempts(), f"{PORTAL}/")]
    assert first == again
    # Completion 1 and attempt 1 are different facts: their ids must differ.
    assert read_ndjson([completion()], [])[0]["id"] != read_ndjson([], [attempt()])[0]["id"]


def test_xapi_portal_url_loses_trailing_slash():
    """Does a configured URL ending in '/' still give clean activity ids?"""
    s = read_ndjson([completion()], [], f"{PORTAL}/")[0]
    assert s["object"]["id"] == f"{PORTAL}/courses/PBJ-101/v2"
    assert s["actor"]["account"]["homePage"] == PORTAL


def test_ndjson_is_one_object_per_line():
    """Is each line a JSON object of its own, even with newlines inside the text?"""
    text = "".join(ndjson_chunks([{"a": "baris\nbaru"}, {"b": 2}]))
    assert text == '{"a": "baris\\nbaru"}\n{"b": 2}\n'
    assert list(ndjson_chunks([])) == []


# --- SIASN ----------------------------------------------------------------------------------------

SIASN_FIELDS = [
    "nipBaru", "id", "instansiId", "institusiPenyelenggara", "jenisDiklatId", "jenisKursus",
    "jenisKursusSertipikat", "jumlahJam", "lokasiId", "namaKursus", "nomorSertipikat", "path",
    "pnsOrangId", "tahunKursus", "tanggalKursus", "tanggalSelesaiKursus",
]  # fmt: skip


def test_siasn_records_have_the_write_field_names():
    """Are records keyed exactly as SIASN's kursus/save expects, plus nipBaru for HR's loader?"""
    skipped = []
    records = list(
        siasn_records(sample_rows(), organiser="BKPSDM Kota Semarang", on_skip=skipped.append)
    )
    assert len(records) == 3
    assert all(list(r) == SIASN_FIELDS for r in records)
    first = records[0]
    assert first["nipBaru"] == "198609262015051001"
    assert first["institusiPenyelenggara"] == "BKPSDM Kota Semarang"
    assert first["jenisDiklatId"] == 16
    assert first["namaKursus"] == "Pengadaan Barang/Jasa Pemerintah"
    assert first["nomorSertipikat"] == "SERT/2026/0001"
    assert first["tanggalKursus"] == "20-11-2026"
    assert first["tanggalSelesaiKursus"] == "23-11-2026"
    assert first["tahunKursus"] == 2026
    unknown = ("id", "instansiId", "jenisKursus", "jenisKursusSertipikat", "lokasiId", "path")
    assert all(first[key] is None for key in (*unknown, "pnsOrangId"))


def test_siasn_skips_and_counts_rows_without_nip():
    """Is a non-ASN completion left out of the SIASN file, and reported to the caller?"""
    skipped = []
    records = list(siasn_records(sample_rows(), organiser="BKPSDM", on_skip=skipped.append))
    assert [row.username for row in skipped] == ["honorer.andi"]
    assert "honorer.andi" not in json.dumps(records)
    # Without a callback the row is still skipped, silently.
    assert len(list(siasn_records(sample_rows(), organiser="BKPSDM"))) == 3


def test_siasn_dates_and_year_are_local():
    """Does a completion at 00:30 WIB on 1 January count in the new year, with local dates?"""
    midnight = list(siasn_records(sample_rows(), organiser="BKPSDM"))[2]
    assert midnight["tanggalKursus"] == "31-12-2026"
    assert midnight["tanggalSelesaiKursus"] == "01-01-2027"
    assert midnight["tahunKursus"] == 2027


@pytest.mark.parametrize(("jp", "hours"), [(2.5, 3), (1.0, 1), (3.5, 4), (2.4, 2), (0.5, 1)])
def test_siasn_jumlah_jam_is_a_whole_number(jp, hours):
    """Is jumlahJam an integer, rounded half up as people round (2,5 JP -> 3)?"""
    (record,) = siasn_records([completion(jp=jp)], organiser="BKPSDM")
    assert record["jumlahJam"] == hours and isinstance(record["jumlahJam"], int)


def test_siasn_file_is_a_json_array():
    """Does the SIASN file parse back as a JSON array of the records?"""
    records = siasn_records(sample_rows(), organiser="BKPSDM", tz="Asia/Jayapura")
    parsed = json.loads("".join(json_array_chunks(records)))
    assert len(parsed) == 3 and parsed[2]["tanggalSelesaiKursus"] == "01-01-2027"
    assert json.loads("".join(json_array_chunks(siasn_records([], organiser="BKPSDM")))) == []


# --- Streaming ------------------------------------------------------------------------------------

MANY = 50_000


class CountingRows:
    """A generator of MANY rows that remembers how many it has handed out."""

    def __init__(self):
        self.produced = 0

    def __iter__(self):
        start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
        for n in range(MANY):
            self.produced += 1
            yield completion(completion_id=n, completed_at=start + timedelta(minutes=n))


@pytest.mark.parametrize(
    "writer",
    [
        lambda rows: csv_chunks(rows),
        lambda rows: csv_chunks(rows, delimiter=";"),
        lambda rows: json_chunks(rows),
        lambda rows: ndjson_chunks(xapi_statements(rows, [], portal_url=PORTAL)),
        lambda rows: json_array_chunks(siasn_records(rows, organiser="BKPSDM")),
    ],
    ids=["csv", "csv-semicolon", "json", "xapi", "siasn"],
)
def test_exports_stream_without_reading_every_row_first(writer):
    """Does output start after one chunk's worth of rows, long before 50,000 rows are read?"""
    source = CountingRows()
    chunks = writer(iter(source))
    next(chunks)
    assert source.produced <= CHUNK_ROWS + 1
    next(chunks)
    assert source.produced <= 2 * CHUNK_ROWS + 1
    rest = sum(1 for _ in chunks)
    assert source.produced == MANY and rest >= MANY // CHUNK_ROWS - 2


# --- Mentoring records ----------------------------------------------------------------------------


def test_csv_mentoring_record_leaves_course_cells_empty_and_names_its_kind():
    """Is a mentoring session a CSV line of its own: title, JP, local start day, "Mentoring"?"""
    for delimiter, jp in ((",", "1.5"), (";", "1,5")):
        table = read_csv([completion(), mentoring(jp=1.5)], delimiter=delimiter)
        assert table[0][-1] == "Jenis" and table[0][:-1] == LABELS[:-1]
        course, session = by_key(table[1]), by_key(table[2])
        assert course["jenis"] == "E-Learning"
        assert session["jenis"] == "Mentoring"
        assert session["course_title"] == "Mentoring: Mentoring CPNS 2026"
        assert session["jp"] == jp
        assert session["completed_on"] == "2026-11-25"  # the local start day, not UTC's 24th
        assert session["completed_at"] == "2026-11-25T00:30:00+07:00"
        empty = ("course_code", "course_version", "competency_codes", "enrolled_at", "score")
        assert all(session[key] == "" for key in (*empty, "certificate_no"))


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_from_records_equals_csv_from_rows_with_mentoring_between(delimiter):
    """With sessions of two programmes between completions, is the fast CSV still the same?"""
    rows = [
        completion(),
        mentoring(),
        mentoring(completion_id=8, course_title='Mentoring: =Kepemimpinan; "A"'),
        completion(completion_id=2, certificate_no="SERT/2026/0002"),
        mentoring(completion_id=9, minutes=1440, jp=32.0),
    ]
    reference, fast = both_csvs(rows, delimiter=delimiter, batch=2)
    assert fast == reference
    assert '"Mentoring: =Kepemimpinan; ""A"""' in fast


def test_xlsx_mentoring_record():
    """In the workbook, is a mentoring session typed, dated locally and marked "Mentoring"?"""
    buffer = io.BytesIO()
    write_xlsx([completion(), mentoring()], buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer)["Penyelesaian"]
    assert sheet.cell(1, len(KEYS)).value == "Jenis"
    session = xlsx_record(sheet, 3)
    assert session["jenis"] == "Mentoring" and xlsx_record(sheet, 2)["jenis"] == "E-Learning"
    assert session["jp"] == 2 and session["course_title"] == "Mentoring: Mentoring CPNS 2026"
    assert session["completed_on"] == datetime(2026, 11, 25)  # noqa: DTZ001
    assert session["score"] is None and session["enrolled_at"] is None


def test_json_mentoring_record():
    """Does JSON say which kind a record is, with nulls where a session has no course facts?"""
    course, session = json.loads("".join(json_chunks([completion(), mentoring()])))
    assert course["kind"] == "completion" and session["kind"] == "mentoring"
    assert session["jenis"] == "Mentoring" and session["jp"] == 2.0
    assert session["score"] is None and session["enrolled_at"] is None
    assert session["course_version"] is None and session["competency_codes"] == []
    assert session["completed_on"] == "2026-11-25"


def test_xapi_mentoring_statement():
    """Is a session an 'attended' statement on a meeting activity, lasting its minutes?"""
    s = read_ndjson([mentoring()], [])[0]
    assert s["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/attended",
        "display": {"en-US": "attended", "id-ID": "menghadiri"},
    }
    assert s["object"] == {
        "objectType": "Activity",
        "id": f"{PORTAL}/mentoring/sessions/7",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "name": {"id-ID": "Mentoring: Mentoring CPNS 2026"},
        },
    }
    assert s["result"] == {"completion": True, "duration": "PT1H30M"}
    assert s["timestamp"] == "2026-11-25T00:30:00+07:00"
    assert s["actor"]["account"]["name"] == "198609262015051001"
    assert s["version"] == "1.0.0"


def test_xapi_mentoring_ids_are_stable_and_apart_from_completions():
    """Does session 1 keep its statement id across exports, apart from completion 1's?"""
    first = read_ndjson([mentoring(completion_id=1)], [])[0]["id"]
    assert first == read_ndjson([mentoring(completion_id=1)], [], f"{PORTAL}/")[0]["id"]
    assert first != read_ndjson([completion(completion_id=1)], [])[0]["id"]
    assert str(uuid.UUID(first)) == first


def test_siasn_mentoring_record():
    """Is a session a SIASN record with jenisDiklatId 15, its programme, whole hours, local day?"""
    course, session = siasn_records([completion(), mentoring(jp=2.5)], organiser="BKPSDM")
    assert list(session) == SIASN_FIELDS
    assert session["jenisDiklatId"] == 15 and course["jenisDiklatId"] == 16
    assert session["namaKursus"] == "Mentoring: Mentoring CPNS 2026"
    assert session["jumlahJam"] == 3
    assert session["tanggalKursus"] == session["tanggalSelesaiKursus"] == "25-11-2026"
    assert session["tahunKursus"] == 2026
    assert session["nomorSertipikat"] == ""


# --- Merging the two record streams (PostgreSQL's path) ------------------------------------------


def _stream_batches(rows: list[tuple], size: int):
    return iter([rows[i : i + size] for i in range(0, len(rows), size)])


def _record(moment: int, record_id: int, kind: str) -> tuple:
    """A driver record with only what the merge reads: time (14), id (0) and kind (18)."""
    return (record_id, *[None] * 13, f"2026-01-01 00:00:{moment:02d}.000000", *[None] * 3, kind)


@settings(max_examples=200, deadline=None)
@given(
    completion_times=st.lists(st.integers(0, 20), max_size=15),
    session_times=st.lists(st.integers(0, 20), max_size=15),
    batch=st.integers(1, 4),
)
def test_merged_streams_are_one_stream_in_record_order(completion_times, session_times, batch):
    """Whatever the times (equal ones too) and batch sizes, is every record there once, in
    (time, id, kind) order, as SQLite's UNION ALL gives it?"""
    from lms.reports.queries import _merged_batches, _record_key

    completions = [_record(t, n, COMPLETION) for n, t in enumerate(completion_times, 1)]
    sessions = [_record(t, n, MENTORING) for n, t in enumerate(session_times, 1)]
    completions.sort(key=_record_key)  # each stream in its own index order
    sessions.sort(key=_record_key)
    merged = [
        row
        for chunk in _merged_batches(
            _stream_batches(completions, batch), _stream_batches(sessions, batch)
        )
        for row in chunk
    ]
    assert merged == sorted(completions + sessions, key=_record_key)
