"""The CSV export's fast path (driver records) against the row path (CompletionRow), on a database.

Both read the same select; these tests hold the bytes equal on awkward data, on SQLite and
PostgreSQL, for every filter and for units in WIB, WITA and WIT.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Unit, User
from lms.catalog.models import CourseCompetency
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion
from lms.mentoring.models import (
    CONFIRMED,
    DECLINED,
    PENDING,
    MentoringProgramme,
    MentoringSession,
    Mentorship,
)
from lms.reports import exports, queries, services
from lms.reports.models import ExportLog
from lms.reports.queries import CompletionFilter
from tests.conftest import import_course, make_user, sign_in, write_course

NAMES = (
    '=HYPERLINK("http://x","klik")', "+628123", "-1", "@SUM(A1)", "\tTab di depan", "\rCR",
    'Siti "Ani" Ma’rifah', "Nur'aini, S.Kom.", "titik;koma", "baris\nbaru", "baris\r\nCRLF",
    "I Gusti Ayu Ngurah Putri Ré", "Dra. Hj. Çağla Şükür", "", " =spasi dulu", "tab\tdi tengah",
)  # fmt: skip
CERTIFICATES = ("@SUM(A1)", "A,B", 'x"y', "-1", "SERT/2026/", "\tT", "baris\nbaru", "=1;2")
# Around midnight in WIB, WITA and WIT, the turn of the year, microseconds that must be cut.
MOMENTS = (
    datetime(2026, 3, 1, 16, 59, 59, 999_999, tzinfo=UTC),  # 23:59:59 WIB
    datetime(2026, 3, 1, 17, 0, tzinfo=UTC),  # 00:00 WIB the next day
    datetime(2026, 3, 1, 15, 30, 0, 500_000, tzinfo=UTC),  # 23:30 WITA, 00:30 WIT
    datetime(2025, 12, 31, 17, 30, tzinfo=UTC),  # 1 January 2026 in WIB
    datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC),  # the last second of 2026 in WIB
    datetime(2026, 6, 15, 23, 59, 59, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # Europe's switch to summer time
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # and back
    datetime(2026, 10, 25, 1, 0, 0, 1, tzinfo=UTC),
)
SCORES = (82.5, 100.0, 0.0, 100 / 3, 66.66666666666667, 70.0, 99.9)
JPS = (2.5, 1.0, 0.25, 12.0)
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Europe/Amsterdam")


@pytest.fixture
def awkward(app, tmp_path):
    """Three courses (two with hostile titles), units in three zones, learners with hostile names
    and no unit, non-ASN usernames, and completions around local midnight; confirmed mentoring
    sessions of two programmes (one hostile name) at the same moments, and unconfirmed ones."""
    for code in ("AAA-1", "BBB-1", "CCC-1"):
        import_course(app, write_course(tmp_path / code, code=code))
    with app.app_context():
        kota = Unit(code="KOTA", name="Pemerintah Kota")
        units = [
            kota,
            Unit(code="=U1", name='Dinas "Kominfo", Statistik; Persandian', parent=kota),
            Unit(code="WITA", name="+Kantor Makassar", timezone="Asia/Makassar", parent=kota),
            Unit(code="WIT", name="Kantor Jayapura", timezone="Asia/Jayapura"),
        ]
        db.session.add_all(units)
        titles = {
            "AAA-1": '=cmd|" /C calc"!A0',
            "BBB-1": 'Pengadaan; "Barang", Jasa\nbaris dua',
            "CCC-1": "Kesehatan Ibu & Anak — Pelatihan Dasar",
        }
        courses = [published_course(code) for code in titles]
        for course in courses:
            course.current_version.title = titles[course.code]
        db.session.add_all(
            CourseCompetency(course_version_id=courses[0].current_version_id, code=code, level=1)
            for code in ("-T1", "K,2", "@X")
        )
        db.session.execute(
            sa.delete(CourseCompetency).where(
                CourseCompetency.course_version_id == courses[1].current_version_id
            )
        )
        learners = []
        for n, name in enumerate(NAMES):
            asn = n % 3 != 2
            learners.append(
                User(
                    nip=f"19860926201505{n:04d}" if asn else None,
                    username=None if asn else ("-honorer", "=x", "a,b;c", "andi")[n % 4] + str(n),
                    name=name,
                    unit=units[n % 5] if n % 5 < 4 else None,
                    password_hash="-",
                )
            )
        db.session.add_all(learners)
        db.session.flush()
        n = 0
        for i, learner in enumerate(learners):
            for j, course in enumerate(courses):
                if (i + j) % 4 == 3:
                    continue
                completed = MOMENTS[(i * 3 + j) % len(MOMENTS)]
                db.session.add(
                    Completion(
                        user_id=learner.id, course_id=course.id,
                        course_version_id=course.current_version_id,
                        score=SCORES[n % len(SCORES)], jp=JPS[n % len(JPS)],
                        enrolled_at=completed - timedelta(days=n % 3, hours=n, microseconds=n),
                        completed_at=completed,
                        certificate_no=f"{CERTIFICATES[n % len(CERTIFICATES)]}{n}",
                    )
                )  # fmt: skip
                n += 1
        programmes = [
            MentoringProgramme(name='=Mentoring; "CPNS"\nbaris dua', starts_on=date(2025, 1, 1)),
            MentoringProgramme(name="Kepemimpinan Pengawas", starts_on=date(2025, 1, 1)),
        ]
        db.session.add_all(programmes)
        db.session.flush()
        for i, learner in enumerate(learners[1:], 1):
            pairing = Mentorship(
                programme_id=programmes[i % 2].id, mentor_id=learners[0].id,
                mentee_id=learner.id, starts_on=date(2025, 1, 1),
            )  # fmt: skip
            db.session.add(pairing)
            db.session.flush()
            for k in range(3):
                status = (CONFIRMED, CONFIRMED, PENDING if i % 2 else DECLINED)[k]
                db.session.add(
                    MentoringSession(
                        mentorship_id=pairing.id, started_at=MOMENTS[(i * 3 + k) % len(MOMENTS)],
                        minutes=45 * (k + 1), topic="Topik", logged_by_id=learners[0].id,
                        status=status, jp=JPS[(i + k) % len(JPS)] if status == CONFIRMED else None,
                        decided_at=MOMENTS[0] if status != PENDING else None,
                    )
                )  # fmt: skip
        db.session.commit()
    return n


def both_csvs(f: CompletionFilter, delimiter: str = ",") -> tuple[bytes, bytes]:
    """The CSV as the export serves it (`services._body`) and as the row path writes it."""
    fmt = "csv" if delimiter == "," else "csv-semicolon"
    served = b"".join(services._body(fmt, f, "http://portal.test", "BKPSDM"))
    rows = queries.completion_rows(f)
    reference = "".join(exports.csv_chunks(rows, delimiter=delimiter, tz=f.zone)).encode()
    return served, reference


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("zone", ZONES)
def test_fast_csv_is_the_row_csv_byte_for_byte(app, awkward, monkeypatch, zone, delimiter):
    """Does the served CSV equal the CompletionRow CSV, batch after batch, in every zone?"""
    monkeypatch.setattr(queries, "BATCH", 4)  # several batches, competencies found batch by batch
    with app.app_context():
        served, reference = both_csvs(CompletionFilter(zone=zone), delimiter)
    assert served == reference
    assert served.count(b"\r\n") > awkward  # every completion, some with line breaks inside
    assert served.startswith("\ufeff".encode())


@pytest.mark.parametrize(
    "filters",
    [
        {"since": date(2026, 1, 1), "until": date(2026, 12, 31)},
        {"since": date(2026, 3, 2), "until": date(2026, 3, 2)},  # local day, not the UTC day
        {"course_code": "BBB-1"},
        {"competency": "K,2"},
        {"category": "pengembangan-diri", "since": date(2026, 6, 1)},
        {"until": date(2025, 1, 1)},  # nothing: just the header
    ],
    ids=["year", "one-day", "course", "competency", "category", "empty"],
)
def test_fast_csv_follows_every_filter(app, awkward, filters):
    """Does the fast CSV hold exactly the rows of the row path for each filter HR can set?"""
    with app.app_context():
        for unit in (None, "KOTA", "=U1"):
            unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == unit))
            f = CompletionFilter(**filters, unit_id=unit_id)
            served, reference = both_csvs(f)
            assert served == reference
            assert served.count(b"\n") >= queries.count_records(f) + 1


@pytest.mark.postgres_only
def test_fast_csv_ignores_the_postgresql_session_time_zone(app, awkward):
    """Are times the same whatever TimeZone the PostgreSQL session happens to have?"""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        db.session.execute(sa.text("SET TIME ZONE 'America/Sao_Paulo'"))
        served, reference = both_csvs(CompletionFilter(zone="Asia/Jayapura"))
    assert served == reference


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("csv-semicolon", ";")])
def test_web_export_in_a_wita_unit(app, client, awkward, fmt, delimiter):
    """Does HR in a WITA unit download the row path's CSV in WITA, with the export logged?"""
    _, login = make_user(app, "hr", name="Petugas Makassar", unit="WITA")
    sign_in(client, login)
    response = client.post(f"/reports/export/{fmt}", data={"since": "2026-01-01"})
    try:
        assert response.status_code == 200
        served = response.get_data()
    finally:
        response.close()
    assert response.headers["Content-Disposition"].endswith('.csv"')
    with app.app_context():
        log = db.session.scalars(sa.select(ExportLog)).one()
        assert (log.export_format, log.channel, log.filters["zone"]) == (
            fmt,
            "web",
            "Asia/Makassar",
        )
        f = CompletionFilter(since=date(2026, 1, 1), zone="Asia/Makassar")
        reference = "".join(
            exports.csv_chunks(queries.completion_rows(f), delimiter=delimiter, tz=f.zone)
        )
        assert log.row_count == queries.count_records(f)
    assert served == reference.encode()
    assert b"+08:00" in served and b"+07:00" not in served
    assert io.StringIO(reference).read(1) == "\ufeff"


@pytest.mark.parametrize("unit", [None, "KOTA"])
def test_records_of_both_kinds_stream_in_time_order(app, awkward, monkeypatch, unit):
    """Do the rows hold every completion and every confirmed session (no other) once, oldest
    first by time, id and kind, across batch boundaries?"""
    monkeypatch.setattr(queries, "BATCH", 3)
    with app.app_context():
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == unit))
        f = CompletionFilter(unit_id=unit_id)
        rows = list(queries.completion_rows(f))
        keys = [(r.completed_at, r.completion_id, r.kind) for r in rows]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        sessions = {r.completion_id for r in rows if r.kind == "mentoring"}
        confirmed = sa.select(MentoringSession.id).where(MentoringSession.status == CONFIRMED)
        if unit_id is None:
            assert sessions == set(db.session.scalars(confirmed))
        assert sessions and len(rows) == queries.count_records(f)
        assert {r.jenis_diklat for r in rows if r.kind == "mentoring"} == {15}
