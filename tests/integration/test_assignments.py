"""Assigned training: who an assignment reaches, no duplicates, overdue lists, exports, pages."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.accounts import imports as employee_imports
from lms.accounts import services as accounts
from lms.accounts.models import EMPLOYEES, User
from lms.assignments.models import Assignment, AssignmentMember
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning import services as learning
from lms.reports.models import ExportLog
from tests.conftest import PASSWORD, flashes, import_course, make_user, sign_in, write_course

TODAY = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # the portal's default zone
NEXT_MONTH = TODAY + timedelta(days=30)


@pytest.fixture
def org(app, course, tmp_path):
    """Units DINKES > PUSK-1 and DISDIK; employees in each; a second course TES-202."""
    import_course(app, write_course(tmp_path / "b", code="TES-202"))
    with app.app_context():
        dinkes = accounts.ensure_unit("DINKES", "Dinas Kesehatan")
        accounts.ensure_unit("PUSK-1", "Puskesmas Satu", parent=dinkes)
        accounts.ensure_unit("DISDIK", "Dinas Pendidikan")
        people = {}
        for key, name, unit, jabatan in [
            ("ani", "Ani Dinkes", "DINKES", "Analis Kebijakan"),
            ("budi", "Budi Puskesmas", "PUSK-1", "Perawat"),
            ("citra", "Citra Disdik", "DISDIK", "analis   KEBIJAKAN"),
        ]:
            user = accounts.create_user(
                login=f"1986092620150510{len(people) + 70:02d}", name=name, password=PASSWORD,
                roles=["learner"], unit=accounts.find_unit(unit), jabatan=jabatan,
            )  # fmt: skip
            people[key] = (user.id, user.login)
        db.session.commit()
    _hr_id, hr_login = make_user(app, "hr", login="hr.bkpsdm", name="Hana HR")
    return {"people": people, "hr": hr_login}


def english(client, login):
    sign_in(client, login)
    client.post("/language", data={"locale": "en", "next": "/my"})


@pytest.fixture
def hr(app, client, org):
    english(client, org["hr"])
    return client


def unit_id(app, code):
    with app.app_context():
        return accounts.find_unit(code).id


def course_id(app, code):
    with app.app_context():
        return published_course(code).id


def form(app, **fields):
    data = {
        "course": course_id(app, fields.pop("code", "TES-101")),
        "target": "unit",
        "unit": "0",
        "include_subunits": "y",
        "due_on": NEXT_MONTH.isoformat(),
        "reason": "Kesenjangan kompetensi M1",
        "action": "save",
    }
    data.update(fields)
    if data.get("include_subunits") is None:
        del data["include_subunits"]
    return data


def save(client, app, **fields):
    return client.post("/assignments/new", data=form(app, **fields))


def members(app, course_code="TES-101") -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(User.name)
                .join(AssignmentMember, AssignmentMember.user_id == User.id)
                .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
                .where(Assignment.course_id == course_id(app, course_code))
                .where(Assignment.cancelled_at.is_(None))
            )
        )


def set_due(app, due: date):
    with app.app_context():
        for a in db.session.scalars(select(Assignment)):
            a.due_on = due
        db.session.commit()


def dashboard(app, login) -> str:
    client = app.test_client()
    english(client, login)
    return client.get("/my").get_data(as_text=True)


# --- Scope -------------------------------------------------------------------------------------


def test_a_unit_with_its_sub_units_reaches_both(app, hr):
    """Does "with sub-units" reach the puskesmas too, and the preview say so before saving?"""
    fields = form(app, unit=unit_id(app, "DINKES"), action="preview")
    page = hr.post("/assignments/new", data=fields).get_data(as_text=True)
    assert "2 employees" in page and "Budi Puskesmas" in page and "Citra" not in page
    assert members(app) == set()  # a preview saves nothing
    response = hr.post("/assignments/new", data={**fields, "action": "save"})
    assert response.status_code == 302
    assert members(app) == {"Ani Dinkes", "Budi Puskesmas"}


def test_a_unit_without_sub_units_reaches_only_its_own(app, hr):
    """Without "with sub-units", is the puskesmas left out?"""
    save(hr, app, unit=unit_id(app, "DINKES"), include_subunits=None)
    assert members(app) == {"Ani Dinkes"}


def test_a_position_matches_whatever_the_case_and_spacing(app, hr):
    """Does a jabatan target reach "analis   KEBIJAKAN" when HR types "Analis Kebijakan"?"""
    page = hr.get("/assignments/new").get_data(as_text=True)
    assert '<option value="Analis Kebijakan">' in page  # existing positions are offered
    save(hr, app, target="jabatan", jabatan=" analis kebijakan ")
    assert members(app) == {"Ani Dinkes", "Citra Disdik"}


def test_named_employees_by_nip_and_username(app, hr, org):
    """Can HR list NIPs (with spaces) and usernames, one a line?"""
    nip = org["people"]["budi"][1]
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14:]}"
    save(hr, app, target="people", people=f"{spaced}\n\nHR.BKPSDM\n")
    assert members(app) == {"Budi Puskesmas", "Hana HR"}


# --- Later joiners and leavers -------------------------------------------------------------------


def test_later_joiners_by_admin_edit_only_when_asked(app, hr, org):
    """Moved into the unit by an admin, does a person get the open-ended assignment only?"""
    disdik = unit_id(app, "DISDIK")
    save(hr, app, code="TES-101", unit=disdik, include_later="y")
    save(hr, app, code="TES-202", unit=disdik)
    admin = app.test_client()
    make_user(app, "admin", login="admin.satu")
    sign_in(admin, "admin.satu")
    ani_id = org["people"]["ani"][0]
    response = admin.post(
        f"/admin/users/{ani_id}",
        data={"name": "Ani Dinkes", "unit_id": disdik, "roles": ["learner"], "active": "y"},
    )
    assert response.status_code == 302
    assert "Ani Dinkes" in members(app, "TES-101")
    assert "Ani Dinkes" not in members(app, "TES-202")
    page = dashboard(app, org["people"]["ani"][1])
    assert "Kursus Uji TES-101" in page and "Kursus Uji TES-202" not in page


def test_later_joiners_by_employee_import(app, hr, org):
    """Does the employee import add new and moved employees to an open-ended assignment?"""
    save(hr, app, target="jabatan", jabatan="Perawat", include_later="y")
    newcomer = "198609262015052099"
    body = (
        "nip,nama,unit_kerja,jabatan\n"
        f"{newcomer},Dewi Baru,DISDIK,PERAWAT\n"
        f"{org['people']['citra'][1]},Citra Disdik,DISDIK,Perawat\n"
    ).encode()
    with app.app_context():
        hr_user = accounts.find_by_login(org["hr"])
        staged = employee_imports.preview_import(EMPLOYEES, "pegawai.csv", body, hr_user)
        employee_imports.apply_import(staged.id, hr_user)
        db.session.commit()
    assert members(app) == {"Budi Puskesmas", "Dewi Baru", "Citra Disdik"}


def test_leaving_the_unit_keeps_the_assignment(app, hr, org):
    """Does an employee who moves away keep what was assigned to them while they were there?"""
    save(hr, app, unit=unit_id(app, "DINKES"))
    with app.app_context():
        ani = db.session.get(User, org["people"]["ani"][0])
        accounts.update_user(
            ani, name=ani.name, roles=["learner"], email=None,
            unit=accounts.find_unit("DISDIK"), jabatan=ani.jabatan, active=True,
        )  # fmt: skip
        db.session.commit()
    assert "Ani Dinkes" in members(app)
    assert "Kursus Uji TES-101" in dashboard(app, org["people"]["ani"][1])


# --- No duplicates ------------------------------------------------------------------------------


def test_two_assignments_of_one_course_show_once_with_the_earliest_date(app, hr, org):
    """Assigned the same course by unit and by name, is it one line, due at the earlier date?"""
    later = TODAY + timedelta(days=60)
    save(hr, app, unit=unit_id(app, "DINKES"), due_on=later.isoformat())
    save(hr, app, target="people", people=org["people"]["ani"][1], reason="Nama")
    page = dashboard(app, org["people"]["ani"][1])
    assert page.count("Kursus Uji TES-101</a>") == 1
    section = page.split('id="assigned-heading"')[1].split("</section>")[0]
    assert NEXT_MONTH.strftime("%B") in section and str(NEXT_MONTH.day) in section
    assert "Nama" in section  # the reason of the assignment that sets the date
    set_due(app, TODAY - timedelta(days=3))
    overdue = hr.get("/assignments/overdue").get_data(as_text=True)
    assert overdue.count("Ani Dinkes") == 1


def test_double_submit_saves_one_assignment(app, hr):
    """Two identical posts (a double click): is one assignment saved, and the second told so?"""
    first = save(hr, app, unit=unit_id(app, "DINKES"))
    second = save(hr, app, unit=unit_id(app, "DINKES"))
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert "This assignment is already saved." in flashes(hr.get(second.location))
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 1


def test_same_target_with_another_date_offers_an_update(app, hr):
    """Saving the same course and target again, is HR offered to update the due date instead?"""
    save(hr, app, unit=unit_id(app, "DINKES"))
    later = (TODAY + timedelta(days=90)).isoformat()
    page = save(hr, app, unit=unit_id(app, "DINKES"), due_on=later, reason="Baru")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "This assignment already exists" in text
    with app.app_context():
        existing = db.session.scalar(select(Assignment))
    response = hr.post(f"/assignments/{existing.id}/edit", data={"due_on": later, "reason": "Baru"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
        assert db.session.scalar(select(Assignment.due_on)).isoformat() == later


def test_concurrent_identical_saves_create_one_assignment(app, org):
    """Several identical saves at the same moment: does the database keep exactly one?"""
    from lms.assignments import services

    with app.app_context():
        target = services.Target("unit", unit_id=accounts.find_unit("DINKES").id)
        course = published_course("TES-101").id
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            with app.test_request_context("/", method="POST"):
                hr_user = accounts.find_by_login(org["hr"])
                try:
                    services.create_assignment(
                        db.session.get(services.Course, course), target, due_on=NEXT_MONTH,
                        reason="x", competency_code=None, created_by=hr_user, today=TODAY,
                    )  # fmt: skip
                    db.session.commit()
                    outcomes.append("saved")
                except services.DuplicateAssignment:
                    db.session.rollback()
                    outcomes.append("duplicate")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
        assert db.session.scalar(select(func.count(AssignmentMember.id))) == 1  # Ani
    assert outcomes.count("saved") == 1
    # SQLite serialises writers: a late one may also fail to get the lock, never save twice.
    assert all("locked" in str(e) for e in errors)


# --- Overdue, dashboard, HR pages, exports ---------------------------------------------------------


def test_overdue_list_by_unit_and_course_with_exports(app, hr, org):
    """Is an unfinished, past-due course listed per unit (with sub-units) and exported as shown?"""
    save(hr, app, unit=unit_id(app, "DINKES"))
    save(hr, app, code="TES-202", target="jabatan", jabatan="Analis Kebijakan")
    with app.app_context():  # Budi finishes one module of two
        course = published_course("TES-101")
        learning.enrol(org["people"]["budi"][0], course)
        learning.mark_done(org["people"]["budi"][0], course, "modul-1")
        db.session.commit()
    set_due(app, TODAY - timedelta(days=5))
    dinkes = unit_id(app, "DINKES")
    page = hr.get(f"/assignments/overdue?unit={dinkes}").get_data(as_text=True)
    assert "Ani Dinkes" in page and "Budi Puskesmas" in page and "Citra" not in page
    assert "50%" in page
    only_101 = hr.get(f"/assignments/overdue?course={course_id(app, 'TES-101')}")
    assert "Citra" not in only_101.get_data(as_text=True)

    response = hr.post("/assignments/overdue/export/csv", data={"unit": dinkes})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.headers["Content-Disposition"].startswith("attachment")
    by_name = {(r["Nama"], r["Kode kursus"]): r for r in rows}
    assert set(by_name) == {("Ani Dinkes", "TES-101"), ("Ani Dinkes", "TES-202"),
                            ("Budi Puskesmas", "TES-101")}  # fmt: skip
    budi = by_name[("Budi Puskesmas", "TES-101")]
    assert (budi["Hari terlambat"], budi["Kemajuan (%)"], budi["Unit kerja"]) == (
        "5", "50", "Puskesmas Satu"
    )  # fmt: skip

    response = hr.post("/assignments/overdue/export/xlsx", data={"unit": dinkes})
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Nama" and len(values) == 4
    with app.app_context():
        logs = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
        assert [(log.export_format, log.row_count) for log in logs] == [
            ("overdue-csv", 3), ("overdue-xlsx", 3)
        ]  # fmt: skip
        assert logs[0].filters == {"report": "assignments-overdue", "unit_id": dinkes}


def test_export_cells_cannot_run_as_formulas(app, hr, org):
    """Is a name starting with "=" exported as text?"""
    with app.app_context():
        db.session.get(User, org["people"]["ani"][0]).name = "=HYPERLINK(1)"
        db.session.commit()
    save(hr, app, unit=unit_id(app, "DINKES"))
    set_due(app, TODAY - timedelta(days=1))
    body = hr.post("/assignments/overdue/export/csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def test_dashboard_shows_assigned_training_first(app, hr, org):
    """Does the learner see assigned courses at the top, overdue marked, done ones apart?"""
    login = org["people"]["ani"][1]
    assert "Assigned training" not in dashboard(app, login)  # empty: no section at all
    save(hr, app, unit=unit_id(app, "DINKES"), reason="Kesenjangan M1")
    save(hr, app, code="TES-202", unit=unit_id(app, "DINKES"), reason="Wajib")
    set_due(app, TODAY - timedelta(days=2))
    page = dashboard(app, login)
    assert page.index("Assigned training") < page.index("Learning hours")
    assert "Overdue by 2 days" in page and "Kesenjangan M1" in page

    with app.app_context():  # Ani completes TES-202 (the completion record itself)
        from lms.clock import utcnow
        from lms.learning.models import Completion

        course = published_course("TES-202")
        db.session.add(Completion(
            user_id=org["people"]["ani"][0], course_id=course.id,
            course_version_id=course.current_version_id, score=90, jp=2,
            enrolled_at=utcnow(), completed_at=utcnow(), certificate_no="2026-TEST-0001",
        ))  # fmt: skip
        db.session.commit()
    page = dashboard(app, login)
    done = page.split("<h3>Done</h3>")[1].split("</section>")[0]
    assert "Kursus Uji TES-202" in done and "Completed late" in done
    indonesian = app.test_client()
    sign_in(indonesian, login)
    indonesian.post("/language", data={"locale": "id", "next": "/my"})
    assert "Pelatihan yang ditugaskan" in indonesian.get("/my").get_data(as_text=True)


def test_course_page_says_it_is_assigned(app, hr, org):
    """Does the course page tell an assigned learner the due date?"""
    save(hr, app, unit=unit_id(app, "DINKES"))
    client = app.test_client()
    english(client, org["people"]["ani"][1])
    assert "Assigned to you, due" in client.get("/courses/TES-101").get_data(as_text=True)
    assert "Assigned to you" not in client.get("/courses/TES-202").get_data(as_text=True)


def test_hr_pages_list_detail_and_cancel(app, hr, org):
    """Can HR follow an assignment's progress and cancel it, after which learners don't see it?"""
    assert "No course has been assigned yet." in hr.get("/assignments/").get_data(as_text=True)
    response = save(hr, app, unit=unit_id(app, "DINKES"))
    detail = response.location
    listing = hr.get("/assignments/").get_data(as_text=True)
    assert "Kursus Uji TES-101" in listing and "Dinas Kesehatan" in listing
    page = hr.get(detail).get_data(as_text=True)
    assert "Ani Dinkes" in page and "Not started" in page
    confirm = hr.get(detail + "/cancel").get_data(as_text=True)
    assert "Yes, cancel it" in confirm
    response = hr.post(detail + "/cancel")
    assert response.status_code == 302
    assert "Cancelled" in hr.get("/assignments/").get_data(as_text=True)
    assert "Assigned training" not in dashboard(app, org["people"]["ani"][1])
    # Cancelled: the same target can be assigned again.
    assert save(hr, app, unit=unit_id(app, "DINKES")).status_code == 302


def test_people_page_sorts_by_status(app, hr, org):
    """Are overdue people listed before those who completed?"""
    save(hr, app, unit=unit_id(app, "DINKES"))
    with app.app_context():
        from lms.clock import utcnow
        from lms.learning.models import Completion

        course = published_course("TES-101")
        db.session.add(Completion(
            user_id=org["people"]["ani"][0], course_id=course.id,
            course_version_id=course.current_version_id, score=90, jp=2,
            enrolled_at=utcnow(), completed_at=utcnow() - timedelta(days=10),
            certificate_no="2026-TEST-0002",
        ))  # fmt: skip
        db.session.commit()
    set_due(app, TODAY - timedelta(days=1))
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
    page = hr.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    assert page.index("Budi Puskesmas") < page.index("Ani Dinkes")
    assert "Overdue by 1 day" in page and "Completed on" in page
    by_name = hr.get(f"/assignments/{assignment_id}?sort=name").get_data(as_text=True)
    assert by_name.index("Ani Dinkes") < by_name.index("Budi Puskesmas")


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_cannot_use_hr_pages(app, org, role):
    """Are the HR routes refused to learners and trainers?"""
    client = app.test_client()
    _, login = make_user(app, role)
    sign_in(client, login)
    for url in ("/assignments/", "/assignments/new", "/assignments/overdue", "/assignments/1"):
        assert client.get(url).status_code == 403
    assert client.post("/assignments/overdue/export/csv").status_code == 403


# --- Bad input -----------------------------------------------------------------------------------


def test_bad_people_lines_are_each_reported_and_nothing_is_saved(app, hr, org):
    """Does every bad line get its reason, the typed list stay, and nothing get saved?"""
    typed = f"{org['people']['ani'][1]}\n198001012000011999\norang.tak.ada"
    response = save(hr, app, target="people", people=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2 (198001012000011999): no account has this NIP or username" in page
    assert "Line 3 (orang.tak.ada): no account has this NIP or username" in page
    assert "orang.tak.ada</textarea>" in page and "Kesenjangan kompetensi M1" in page
    assert members(app) == set()


def test_a_past_due_date_and_a_long_reason_are_refused(app, hr):
    """Are a due date in the past and a reason over 500 characters refused, keeping the input?"""
    past = (TODAY - timedelta(days=2)).isoformat()
    response = save(hr, app, unit=unit_id(app, "DINKES"), due_on=past, reason="Alasan saya")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "The due date cannot be in the past." in page
    assert "Alasan saya</textarea>" in page and past in page
    response = save(hr, app, unit=unit_id(app, "DINKES"), reason="x" * 501)
    assert response.status_code == 400
    assert "Field cannot be longer than 500 characters." in response.get_data(as_text=True)
    response = save(hr, app, course="0", unit="0", due_on="besok")
    page = response.get_data(as_text=True)
    assert "Choose a published course." in page
    assert "Choose a work unit." in page and "Enter the due date as a calendar date." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_training_needs_report_links_to_a_prefilled_assignment(app, hr, org):
    """Does the training-needs report's "Assign" open the form with course, unit and reason?"""
    with app.app_context():
        from lms.competency.services import set_requirement

        set_requirement("Analis Kebijakan", "M1", 2, accounts.find_by_login(org["hr"]))
        db.session.commit()
    dinkes = unit_id(app, "DINKES")
    page = hr.get(f"/reports/training-needs?unit={dinkes}").get_data(as_text=True)
    assert "/assignments/new?" in page
    link = page.split('href="/assignments/new?')[1].split('"')[0].replace("&amp;", "&")
    new = hr.get("/assignments/new?" + link).get_data(as_text=True)
    assert f'<option selected value="{dinkes}">' in new
    assert f'<option selected value="{course_id(app, "TES-101")}">' in new
    assert "Gap in M1" in new


