"""Hostile input on every route: does any form or query string make the portal crash (a 500)?

Every route is called by a user who holds every role, on a world where the ids in the URLs exist
(a course with a learner, a mentoring pairing with a session, a discussion thread, an assignment,
an employee import), with form fields and query parameters the views read filled with values
people and scripts send by mistake or on purpose. A clear 4xx or a redirect is fine; a 500 is not.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.accounts.models import User
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning import services as learning
from tests.conftest import make_user, sign_in

# The names of the fields and parameters the portal's forms and filters read.
FIELDS = [
    "action",
    "answer",
    "body",
    "category",
    "code",
    "competencies",
    "competency",
    "course",
    "course_code",
    "day",
    "description",
    "due_on",
    "email",
    "end",
    "ends_on",
    "expected_revision",
    "fmt",
    "from",
    "include_later",
    "include_subunits",
    "jabatan",
    "jp",
    "kind",
    "level",
    "level_1",
    "locale",
    "login",
    "max_attempts",
    "mentees",
    "mentor",
    "minutes",
    "module",
    "name",
    "next",
    "nip",
    "note",
    "notes",
    "page",
    "pass_mark",
    "password",
    "password_confirm",
    "people",
    "q",
    "reason",
    "revision",
    "roles",
    "sort",
    "start",
    "starts_on",
    "status",
    "summary",
    "target",
    "title",
    "to",
    "topic",
    "unit",
    "unit_id",
    "year",
]

GARBAGE = {
    "nul and controls": "a\x00b\x1b[31m\r\n",
    "long": "ç" * 12_000,
    "numbers out of range": "-99999999999999999999999",
    "huge number": "99999999999999999999999",
    "just over 32 bits": "2147483648",
    "not a number or date": "NaN",
    "impossible date": "2026-02-30",
    "far past": "0001-01-01",
    "far future": "9999-12-31",
    "markup": "<script>alert(1)</script>{{7*7}}%(x)s",
    "list for a single value": ["1", "2"],
}


@pytest.fixture
def world(app, course):
    """One of everything a URL may name, id 1, owned or joined by the all-roles user."""
    from lms.assignments import services as assignments
    from lms.discussions import services as discussions
    from lms.mentoring import services as mentoring

    boss_id, boss_login = make_user(app, "learner", "trainer", "hr", "admin", name="Semua Peran")
    mentee_id, mentee_login = make_user(app, "learner", name="Mentee Uji")
    with app.app_context():
        boss = db.session.get(User, boss_id)
        code = published_course(course).code
        for user_id in (boss_id, mentee_id):
            learning.enrol(user_id, published_course(code))
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        programme = mentoring.create_programme(
            "Program Uji", "", today - timedelta(days=30), None, boss
        )
        db.session.flush()
        (pairing,) = mentoring.pair(
            programme, boss.login, mentee_login, today - timedelta(days=20), None, boss
        )
        mentoring.log_session(
            pairing, boss,
            mentoring.SessionInput(today - timedelta(days=1), time(9), 60, "Topik", "Catatan"),
            zone="Asia/Jakarta",
        )  # fmt: skip
        part = discussions.discussion_for(boss, code)
        discussions.ask(part, "Pertanyaan", "Isi pertanyaan", None, "form-key-1")
        assignments.create_assignment(
            published_course(code),
            assignments.Target(kind="people", user_ids=(mentee_id,)),
            due_on=today + timedelta(days=30), reason="Uji", competency_code=None,
            created_by=boss, today=today,
        )  # fmt: skip
        db.session.commit()
    return {"login": boss_login, "code": course}


def routes(app, code: str):
    args = {"code": code, "key": "modul-1", "attempt_id": 1, "user_id": 1, "fmt": "csv"}
    args["number"] = "2026-AAAA-BBBB-CCCC"
    args.update(token_id=1, requirement_id=1, import_id=1, kind="employees", version_number=1)
    args.update(name="bagan.png", programme_id=1, mentorship_id=1, session_id=1, assignment_id=1)
    args.update(thread_id=1, post_id=1, notification_id=1)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in ("static", "accounts.logout", "health.healthz"):
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.build({k: args[k] for k in rule.arguments})[1]


@pytest.mark.parametrize("label", list(GARBAGE))
def test_no_route_crashes_on_hostile_input(app, world, label):
    """Whatever is typed or sent, does every page answer with a message instead of a crash?"""
    value = GARBAGE[label]
    client = app.test_client()
    sign_in(client, world["login"])
    data = {name: value for name in FIELDS}
    # gunicorn refuses a request line over 4 KB before the portal sees it: query strings carry
    # each value cut to 50 characters (the long value still reaches every search box whole
    # in `q` below, up to that limit).
    query = {name: v[:50] if isinstance(v, str) else v for name, v in data.items()}
    query["q"] = value[:3000] if isinstance(value, str) else value
    crashed = []
    for method, url in routes(app, world["code"]):
        if method == "GET":
            response = client.get(url, query_string=query)
        else:
            response = client.open(url, method=method, data=data)
        response.close()
        if response.status_code >= 500:
            crashed.append(f"{method} {url} -> {response.status_code}")
    assert not crashed, "\n".join(crashed)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/courses/%00", None),
        ("GET", "/courses?q=wbs%00", None),
        ("POST", "/courses/TES-101/discussion", {"title": "Judul\x00", "body": "Isi"}),
    ],
)
def test_a_null_character_gets_a_message_not_a_database_error(app, world, method, url, data):
    """PostgreSQL cannot store a NUL in text: is it refused up front, with a reason?"""
    client = app.test_client()
    sign_in(client, world["login"])
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400
    assert "karakter null" in response.get_data(as_text=True)
