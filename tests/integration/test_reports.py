"""HR reports and exports: filters, exactly-the-filtered-set exports in every format, the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion, Enrolment
from lms.reports.models import ExportLog
from tests.conftest import import_course, make_user, sign_in, write_course


@pytest.fixture
def world(app, tmp_path):
    """Two courses; units KOTA > DINKES > P2P and KOTA > DPMPTSP; completions in 2025 and 2026."""
    import_course(app, write_course(tmp_path / "a", code="AAA-1"))
    import_course(app, write_course(tmp_path / "b", code="BBB-1"))
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        dinkes = accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("P2P", "Bidang P2P", dinkes)
        accounts.ensure_unit("DPMPTSP", "Dinas PTSP", kota)
        db.session.commit()
    people = {
        "ani": make_user(app, "learner", name='=HYPERLINK("http://x")', unit="P2P"),
        "budi": make_user(app, "learner", name="Budi Dinkes", unit="DINKES"),
        "cici": make_user(app, "learner", name="Cici PTSP", unit="DPMPTSP"),
        "dodi": make_user(app, "learner", login="dodi.honorer", name="Dodi Honorer", unit="P2P"),
    }
    done = [
        ("ani", "AAA-1", datetime(2026, 3, 1, 3, 0, tzinfo=UTC), 90.0),
        ("ani", "BBB-1", datetime(2025, 12, 31, 18, 30, tzinfo=UTC), 80.0),  # 1 Jan 2026 in WIB
        ("budi", "AAA-1", datetime(2026, 5, 2, 4, 0, tzinfo=UTC), 75.0),
        ("cici", "BBB-1", datetime(2026, 6, 3, 5, 0, tzinfo=UTC), 100.0),
        ("dodi", "AAA-1", datetime(2026, 7, 4, 6, 0, tzinfo=UTC), 70.0),
        ("budi", "BBB-1", datetime(2025, 6, 1, 6, 0, tzinfo=UTC), 85.0),  # last year
    ]
    with app.app_context():
        for n, (who, code, when, score) in enumerate(done):
            course = published_course(code)
            user_id = people[who][0]
            db.session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=when))
            db.session.add(
                Completion(
                    user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
                    score=score, jp=2.0, enrolled_at=when, completed_at=when,
                    certificate_no=f"2026-TEST-0000-{n:04d}",
                )
            )  # fmt: skip
        db.session.commit()
    return people


@pytest.fixture
def hr(app, client, world):
    _, login = make_user(app, "hr", name="Petugas BKPSDM")
    sign_in(client, login)
    return client


def unit_id(app, code):
    with app.app_context():
        return accounts.find_unit(code).id


def export(client, fmt, **filters):
    data = {"since": "2026-01-01", "until": "2026-12-31", **filters}
    response = client.post(f"/reports/export/{fmt}", data=data)
    assert response.status_code == 200, response.status_code
    return response


def csv_rows(response, delimiter=","):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_report_page_shows_this_year_by_default(app, hr):
    """Does HR see this year's completions (five, one on 1 January WIB) by course and by unit?"""
    page = hr.get("/reports").get_data(as_text=True)
    assert "Laporan penyelesaian" in page or "Completion report" in page
    assert "<dd>5</dd>" in page  # the 2025 completion is out, the one at 1 Jan 01:30 WIB is in
    assert "Dinas Kesehatan" in page and "Dinas PTSP" in page


def test_unit_filter_includes_sub_units(app, hr):
    """Does filtering by Dinas Kesehatan include its bidang P2P, and nothing else?"""
    rows = csv_rows(export(hr, "csv", unit=str(unit_id(app, "DINKES"))))
    names = sorted(r[1] for r in rows[1:])
    assert len(rows) - 1 == 4
    assert "Cici PTSP" not in names


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"course": "AAA-1"}, 3),
        ({"course": "BBB-1"}, 2),
        ({"since": "2026-01-02"}, 4),
        ({"since": "2025-01-01", "until": "2025-12-31"}, 1),
        ({"competency": "M1"}, 5),
        ({"competency": "M8"}, 0),
        ({"category": "pengembangan-diri"}, 5),
        ({"category": "kesehatan"}, 0),
    ],
)
def test_exports_contain_exactly_the_filtered_set(app, hr, filters, expected):
    """Does each filter narrow the export to exactly the matching completions, and is it logged?"""
    rows = csv_rows(export(hr, "csv", **filters))
    assert len(rows) - 1 == expected
    with app.app_context():
        log = db.session.query(ExportLog).order_by(ExportLog.id.desc()).first()
        assert log.row_count == expected and log.export_format == "csv" and log.channel == "web"
        for key, value in filters.items():
            assert (
                str(
                    log.filters.get(
                        {"course": "course_code", "competency": "competency"}.get(key, key)
                    )
                )
                == value
            )


