"""Who may use which route: a declared table checked against every route and every role.

A new route without an entry here fails the first test, so every route gets a decision.
"""

from __future__ import annotations

import pytest

from lms.access import ANONYMOUS, SIGNED_IN, decision_for
from lms.accounts.services import find_by_login
from lms.authoring.models import CourseAuthor
from lms.extensions import db
from tests.conftest import make_user, sign_in

ROLES = ("learner", "trainer", "hr", "admin")

# endpoint -> who may use it (admin may use every role's routes)
ROUTE_ACCESS: dict[str, set[str]] = {
    "accounts.home": {ANONYMOUS},
    "accounts.login": {ANONYMOUS},
    "accounts.set_language": {ANONYMOUS},
    "accounts.logout": {SIGNED_IN},
    "accounts.change_password": {SIGNED_IN},
    "admin.users": {"admin"},
    "admin.new_user": {"admin"},
    "admin.edit_user": {"admin"},
    "catalog.index": {SIGNED_IN},
    "catalog.course": {SIGNED_IN},
    "learning.dashboard": {SIGNED_IN},
    "learning.certificate": {SIGNED_IN},
    "learning.certificate_pdf": {SIGNED_IN},
    "learning.verify_certificate": {ANONYMOUS},
    "learning.enrol": {"learner"},
    "learning.module": {"learner"},
    "learning.mark_done": {"learner"},
    "quiz.overview": {"learner"},
    "quiz.start": {"learner"},
    "quiz.attempt": {"learner"},
    "quiz.result": {"learner"},
    "quiz.pretest": {"learner"},
    "quiz.start_pretest": {"learner"},
    "health.healthz": {ANONYMOUS},
    # Open at the access layer: the API has no sessions; its bearer token decides (see test_api).
    "api.completions": {ANONYMOUS},
    "api.openapi_json": {ANONYMOUS},
    "api_tokens.index": {"admin"},
    "api_tokens.new": {"admin"},
    "api_tokens.revoke": {"admin"},
    "reports.index": {"hr"},
    "reports.export": {"hr"},
    "reports.audit": {"admin"},
    "reports.employees": {"hr"},
    "reports.employee": {"hr"},
    "reports.most_active": {"hr"},
    "employees.import_file": {"hr"},
    "employees.preview": {"hr"},
    "employees.confirm": {"hr"},
    "employees.template": {"hr"},
    "catalog.course_file": {SIGNED_IN},
    # Competencies: anyone reads the dictionary and their own profile (/my/profile has no id to
    # change); HR keeps the dictionary and requirements and sees anyone's profile and the TNA.
    "competency.dictionary": {SIGNED_IN},
    "competency.my_profile": {SIGNED_IN},
    "competency.my_profile_json": {SIGNED_IN},
    **{
        f"competency.{name}": {"hr"}
        for name in [
            "new_competency",
            "edit_competency",
            "requirements",
            "delete_requirement",
            "import_file",
            "import_preview",
            "import_confirm",
            "import_template",
            "employee_profile",
            "employee_profile_json",
            "training_needs",
            "training_needs_export",
        ]
    },
    # Course evaluation: learners answer (only with a completion, else 404: see test_evaluation);
    # the trainer's page is checked per course like authoring; HR reads the anonymous summaries.
    "evaluation.evaluate": {"learner"},
    "evaluation.dismiss": {"learner"},
    "evaluation.course_summary": {"trainer"},
    "evaluation.report_index": {"hr"},
    "evaluation.report_course": {"hr"},
    # Discussions: signed in at the access layer, then one participation rule per course
    # (enrolled learners, the course's trainers, admins; others get 404, moderators' actions 403
    # for other participants): see test_discussions.test_outsiders_get_404_on_every_route.
    **{
        f"discussions.{name}": {SIGNED_IN}
        for name in [
            "index",
            "thread",
            "edit",
            "accept",
            "pin",
            "report",
            "hide",
            "unhide",
            "keep",
            "moderation",
        ]
    },
    # Notifications: each user reads only their own (another's id answers 404, see
    # test_notifications.test_someone_elses_notification_is_404).
    "notifications.index": {SIGNED_IN},
    "notifications.open_one": {SIGNED_IN},
    "notifications.read_all": {SIGNED_IN},
    # Authoring: trainers (and admins); which course a trainer may edit is checked per course
    # (see test_authoring), the world fixture makes the trainer an author of the sample course.
    **{
        f"authoring.{name}": {"trainer"}
        for name in [
            "index",
            "new_course",
            "import_zip",
            "live_preview",
            "course",
            "details",
            "add_module",
            "module",
            "move_module",
            "delete_module",
            "quiz",
            "pretest",
            "upload",
            "draft_file",
            "delete_file",
            "publish",
            "discard",
            "versions",
            "diff",
            "rollback",
            "export_draft",
            "export_version",
            "authors",
            "remove_author",
            "archive",
            "statistics_page",
        ]
    },
    # Mentoring: anyone signed in has "My mentoring"; a pairing's page and its POSTs are checked
    # per pairing (its mentor, its mentee, HR and admin; others 403: see test_mentoring's
    # test_outsiders_get_403_on_the_pairing_and_its_posts and test_hr_and_admin_see_the_pairing_*;
    # only the mentor suggests: test_suggestions_reach_the_mentee_only); HR runs programmes and
    # the activity report.
    "mentoring.index": {SIGNED_IN},
    "mentoring.pairing": {SIGNED_IN},
    "mentoring.log_session": {SIGNED_IN},
    "mentoring.edit_session": {SIGNED_IN},
    "mentoring.delete_session": {SIGNED_IN},
    "mentoring.confirm_session": {SIGNED_IN},
    "mentoring.decline_session": {SIGNED_IN},
    "mentoring.suggest": {SIGNED_IN},
    **{
        f"mentoring.{name}": {"hr"}
        for name in [
            "programmes",
            "new_programme",
            "edit_programme",
            "programme",
            "pair",
            "end_pairing",
            "activity",
            "activity_export",
        ]
    },
    # Assigned training: HR only (learners see theirs on the dashboard; see test_assignments).
    **{
        f"assignments.{name}": {"hr"}
        for name in ["index", "new", "detail", "edit", "cancel", "overdue", "overdue_export"]
    },
}


