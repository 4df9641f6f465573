"""Competencies end to end: dictionary, requirements, profiles, recommendations, training needs."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.catalog.models import Course
from lms.catalog.services import published_course
from lms.competency.models import Competency, CompetencyImport, PositionRequirement
from lms.extensions import db
from lms.learning.models import Completion, Enrolment
from lms.reports.models import ExportLog
from tests.conftest import COURSES, import_course, make_user, sign_in, write_course

EPIDEMIOLOG = "Epidemiolog Kesehatan Ahli Pertama"


def course_with(folder, code: str, jp: float, competencies: dict[str, int]):
    """A small valid course that develops `competencies` ({code: level}) for `jp` JP."""
    write_course(folder, code=code)
    items = "".join(f"  - code: {c}\n    level: {level}\n" for c, level in competencies.items())
    text = (folder / "course.md").read_text()
    text = text.replace("  - code: M1\n    level: 2\n", items).replace("jp: 2\n", f"jp: {jp}\n")
    (folder / "course.md").write_text(text)
    return folder


def complete(app, user_id: int, code: str, when: datetime, number: str) -> None:
    with app.app_context():
        course = published_course(code)
        db.session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=when))
        db.session.add(
            Completion(
                user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
                score=90.0, jp=course.current_version.jp, enrolled_at=when, completed_at=when,
                certificate_no=number,
            )
        )  # fmt: skip
        db.session.commit()


def set_jabatan(app, user_id: int, jabatan: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).jabatan = jabatan
        db.session.commit()


def english(client):
    client.post("/language", data={"locale": "en"})
    return client


@pytest.fixture
def world(app, tmp_path):
    """Courses, units KOTA > DINKES > P2P and KOTA > PTSP, requirements, four employees.

    Epidemiolog requires M1 3, M3 2, T-SURVKES 2; Analis SDM requires M6 2 (no course has M6).
    Ani (P2P, epidemiolog) completed SURV-0 (T-SURVKES 1) and SURV-1 (T-SURVKES 2, M3 1).
    Budi (DINKES, the same position typed in lower case) completed nothing.
    Cici (PTSP, Analis SDM) completed nothing; Dodi (P2P) has no position.
    """
    courses = {
        "SURV-0": (1, {"T-SURVKES": 1}),
        "SURV-1": (4, {"T-SURVKES": 2, "M3": 1}),
        "SURV-2": (8, {"T-SURVKES": 3}),
        "KOM-1": (2, {"M3": 2}),
        "KOM-2": (6, {"M3": 3, "M1": 3}),
        "ARSIP-1": (1, {"M3": 2, "M1": 3}),  # archived: never recommended, never counted
    }
    for code, (jp, competencies) in courses.items():
        import_course(app, course_with(tmp_path / code, code, jp, competencies))
    with app.app_context():
        db.session.scalar(select(Course).where(Course.code == "ARSIP-1")).archived = True
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        dinkes = accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("P2P", "Bidang P2P", dinkes)
        accounts.ensure_unit("PTSP", "Dinas PTSP", kota)
        for jabatan, code, level in [
            (EPIDEMIOLOG, "M1", 3), (EPIDEMIOLOG, "M3", 2), (EPIDEMIOLOG, "T-SURVKES", 2),
            ("Analis SDM Aparatur", "M6", 2),
        ]:  # fmt: skip
            db.session.add(PositionRequirement(jabatan=jabatan, competency_code=code, level=level))
        db.session.commit()
    people = {
        "ani": make_user(app, "learner", name="Ani Epidemiolog", unit="P2P"),
        "budi": make_user(app, "learner", name="Budi Dinkes", unit="DINKES"),
        "cici": make_user(app, "learner", name="Cici PTSP", unit="PTSP"),
        "dodi": make_user(app, "learner", name="Dodi Tanpa Jabatan", unit="P2P"),
    }
    set_jabatan(app, people["ani"][0], EPIDEMIOLOG)
    set_jabatan(app, people["budi"][0], "epidemiolog  kesehatan ahli pertama")
    set_jabatan(app, people["cici"][0], "Analis SDM Aparatur")
    now = datetime.now(UTC) - timedelta(hours=1)
    complete(app, people["ani"][0], "SURV-0", now - timedelta(days=3), "2026-TEST-ANI0-0001")
    complete(app, people["ani"][0], "SURV-1", now, "2026-TEST-ANI1-0002")
    return people


@pytest.fixture
def hr(app, world):
    client = app.test_client()
    sign_in(client, make_user(app, "hr", name="Petugas BKPSDM")[1])
    return english(client)


def as_person(app, world, who: str):
    client = app.test_client()
    sign_in(client, world[who][1])
    return english(client)


# --- The dictionary -----------------------------------------------------------------------


def test_the_shipped_dictionary_is_there_for_everyone(app, client, learner):
    """Can any signed-in user read the 9 PermenPANRB competencies with their 5 levels?"""
    page = client.get("/competencies").get_data(as_text=True)
    for code in ("M1", "M8", "SK1", "T-SURVKES"):
        assert f'id="{code}"' in page
    assert "Integritas" in page and "Perekat Bangsa" in page
    assert page.count("<li><strong>") == 5 * 13


def test_the_migration_ships_the_same_dictionary_as_the_code(tmp_path):
    """Does `db upgrade` on an empty database give exactly lms/competency/dictionary.py?"""
    import flask_migrate

    from lms import create_app
    from lms.competency.dictionary import SHIPPED

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="f9fc60ca7ed5")
        rows = db.session.execute(
            select(Competency.code, Competency.name, Competency.kind, Competency.description,
                   Competency.levels).order_by(Competency.id)
        ).all()  # fmt: skip
        db.engine.dispose()
    assert [dict(r._mapping) for r in rows] == [dict(item) for item in SHIPPED]
    codes = {item["code"] for item in SHIPPED}
    bundled = {line.split()[-1] for p in COURSES.glob("*/course.md")
               for line in p.read_text().splitlines() if line.strip().startswith("- code:")}  # fmt: skip
    assert bundled <= codes, "every code the bundled courses declare is shipped"


def test_hr_adds_and_edits_a_technical_competency(app, hr):
    """Can HR add T-PROYEK (code typed in lower case) and change its description later?"""
    response = hr.post(
        "/competencies/new",
        data={"code": "t-proyek", "name": "Manajemen Proyek Daerah", "level_1": "Mengikuti."},
    )
    assert response.status_code == 302
    response = hr.post(
        "/competencies/T-PROYEK/edit",
        data={"code": "T-PROYEK", "name": "Proyek Daerah", "description": "Baru", "level_2": "Dua"},
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Competency).where(Competency.code == "T-PROYEK"))
        assert (item.kind, item.name, item.description) == ("technical", "Proyek Daerah", "Baru")
        assert item.levels == ["", "Dua", "", "", ""]


def test_a_technical_competency_is_shown_by_its_dictionary_name(app, hr, bundled):
    """When HR names T-MPROY, do the course page, the catalog filter and the report filter say it?"""
    response = hr.post(
        "/competencies/T-MPROY/edit",
        data={"code": "T-MPROY", "name": "Manajemen Proyek Pemda", "level_1": "Mengikuti."},
    )
    assert response.status_code == 302
    expected = "T-MPROY · Manajemen Proyek Pemda"
    client = app.test_client()
    sign_in(client, make_user(app, "learner")[1])
    assert expected in client.get("/courses/PM-101").get_data(as_text=True)
    assert expected in client.get("/courses").get_data(as_text=True)
    assert expected in hr.get("/reports").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("M1", "PermenPANRB 38/2017"),
        ("PROYEK", "T- followed by capital letters"),
        ("T-SURVKES", "already exists"),
    ],
)
def test_hr_cannot_add_a_builtin_a_malformed_or_a_taken_code(app, hr, code, message):
    response = hr.post("/competencies/new", data={"code": code, "name": "Apa saja"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_regulation_competencies_cannot_be_edited(app, hr):
    response = hr.post("/competencies/M1/edit", data={"code": "M1", "name": "Diubah"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Competency.name).where(Competency.code == "M1")) == (
            "Integritas"
        )


# --- Requirements -------------------------------------------------------------------------


def test_hr_sets_changes_and_removes_a_requirement(app, hr):
    """Is a position matched without regard to case, one row per position and competency?"""
    data = {"jabatan": "epidemiolog kesehatan ahli pertama", "competency": "M1", "level": "4"}
    assert hr.post("/competencies/requirements", data=data).status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(PositionRequirement).where(PositionRequirement.competency_code == "M1")
        ).all()
        assert [(r.jabatan, r.level) for r in rows] == [(EPIDEMIOLOG, 4)]
        requirement_id = rows[0].id
    page = hr.get("/competencies/requirements").get_data(as_text=True)
    assert EPIDEMIOLOG in page and "Analis SDM Aparatur" in page
    assert hr.post(f"/competencies/requirements/{requirement_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(PositionRequirement, requirement_id) is None


@pytest.mark.parametrize(
    "change",
    [{"level": "0"}, {"level": "6"}, {"jabatan": ""}, {"competency": "T-TIDAKADA"}],
)
def test_a_wrong_requirement_is_refused(app, hr, change):
    data = {"jabatan": "Analis SDM Aparatur", "competency": "M2", "level": "2", **change}
    response = hr.post("/competencies/requirements", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(
            select(PositionRequirement).where(PositionRequirement.competency_code == "M2")
        ) is None  # fmt: skip


REQUIREMENTS_CSV = (
    "jabatan,kode_kompetensi,level\n"
    "Analis SDM Aparatur,M2,3\n"  # row 2: new
    "Analis SDM Aparatur,T-TIDAKADA,2\n"  # row 3: unknown code
    "Analis SDM Aparatur,M3,0\n"  # row 4: level 0
    "Analis SDM Aparatur,M4,6\n"  # row 5: level 6
    ",M5,2\n"  # row 6: no position
    "analis sdm aparatur,M6,3\n"  # row 7: changes the existing M6 2 to 3
    "Analis SDM Aparatur,M7,dua\n"  # row 8: not a number
)


def upload(client, kind: str, text: str, name: str = "syarat.csv"):
    return client.post(
        "/competencies/import",
        data={"kind": kind, "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_requirement_import_previews_every_problem_then_applies_the_valid_rows(app, hr):
    """Does the preview list unknown codes, levels 0 and 6 and a missing position by row?"""
    response = upload(hr, "requirements", REQUIREMENTS_CSV)
    assert response.status_code == 302
    import_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        started = db.session.get(CompetencyImport, import_id)
        found = {(p["row"], p["column"]) for p in started.problems}
        assert found == {(3, "code"), (4, "level"), (5, "level"), (6, "jabatan"), (8, "level")}
        assert [r["row"] for r in started.rows] == [2, 7]
        assert (started.counts["to_create"], started.counts["to_update"]) == (1, 1)
        assert db.session.scalar(
            select(PositionRequirement).where(PositionRequirement.competency_code == "M2")
        ) is None  # fmt: skip
    page = hr.get(f"/competencies/import/{import_id}").get_data(as_text=True)
    assert "Unknown competency code" in page and "T-TIDAKADA" in page
    assert "The level must be a whole number from 1 to 5." in page
    assert "The position (jabatan) is missing." in page

    assert hr.post(f"/competencies/import/{import_id}/confirm").status_code == 302
    with app.app_context():
        levels = dict(
            db.session.execute(
                select(PositionRequirement.competency_code, PositionRequirement.level).where(
                    PositionRequirement.jabatan == "Analis SDM Aparatur"
                )
            ).all()
        )
        assert levels == {"M2": 3, "M6": 3}
    again = hr.post(f"/competencies/import/{import_id}/confirm")
    assert again.status_code == 409  # applied once only


def test_competency_import_adds_technical_competencies_and_refuses_builtin_codes(app, hr):
    text = (
        "kode;nama;deskripsi;level_1;level_2\n"
        "T-PBJ;Pengadaan Barang/Jasa;Beli sesuai aturan;Tahu;Bisa\n"
        "M1;Integritas Baru;;;\n"
        "T-PBJ;Lagi;;;\n"
        "PBJ;Tanpa T;;;\n"
    )
    response = upload(hr, "competencies", text, "teknis.csv")
    import_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        problems = {(p["row"], p["column"]) for p in
                    db.session.get(CompetencyImport, import_id).problems}  # fmt: skip
    assert problems == {(2, "code"), (3, "code"), (4, "code"), (5, "code")}  # 2 and 4 repeat

    response = upload(hr, "competencies", text.replace("T-PBJ;Lagi", "T-ARSIP;Kearsipan"))
    import_id = int(response.location.rsplit("/", 1)[1])
    assert hr.post(f"/competencies/import/{import_id}/confirm").status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Competency).where(Competency.code == "T-PBJ"))
        assert item.kind == "technical" and item.levels[:3] == ["Tahu", "Bisa", ""]
        assert db.session.scalar(select(Competency.name).where(Competency.code == "M1")) == (
            "Integritas"
        )


def test_import_templates_download(hr):
    body = hr.get("/competencies/import/template/requirements.csv").get_data(as_text=True)
    assert body.lstrip("\ufeff").startswith("jabatan,kode_kompetensi,level")
    assert hr.get("/competencies/import/template/employees.csv").status_code == 404


# --- The course validator -----------------------------------------------------------------


def test_check_courses_rejects_a_code_missing_from_the_dictionary(app, runner, tmp_path):
    """Does check-courses name the unknown code with its file and line, even if shaped T-...?"""
    folder = course_with(tmp_path / "c", "TES-9", 2, {"T-TIDAKADA": 2, "M1": 6})
    result = runner.invoke(args=["lms", "check-courses", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}/course.md:7: unknown competency code T-TIDAKADA" in result.output
    assert f"{folder}/course.md:7: competency level must be 1 to 5 (M1)" in result.output
    ok = runner.invoke(args=["lms", "check-courses", str(COURSES)])
    assert ok.exit_code == 0, ok.output


def test_a_competency_hr_adds_is_accepted_by_the_importer(app, runner, tmp_path):
    folder = course_with(tmp_path / "c", "TES-9", 2, {"T-PROYEK": 2})
    assert runner.invoke(args=["lms", "import-courses", str(folder)]).exit_code == 1
    with app.app_context():
        db.session.add(
            Competency(code="T-PROYEK", name="Proyek", kind="technical", levels=[""] * 5)
        )
        db.session.commit()
    result = runner.invoke(args=["lms", "import-courses", str(folder)])
    assert result.exit_code == 0, result.output


# --- Profiles -----------------------------------------------------------------------------


def test_a_learner_sees_their_own_profile_with_evidence_and_gaps(app, world):
    """Is the level the highest one evidenced, with the courses as evidence, and gaps marked?"""
    client = as_person(app, world, "ani")
    response = client.get("/my/profile")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ani Epidemiolog" in page and "Kursus Uji SURV-0" in page and "Kursus Uji SURV-1" in page
    assert page.count("Below requirement") == 2  # M1 and M3; T-SURVKES 2 meets its 2
    assert 'href="/static/css/print.css"' in page and 'media="print"' in page
    assert 'class="button no-print"' in page
    assert "2026-TEST-ANI1-0002" in page


def test_the_profile_downloads_as_json(app, world):
    client = as_person(app, world, "ani")
    response = client.get("/my/profile.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    lines = {c["code"]: c for c in document["competencies"]}
    assert lines["T-SURVKES"]["level"] == 2 and lines["T-SURVKES"]["required_level"] == 2
    assert [e["course_code"] for e in lines["T-SURVKES"]["evidence"]] == ["SURV-1", "SURV-0"]
    assert (lines["M1"]["level"], lines["M1"]["below_requirement"]) == (0, True)
    assert (lines["M3"]["level"], lines["M3"]["below_requirement"]) == (1, True)
    this_year = document["learning_hours"]["years"][0]
    assert this_year["jp"] == 5.0 and this_year["percent_of_target"] == 25.0
    assert {c["number"] for c in document["certificates"]} == {
        "2026-TEST-ANI0-0001", "2026-TEST-ANI1-0002",
    }  # fmt: skip
    assert document["certificates"][0]["verification_url"].endswith("/verify/2026-TEST-ANI1-0002")
    assert document["person"]["jabatan"] == EPIDEMIOLOG


def test_a_learner_cannot_open_someone_elses_profile(app, world):
    client = as_person(app, world, "budi")
    ani = world["ani"][0]
    assert client.get(f"/reports/employees/{ani}/profile").status_code == 403
    assert client.get(f"/reports/employees/{ani}/profile.json").status_code == 403
    assert "Ani Epidemiolog" not in client.get("/my/profile").get_data(as_text=True)


def test_hr_sees_anyones_profile_and_its_download_is_logged(app, hr, world):
    ani = world["ani"][0]
    page = hr.get(f"/reports/employees/{ani}/profile").get_data(as_text=True)
    assert "Ani Epidemiolog" in page and "T-SURVKES" in page
    response = hr.get(f"/reports/employees/{ani}/profile.json")
    assert json.loads(response.get_data(as_text=True))["person"]["name"] == "Ani Epidemiolog"
    with app.app_context():
        log = db.session.scalar(select(ExportLog))
        assert log.export_format == "competency-profile" and log.filters["user_id"] == ani
    assert hr.get("/reports/employees/9999/profile").status_code == 404


# --- Recommendations ----------------------------------------------------------------------


def test_the_dashboard_recommends_courses_that_close_gaps_nearest_first(app, world):
    """Are only published, uncompleted courses closing a gap listed, nearest gap first?"""
    page = as_person(app, world, "ani").get("/my").get_data(as_text=True)
    assert "Recommended for you" in page
    section = page.split('id="recommended-heading"')[1].split("</section>")[0]
    # Both close M3 (a gap of 1); KOM-2 also closes M1, so it comes first.
    assert section.index("Kursus Uji KOM-2") < section.index("Kursus Uji KOM-1")
    for absent in ("SURV-1", "SURV-2", "ARSIP-1", "SURV-0"):
        assert f"Kursus Uji {absent}" not in section


def test_no_recommendation_without_a_requirement(app, world):
    page = as_person(app, world, "dodi").get("/my").get_data(as_text=True)
    assert 'id="recommended-heading"' not in page
    assert "/my/profile" in page


def test_a_gap_no_course_closes_is_said_plainly(app, world):
    page = as_person(app, world, "cici").get("/my").get_data(as_text=True)
    assert "No course in the catalog closes your gaps yet: M6" in page


# --- Training needs -----------------------------------------------------------------------


def test_training_needs_count_employees_and_jp_per_competency(app, hr, world):
    """Does the report count employees below requirement and the cheapest JP to close it?"""
    from lms.competency.needs import training_needs

    with app.app_context():
        needs = training_needs()
        lines = {row.line.code: row.line for row in needs.rows}
        assert [row.line.code for row in needs.rows] == ["M1", "M3", "M6", "T-SURVKES"]
        dinkes = training_needs(accounts.find_unit("DINKES").id)
    assert (needs.employees, needs.with_requirements, needs.with_gaps) == (5, 3, 3)  # HR too
    assert (lines["M1"].employees_below, lines["M1"].jp_to_close) == (2, 12.0)  # KOM-2 twice
    assert (lines["M3"].employees_below, lines["M3"].jp_to_close) == (2, 4.0)  # KOM-1, not ARSIP
    assert (lines["T-SURVKES"].employees_below, lines["T-SURVKES"].jp_to_close) == (1, 4.0)
    assert (lines["M6"].closable, lines["M6"].without_course, lines["M6"].jp_to_close) == (0, 1, 0)
    assert [row.line.code for row in dinkes.rows] == ["M1", "M3", "T-SURVKES"]  # no Cici

    page = hr.get("/reports/training-needs").get_data(as_text=True)
    assert "How the figures are computed" in page and "T-SURVKES" in page


def test_training_needs_export_as_csv_and_xlsx(app, hr, world):
    with app.app_context():
        dinkes = accounts.find_unit("DINKES").id
    response = hr.post("/reports/training-needs/export/csv", data={"unit": dinkes})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Kode kompetensi" and len(rows) == 4
    assert rows[1][:4] == ["M1", "Integritas", "Manajerial", "2"] and rows[1][6] == "12"

    response = hr.post("/reports/training-needs/export/xlsx", data={"unit": dinkes})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Kode kompetensi"
    assert values[2][:4] == ("M3", "Komunikasi", "Manajerial", 2) and values[2][6] == 4
    with app.app_context():
        logs = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
        assert [log.export_format for log in logs] == ["training-needs-csv", "training-needs-xlsx"]
        assert logs[0].filters == {"report": "training-needs", "unit_id": dinkes}
        assert logs[0].row_count == 3
    assert hr.post("/reports/training-needs/export/pdf").status_code == 404


def test_training_needs_export_neutralises_formulas(app, hr, world):
    with app.app_context():
        db.session.add(
            Competency(code="T-RUMUS", name="=HYPERLINK(1)", kind="technical", levels=[""] * 5)
        )
        db.session.add(PositionRequirement(jabatan=EPIDEMIOLOG, competency_code="T-RUMUS", level=1))
        db.session.commit()
    body = hr.post("/reports/training-needs/export/csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body
    sheet = openpyxl.load_workbook(
        io.BytesIO(hr.post("/reports/training-needs/export/xlsx").data)
    ).active
    assert "'=HYPERLINK(1)" in [row[1] for row in sheet.values]