def test_csv_neutralises_formulas_and_has_a_semicolon_variant(app, hr):
    """Would a name like =HYPERLINK(...) run as a formula when HR opens the file in Excel?"""
    rows = csv_rows(export(hr, "csv"))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    semicolon = csv_rows(export(hr, "csv-semicolon"), delimiter=";")
    assert len(semicolon) == len(rows) and len(semicolon[0]) == len(rows[0])


def test_xlsx_export_parses_back(app, hr):
    response = export(hr, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) - 1 == 5
    assert sheet.freeze_panes == "A2"
    assert any(isinstance(v, datetime) for v in values[1])
    assert any(isinstance(v, float | int) for v in values[1])


def test_an_xlsx_larger_than_excel_holds_is_refused_with_a_reason(app, hr, monkeypatch):
    """More rows than an Excel sheet holds: is HR told to narrow the filter or take CSV, and is
    nothing logged as exported?"""
    from lms.reports import services

    monkeypatch.setattr(services, "MAX_DATA_ROWS", 4)  # the world has 5 completions this year
    hr.post("/language", data={"locale": "en"})
    filters = {"since": "2026-01-01", "until": "2026-12-31"}
    response = hr.post("/reports/export/xlsx", data=filters)
    assert response.status_code == 302 and "/reports?" in response.location
    assert "since=2026-01-01" in response.location  # back to the same selection
    page = hr.get(response.location).get_data(as_text=True)
    assert "more than an Excel sheet holds" in page and "download CSV" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportLog.id))) == 0
    assert export(hr, "csv").status_code == 200


def test_json_xapi_and_siasn_exports(app, hr):
    """Do JSON, xAPI and SIASN exports carry the same five completions in their own shapes?"""
    records = json.loads(export(hr, "json").get_data(as_text=True))
    assert len(records) == 5

    lines = export(hr, "xapi").get_data(as_text=True).strip().splitlines()
    statements = [json.loads(line) for line in lines]
    completed = [s for s in statements if s["verb"]["id"].endswith("/completed")]
    assert len(completed) == 5
    for s in statements:
        assert {"id", "actor", "verb", "object", "timestamp"} <= set(s)
        assert s["actor"]["account"]["homePage"].startswith("http")
        assert -1 <= s["result"]["score"]["scaled"] <= 1

    siasn = json.loads(export(hr, "siasn").get_data(as_text=True))
    assert len(siasn) == 4  # Dodi has no NIP: SIASN records are keyed by nipBaru
    assert all(r["jenisDiklatId"] == 16 and isinstance(r["jumlahJam"], int) for r in siasn)
    assert {r["tanggalSelesaiKursus"] for r in siasn} >= {"01-01-2026"}


def test_exports_never_carry_secrets(app, hr):
    for fmt in ("csv", "json", "xapi", "siasn"):
        body = export(hr, fmt).get_data(as_text=True)
        assert "pbkdf2" not in body and "scrypt" not in body and "password" not in body.lower()


def test_learners_cannot_export(app, client, world):
    """Can a learner pull other people's records?"""
    sign_in(client, world["budi"][1])
    assert client.get("/reports").status_code == 403
    assert client.post("/reports/export/csv", data={}).status_code == 403


def test_audit_log_is_visible_to_admins_only(app, hr, world):
    export(hr, "json", course="AAA-1")
    assert hr.get("/reports/audit").status_code == 403
    admin = app.test_client()
    _, login = make_user(app, "admin", login="admin")
    sign_in(admin, login)
    page = admin.get("/reports/audit").get_data(as_text=True)
    assert "Petugas BKPSDM" in page and "course_code=AAA-1" in page