def endpoints(app):
    return sorted({r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"})


def test_every_route_has_a_declared_decision(app):
    """Does every route declare who may use it, matching this table?"""
    with app.test_request_context():
        for endpoint in endpoints(app):
            assert endpoint in ROUTE_ACCESS, f"{endpoint} is missing from ROUTE_ACCESS"
            assert decision_for(endpoint) == ROUTE_ACCESS[endpoint], endpoint
    assert set(ROUTE_ACCESS) == set(endpoints(app)), "ROUTE_ACCESS lists routes that do not exist"


def allowed(endpoint: str, role: str | None) -> bool:
    audiences = ROUTE_ACCESS[endpoint]
    if ANONYMOUS in audiences:
        return True
    if role is None:
        return False
    return SIGNED_IN in audiences or role == "admin" or role in audiences


@pytest.fixture
def world(app, course):
    users = {role: make_user(app, role, name=f"Pengguna {role}") for role in ROLES}
    with app.app_context():
        trainer = find_by_login(users["trainer"][1])
        db.session.add(CourseAuthor(course_id=1, user_id=trainer.id, is_owner=True))
        db.session.commit()
    return {"users": users, "course": course}


def sample_urls(app, world):
    args = {"code": world["course"], "key": "modul-1", "attempt_id": 1, "user_id": 1, "fmt": "csv"}
    args["number"] = "2026-AAAA-BBBB-CCCC"
    args["token_id"] = 1
    args["assignment_id"] = 1
    args["requirement_id"] = 1
    args["import_id"], args["kind"] = 1, "employees"
    args["version_number"], args["name"] = 1, "bagan.png"
    args["programme_id"] = args["mentorship_id"] = args["session_id"] = 1
    args["thread_id"] = args["post_id"] = args["notification_id"] = 1
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                values = {name: args[name] for name in rule.arguments}
                urls.append((rule.endpoint, method, rule.build(values)[1]))
    return urls


@pytest.mark.parametrize("role", [None, *ROLES])
def test_route_by_role(app, world, role):
    """For each role, is every route allowed or refused exactly as the table says?"""
    client = app.test_client()
    if role:
        sign_in(client, world["users"][role][1])
    for endpoint, method, url in sample_urls(app, world):
        if endpoint == "accounts.logout":
            continue  # would end the session the other checks need; tested in test_accounts
        response = client.open(url, method=method, data={})
        response.close()  # a streamed download holds its request context until closed
        refused_anonymous = response.status_code == 302 and "/login?next=" in response.location
        refused = response.status_code == 403 or refused_anonymous
        if allowed(endpoint, role):
            assert not refused, f"{role} refused at {method} {url} ({response.status_code})"
        else:
            assert refused, f"{role} allowed at {method} {url} ({response.status_code})"