def test_a_unit_moved_into_the_tree_by_the_unit_import_brings_its_people(app, hr, org):
    """When the unit import moves a unit under the assigned one, do its employees join?"""
    save(hr, app, unit=unit_id(app, "DINKES"), include_later="y")
    body = b"kode,nama,induk\nDISDIK,Dinas Pendidikan,DINKES\n"
    with app.app_context():
        hr_user = accounts.find_by_login(org["hr"])
        staged = employee_imports.preview_import("units", "unit.csv", body, hr_user)
        employee_imports.apply_import(staged.id, hr_user)
        db.session.commit()
    assert members(app) == {"Ani Dinkes", "Budi Puskesmas", "Citra Disdik"}


def test_the_people_page_shows_a_hundred_at_a_time(app, hr):
    """With 105 people, does the page show 100 and a second page the other 5?"""
    with app.app_context():
        unit = accounts.ensure_unit("BAPPEDA", "Bappeda")
        db.session.add_all(
            User(username=f"staf{n:03d}", name=f"Staf {n:03d}", unit=unit, password_hash="x")
            for n in range(105)
        )
        db.session.commit()
    detail = save(hr, app, unit=unit_id(app, "BAPPEDA")).location
    first = hr.get(detail + "?sort=name").get_data(as_text=True)
    assert first.count("<td>Staf ") == 100 and "Page 1 of 2" in first
    second = hr.get(detail + "?sort=name&page=2").get_data(as_text=True)
    assert second.count("<td>Staf ") == 5 and "Staf 104" in second
    assert hr.get(detail + "?page=3").status_code == 404


