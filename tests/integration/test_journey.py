"""The whole learner journey through HTTP, on a bundled course, down to the completion row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.learning.models import Completion
from tests.conftest import correct_answers, course_quiz, flashes, make_user, sign_in


def test_learner_completes_a_bundled_course_end_to_end(app, client, bundled):
    """Can a civil servant find, enrol, read, fail, retry, pass, and get a completion HR can trust?"""
    user_id, login = make_user(app, "learner", name="Siti Aminah")
    sign_in(client, "  " + login[:8] + " " + login[8:] + " ")  # NIP typed with spaces

    page = client.get("/courses?q=proyek").get_data(as_text=True)
    assert "Manajemen Proyek Pemerintah Daerah" in page
    assert "Pelayanan Publik Prima" not in page

    course_page = client.get("/courses/PM-101").get_data(as_text=True)
    assert "Daftar kursus ini" in course_page  # Indonesian by default
    response = client.post("/courses/PM-101/enrol")
    assert response.status_code == 302
    assert "Anda telah terdaftar" in " ".join(flashes(client.get(response.location)))

    with app.app_context():
        from lms.catalog.services import published_course

        keys = published_course("PM-101").current_version.module_keys
    for key in keys:
        page = client.get(f"/courses/PM-101/modules/{key}")
        assert page.status_code == 200
        assert "<h2" in page.get_data(as_text=True)
        assert client.post(f"/courses/PM-101/modules/{key}/done").status_code == 302

    quiz = course_quiz(app, "PM-101")
    attempt_url = client.post("/courses/PM-101/quiz/start").location
    failed = client.post(attempt_url, data=MultiDict(correct_answers(quiz, wrong=8)))
    result = client.get(failed.location).get_data(as_text=True)
    assert "Belum lulus" in result
    assert "Sisa 2 percobaan" in result

    retry_url = client.post("/courses/PM-101/quiz/start").location
    assert retry_url != attempt_url
    passed = client.post(retry_url, data=MultiDict(correct_answers(quiz)))
    page = client.get(passed.location)
    text = page.get_data(as_text=True)
    assert "Selamat" in " ".join(flashes(page))
    assert "Nilai: 100" in text

    with app.app_context():
        completion = db.session.query(Completion).one()
        assert completion.user_id == user_id
        assert completion.course.code == "PM-101"
        assert completion.course_version.number == 1
        assert completion.score == 100.0
        assert completion.jp == 6.0
        assert completion.enrolled_at <= completion.completed_at
        assert datetime.now(UTC) - completion.completed_at < timedelta(minutes=1)
        assert completion.completed_at.tzinfo is not None
        assert re.fullmatch(r"\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", completion.certificate_no)
        number = completion.certificate_no

    dashboard = client.get("/my").get_data(as_text=True)
    assert "6 dari 20 JP" in dashboard
    assert number in dashboard
    certificate = client.get(f"/certificates/{number}").get_data(as_text=True)
    assert "Siti Aminah" in certificate and "Manajemen Proyek Pemerintah Daerah" in certificate


def test_dashboard_empty_state_and_jp_progress(app, client):
    """Does a new learner see an empty state pointing to the catalog?"""
    _, login = make_user(app, "learner")
    sign_in(client, login)
    page = client.get("/my").get_data(as_text=True)
    assert "Anda belum mendaftar di kursus mana pun" in page
    assert "0 dari 20 JP" in page
    assert 'href="/courses"' in page