def test_cli_export_writes_the_same_rows_and_logs(app, runner, world, tmp_path):
    out = tmp_path / "export.csv"
    result = runner.invoke(
        args=["lms", "export-completions", "--format", "csv", "--since", "2026-01-01",
              "--unit", "DINKES", "--output", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) - 1 == 4
    with app.app_context():
        log = db.session.query(ExportLog).one()
        assert log.channel == "cli" and log.row_count == 4


def test_unit_table_counts_employees_and_who_reached_the_target(app, hr, world, tmp_path):
    """Does the per-unit table show employees, completions, JP and how many reached 20 JP?"""
    from lms.reports.queries import CompletionFilter
    from lms.reports.summaries import by_unit

    import_course(app, write_course(tmp_path / "c", code="CCC-1"))
    with app.app_context():
        course = published_course("CCC-1")
        db.session.add(
            Completion(
                user_id=world["ani"][0], course_id=course.id, course_version_id=course.current_version_id,
                score=99.0, jp=18.0, enrolled_at=datetime(2026, 8, 1, tzinfo=UTC),
                completed_at=datetime(2026, 8, 2, tzinfo=UTC), certificate_no="2026-TEST-XTRA-0001",
            )
        )  # fmt: skip
        db.session.commit()
        lines = {u.name: u for u in by_unit(CompletionFilter.this_year(), 20)}
    p2p = lines["Bidang P2P"]
    assert (p2p.employees, p2p.completed, p2p.jp) == (2, 4, 24.0)  # Ani 2 + 2 + 18, Dodi 2
    assert p2p.reached_target == 1  # Ani, with 22 JP this year
    assert lines["Dinas PTSP"].completed == 1 and lines["Dinas PTSP"].reached_target == 0
    page = hr.get("/reports").get_data(as_text=True)
    assert "Mencapai 20 JP" in page or "Reached 20 JP" in page


def test_course_table_has_pass_rate_and_median(app, hr):
    page = hr.get("/reports?course=AAA-1").get_data(as_text=True)
    assert "Median" in page or "median" in page.lower()
    from lms.reports.queries import CompletionFilter
    from lms.reports.summaries import by_course

    with app.app_context():
        (line,) = by_course(CompletionFilter.this_year(course_code="AAA-1"))
    assert line.completions == 3 and line.median_score == 75.0
    assert line.enrolments == 3 and round(line.completion_rate) == 100


def test_employee_list_marks_those_below_target_and_sorts(app, hr, world):
    """Does HR see every employee's JP this year, with those below 20 JP marked, sortable by JP?"""
    page = hr.get("/reports/employees?sort=-jp").get_data(as_text=True)
    assert "Budi Dinkes" in page and "Cici PTSP" in page
    assert page.count("tag-warn") >= 4  # nobody reached 20 JP
    by_jp = hr.get("/reports/employees?sort=jp").get_data(as_text=True)
    assert by_jp.index("Petugas BKPSDM") < by_jp.index("Cici PTSP")  # 0 JP before 2 JP
    only_ptsp = hr.get(f"/reports/employees?unit={unit_id(app, 'DPMPTSP')}").get_data(as_text=True)
    assert "Cici PTSP" in only_ptsp and "Budi Dinkes" not in only_ptsp


def test_employee_page_lists_courses_and_jp_per_year(app, hr, world):
    page = hr.get(f"/reports/employees/{world['budi'][0]}").get_data(as_text=True)
    assert "2026: <strong>2 JP</strong>" in page and "2025: <strong>2 JP</strong>" in page
    assert "2026-TEST-0000-0002" in page
    assert hr.get("/reports/employees/99999").status_code == 404


def test_report_charts_are_server_side_svg(app, hr):
    page = hr.get("/reports").get_data(as_text=True)
    assert page.count("<svg viewBox=") == 2 and 'role="img"' in page
    assert "<script" not in page


def test_employee_list_filters_by_jp_status(app, hr, world, tmp_path):
    """Can HR list only those below 20 JP, or only those who reached it?"""
    import_course(app, write_course(tmp_path / "c", code="CCC-1"))
    with app.app_context():
        course = published_course("CCC-1")
        db.session.add(
            Completion(
                user_id=world["cici"][0], course_id=course.id, course_version_id=course.current_version_id,
                score=90.0, jp=19.0, enrolled_at=datetime(2026, 9, 1, tzinfo=UTC),
                completed_at=datetime(2026, 9, 2, tzinfo=UTC), certificate_no="2026-TEST-CICI-0001",
            )
        )  # fmt: skip
        db.session.commit()
    reached = hr.get("/reports/employees?status=reached").get_data(as_text=True)
    assert "Cici PTSP" in reached and "Budi Dinkes" not in reached  # 2 + 19 = 21 JP
    below = hr.get("/reports/employees?status=below").get_data(as_text=True)
    assert "Budi Dinkes" in below and "Cici PTSP" not in below


def test_summary_tables_sort_by_any_column(app, hr):
    """Can HR sort the per-unit and per-course tables by clicking a column?"""
    by_name = hr.get("/reports?unit_sort=name").get_data(as_text=True)
    by_name = by_name[by_name.index('id="unit-heading"') :]
    names = ["Bidang P2P", "Dinas Kesehatan", "Dinas PTSP", "Pemerintah Kota"]
    positions = [by_name.index(f"<td>{n}</td>") for n in names]
    assert positions == sorted(positions)
    reverse = hr.get("/reports?unit_sort=-name").get_data(as_text=True)
    reverse = reverse[reverse.index('id="unit-heading"') :]
    assert reverse.index("<td>Pemerintah Kota</td>") < reverse.index("<td>Bidang P2P</td>")
    courses = hr.get("/reports?course_sort=completions").get_data(as_text=True)
    table = courses[courses.index('id="course-heading"') :]
    assert table.index("(BBB-1)") < table.index("(AAA-1)")  # 2 completions before 3
    assert 'aria-sort="ascending"' in courses


def test_median_with_an_even_number_of_completions(app, hr):
    """Is the median of two scores (80 and 100) their mean, 90?"""
    from lms.reports.queries import CompletionFilter
    from lms.reports.summaries import by_course

    with app.app_context():
        (line,) = by_course(CompletionFilter.this_year(course_code="BBB-1"))
    assert line.completions == 2 and line.median_score == 90.0