def test_hr_pages_speak_indonesian_by_default(app, client, org):
    """Are the HR pages in Indonesian for an HR officer who has not chosen a language?"""
    sign_in(client, org["hr"])
    assert "Belum ada kursus yang ditugaskan." in client.get("/assignments/").get_data(as_text=True)
    page = client.get("/assignments/overdue").get_data(as_text=True)
    assert "Tidak ada yang terlambat di sini." in page


# --- Notifications -----------------------------------------------------------------------------


def unread(app, user_id) -> tuple[int, int]:
    """The header's counter and the number of unread rows (they must agree)."""
    from lms.notifications.models import Notification

    with app.app_context():
        counter = db.session.get(User, user_id).unread_notifications
        rows = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        return counter, rows


def test_assigned_people_are_notified_once_and_later_joiners_too(app, hr, org):
    """Does everyone an assignment reaches get one notification, a later joiner included?"""
    people = org["people"]
    save(hr, app, unit=unit_id(app, "DINKES"), include_later="y")
    assert unread(app, people["ani"][0]) == (1, 1)
    assert unread(app, people["budi"][0]) == (1, 1)  # the puskesmas is a sub-unit
    assert unread(app, people["citra"][0]) == (0, 0)
    client = app.test_client()
    english(client, people["ani"][1])
    page = client.get("/notifications").get_data(as_text=True)
    assert "You are assigned the course “Kursus Uji TES-101”" in page
    assert NEXT_MONTH.strftime("%d-%m-%Y") in page
    save(hr, app, unit=unit_id(app, "DINKES"), include_later="y")  # the same again: no news
    assert unread(app, people["ani"][0]) == (1, 1)
    admin = app.test_client()
    make_user(app, "admin", login="admin.dua")
    sign_in(admin, "admin.dua")
    citra_id = people["citra"][0]
    admin.post(
        f"/admin/users/{citra_id}",
        data={"name": "Citra Disdik", "unit_id": unit_id(app, "PUSK-1"), "roles": ["learner"],
              "active": "y"},
    )  # fmt: skip
    assert unread(app, citra_id) == (1, 1)


