"""Hardening: CSRF on every form post, security headers, production settings, request logs."""

from __future__ import annotations

import json
import logging

import pytest

from lms import create_app
from lms.config import ConfigError
from tests.conftest import make_user, sign_in


def state_changing_routes(app):
    args = {"code": "TES-101", "key": "modul-1", "attempt_id": 1, "user_id": 1, "number": "x"}
    args["fmt"] = "csv"
    args["import_id"] = 1
    args["token_id"] = 1
    args["requirement_id"] = 1
    args["assignment_id"] = 1
    args["version_number"], args["name"] = 1, "bagan.png"
    args["programme_id"] = args["mentorship_id"] = args["session_id"] = 1
    args["thread_id"] = args["post_id"] = args["notification_id"] = 1
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                yield method, rule.build({k: args[k] for k in rule.arguments})[1]


def test_every_state_changing_route_refuses_a_post_without_csrf_token(csrf_app, course):
    """Can another site make a signed-in user's browser change anything (a post without token)?"""
    _, login = make_user(csrf_app, "admin", "learner")
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    sign_in(client, login)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    routes = list(state_changing_routes(csrf_app))
    assert len(routes) >= 8
    for method, url in routes:
        response = client.open(url, method=method, data={"anything": "1"})
        assert response.status_code == 400, f"{method} {url} answered {response.status_code}"
        assert "formulir" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("path", ["/login", "/courses", "/nope"])
def test_security_headers_on_every_page(app, client, learner, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_templates():
    """Would the Content-Security-Policy block something the pages rely on?"""
    from tests.conftest import ROOT

    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text or 'src="' in text, template
        assert "<style" not in text and " style=" not in text, template
        assert " onclick=" not in text and "javascript:" not in text, template


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("LMS_PRODUCTION", "1")
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY"):
        create_app()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("LMS_PRODUCTION", "1")
    monkeypatch.setenv("LMS_SECRET_KEY", "a-long-random-production-secret")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_each_request_is_logged_as_one_json_line(app, client, learner, caplog):
    """Is every request one JSON line with method, path, status, duration and user id?"""
    from lms import request_log

    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(request_log.JsonLineFormatter().format(record))

    logged_app = create_app({**app.config, "LMS_REQUEST_LOG": True})
    handler = Collect()
    request_log.logger.addHandler(handler)
    try:
        logged_client = logged_app.test_client()
        logged_client.get("/login")
        _, login = make_user(logged_app, "learner")
        sign_in(logged_client, login)
        logged_client.get("/courses")
    finally:
        request_log.logger.removeHandler(handler)
        with logged_app.app_context():
            from lms.extensions import db

            db.session.remove()
            db.engine.dispose()
    entries = [json.loads(line) for line in records]
    last = entries[-1]
    assert {"ts", "method", "path", "status", "duration_ms", "user_id"} <= set(last)
    assert (last["method"], last["path"], last["status"]) == ("GET", "/courses", 200)
    assert isinstance(last["user_id"], int) and last["duration_ms"] >= 0
    assert entries[0]["path"] == "/login" and entries[0]["user_id"] is None  # anonymous
