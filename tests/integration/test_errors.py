"""Error pages in the UI language, and a failed request leaves nothing half-written."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.learning.models import Enrolment
from tests.conftest import make_user, sign_in


def test_404_page_in_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_404_for_unknown_course_and_module(app, client, course, learner):
    assert client.get("/courses/TIDAK-ADA").status_code == 404
    client.post(f"/courses/{course}/enrol")
    assert client.get(f"/courses/{course}/modules/tidak-ada").status_code == 404


def test_403_page_for_a_missing_role(app, client, learner):
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "tidak memiliki akses" in response.get_data(as_text=True)


def test_json_errors_for_api_clients(client):
    response = client.get("/tidak-ada", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == 404


def test_crash_rolls_back_the_request(app, client, course, learner, monkeypatch):
    """When a request fails halfway, is what it wrote before the failure undone?"""
    from lms.learning import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom after the enrolment was written")

    monkeypatch.setattr(views, "flash", explode)
    response = client.post(f"/courses/{course}/enrol")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Enrolment).count() == 0


@pytest.mark.parametrize("path", ["/my", "/courses"])
def test_pages_with_personal_data_are_not_cached(app, client, learner, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_unknown_user_in_session_is_signed_out(app, client):
    """If an account is deleted while signed in, does the next request treat them as anonymous?"""
    user_id, login = make_user(app, "learner")
    sign_in(client, login)
    with app.app_context():
        from lms.accounts.models import User

        db.session.delete(db.session.get(User, user_id))
        db.session.commit()
    assert client.get("/my").status_code == 302


def test_healthz_reports_an_unreachable_database(tmp_path):
    """When the database is gone, does /healthz say so with 503 instead of pretending?"""
    from lms import create_app

    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "LMS_REQUEST_LOG": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})  # fmt: skip
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}