def test_an_archived_course_leaves_the_overdue_list_as_it_leaves_the_dashboard(app, hr, org):
    """Once a course is archived, is an overdue assignment of it gone from HR's list too?"""
    from lms.catalog.models import Course

    save(hr, app, unit=unit_id(app, "DINKES"))
    set_due(app, TODAY - timedelta(days=5))
    assert "Ani Dinkes" in hr.get("/assignments/overdue").get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Course).where(Course.code == "TES-101")).archived = True
        db.session.commit()
    assert "Ani Dinkes" not in hr.get("/assignments/overdue").get_data(as_text=True)
    assert "Kursus Uji TES-101" not in dashboard(app, org["people"]["ani"][1])


@pytest.mark.parametrize("unit", ["²", "9" * 5000, "-3"])
def test_an_odd_unit_in_the_link_is_ignored(hr, unit):
    """A prefilled link with a unit that is not a whole number: the form, not a crash?"""
    assert hr.get("/assignments/new", query_string={"unit": unit}).status_code == 200


def test_a_disabled_account_leaves_the_counts_and_comes_back_when_enabled(app, hr, org):
    """Someone who left is not counted as overdue for ever; enabling the account counts them again."""
    save(hr, app, unit=unit_id(app, "DINKES"))
    set_due(app, TODAY - timedelta(days=3))
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
        budi = db.session.get(User, org["people"]["budi"][0])
        budi.active = False
        db.session.commit()

    def counts() -> tuple[str, str, bool]:
        page = hr.get(f"/assignments/{assignment_id}").get_data(as_text=True)
        assigned = re.search(r"<dt>Assigned</dt><dd>(\d+)</dd>", page).group(1)
        overdue = re.search(r"<dt>Overdue</dt><dd>(\d+)</dd>", page).group(1)
        return assigned, overdue, "Budi Puskesmas" in page

    assert counts() == ("1", "1", False)
    with app.app_context():
        db.session.get(User, org["people"]["budi"][0]).active = True
        db.session.commit()
    assert counts() == ("2", "2", True)
