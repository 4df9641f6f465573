"""Incentives: the learner's streak and pace on the dashboard, HR's most active learners per unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.catalog.models import CourseModule
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion, Enrolment, ModuleProgress
from tests.conftest import import_course, make_user, sign_in, write_course


def english(client, login):
    sign_in(client, login)
    client.post("/language", data={"locale": "en"})


def complete(app, user_id, code, when, n, jp=2.0):
    with app.app_context():
        course = published_course(code)
        db.session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=when))
        db.session.add(
            Completion(
                user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
                score=90.0, jp=jp, enrolled_at=when, completed_at=when,
                certificate_no=f"2026-INCE-0000-{n:04d}",
            )
        )  # fmt: skip
        db.session.commit()


def test_dashboard_shows_the_streak_and_the_pace(app, client, course):
    """Does a learner active in the last three months see a 3-month streak and their pace?"""
    user_id, login = make_user(app, "learner")
    now = datetime.now(UTC)
    with app.app_context():
        course_id = published_course(course).id
        module_ids = list(
            db.session.scalars(select(CourseModule.id).where(CourseModule.course_id == course_id))
        )
    months = []
    year, month = now.year, now.month
    for _ in range(3):
        months.append(datetime(year, month, 10, 3, 0, tzinfo=UTC))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    with app.app_context():
        for when, module_id in zip(months[1:], module_ids, strict=False):
            db.session.add(
                ModuleProgress(
                    user_id=user_id, module_id=module_id, course_id=course_id, completed_at=when
                )
            )
        db.session.commit()
    complete(app, user_id, course, months[0], 1)
    english(client, login)
    page = client.get("/my").get_data(as_text=True)
    assert "Learning streak: 3 months in a row" in page
    assert "behind a steady pace" in page or "You are on pace" in page


def test_a_new_learner_is_invited_to_start_a_streak(app, client):
    """Without any learning, does the dashboard invite the learner to start a streak?"""
    english(client, make_user(app, "learner")[1])
    assert "No learning streak yet" in client.get("/my").get_data(as_text=True)


@pytest.fixture
def units(app, tmp_path):
    import_course(app, write_course(tmp_path / "a", code="AAA-1"))
    import_course(app, write_course(tmp_path / "b", code="BBB-1"))
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("DPMPTSP", "Dinas PTSP", kota)
        db.session.commit()


def test_hr_sees_the_most_active_learners_of_each_unit(app, client, units):
    """Are learners ranked by JP within their own unit, those without completions left out?"""
    when = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    ani = make_user(app, "learner", name="Ani Dinkes", unit="DINKES")[0]
    budi = make_user(app, "learner", name="Budi Dinkes", unit="DINKES")[0]
    cici = make_user(app, "learner", name="Cici PTSP", unit="DPMPTSP")[0]
    make_user(app, "learner", name="Dedi Belum", unit="DINKES")
    complete(app, ani, "AAA-1", when, 1)
    complete(app, ani, "BBB-1", when, 2)
    complete(app, budi, "AAA-1", when, 3)
    complete(app, cici, "AAA-1", when, 4)
    english(client, make_user(app, "hr")[1])
    page = client.get("/reports/most-active?since=2026-01-01&until=2026-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Ani Dinkes") < html.index("Budi Dinkes")
    assert "Cici PTSP" in html and "Dedi Belum" not in html
    from lms.reports import summaries
    from lms.reports.queries import CompletionFilter

    with app.app_context():
        lines = summaries.most_active(CompletionFilter(zone="Asia/Jakarta"))
    ranks = {(line.unit_name, line.name): (line.rank, line.jp) for line in lines}
    assert ranks[("Dinas Kesehatan", "Ani Dinkes")] == (1, 4.0)
    assert ranks[("Dinas Kesehatan", "Budi Dinkes")] == (2, 2.0)
    assert ranks[("Dinas PTSP", "Cici PTSP")] == (1, 2.0)
    assert "Most active learners" in client.get("/reports").get_data(as_text=True)


def test_the_list_can_be_hidden_by_a_setting(app, client, units):
    """With LMS_RECOGNITION off, is the list gone, link included?"""
    app.config["LMS_RECOGNITION"] = False
    english(client, make_user(app, "hr")[1])
    assert client.get("/reports/most-active").status_code == 404
    assert "Most active learners" not in client.get("/reports").get_data(as_text=True)


def test_learners_cannot_see_the_list(app, client):
    """Is the recognition list for HR only?"""
    sign_in(client, make_user(app, "learner")[1])
    assert client.get("/reports/most-active").status_code == 403
