"""What makes the portal feel finished: confirmation before destructive actions, a message after
every action, empty states that lead somewhere and page titles that say where you are."""

from __future__ import annotations

import re

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import correct_answers, course_quiz, flashes, make_user, sign_in


def _edit(client, user_id: int, **extra):
    data = {"name": "Budi Peserta", "roles": ["learner"], **extra}
    return client.post(f"/admin/users/{user_id}", data=data)


def test_disabling_an_account_asks_for_confirmation_first(app, client):
    """Does unticking "Account active" disable the account only after the admin confirms it?"""
    _, admin = make_user(app, "admin", login="admin")
    user_id, login = make_user(app, "learner", name="Budi Peserta")
    sign_in(client, admin)

    asked = _edit(client, user_id)  # "active" left unticked
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert (
        "Nonaktifkan akun Budi Peserta?" in page or "Disable the account of Budi Peserta?" in page
    )
    assert re.search(r'<input[^>]*name="confirm_disable"[^>]*required', page)
    with app.app_context():
        assert db.session.get(User, user_id).active  # nothing changed yet

    done = _edit(client, user_id, confirm_disable="y")
    assert done.status_code == 302
    with app.app_context():
        assert not db.session.get(User, user_id).active
    assert any(login in message for message in flashes(client.get("/admin/users")))


def test_other_edits_need_no_confirmation(app, client):
    """Is saving an active account (or enabling one) still a single step?"""
    _, admin = make_user(app, "admin", login="admin")
    user_id, _login = make_user(app, "learner", name="Budi Peserta")
    sign_in(client, admin)
    assert _edit(client, user_id, active="y", name="Budi P.").status_code == 302
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert _edit(client, user_id, active="y").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).active


def test_a_disabled_account_is_signed_out_at_once(app, client):
    """Can someone whose account was just disabled go on using a session opened before?"""
    user_id, login = make_user(app, "learner")
    sign_in(client, login)
    assert client.get("/my").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = client.get("/my")
    assert response.status_code == 302 and "/login" in response.location


def test_revoking_a_token_goes_through_a_confirmation_page(app, client):
    """Does the token list link to a confirmation page instead of revoking on one click?"""
    from lms.api.services import SCOPES, create_token

    _, admin = make_user(app, "admin", login="admin")
    with app.app_context():
        token, _secret = create_token("sistem-lain", list(SCOPES))
        db.session.commit()
        token_id = token.id
    sign_in(client, admin)
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert f'href="/admin/api-tokens/{token_id}/revoke"' in listing
    assert 'method="post" action="/admin/api-tokens' not in listing
    confirm = client.get(f"/admin/api-tokens/{token_id}/revoke").get_data(as_text=True)
    assert "tidak dapat dibatalkan" in confirm or "cannot be undone" in confirm


def test_learning_actions_say_what_happened(app, client, learner, course):
    """After marking a module done and submitting the quiz, does the learner get a message?"""
    client.get("/my")  # the welcome message is shown (and gone)
    client.post(f"/courses/{course}/enrol")
    client.get(f"/courses/{course}")
    done = client.post(f"/courses/{course}/modules/modul-1/done", follow_redirects=True)
    assert any("Modul 1" in message for message in flashes(done))

    attempt = client.post(f"/courses/{course}/quiz/start").location
    submitted = client.post(
        attempt, data=correct_answers(course_quiz(app, course), wrong=4), follow_redirects=True
    )
    assert len(flashes(submitted)) == 1


def test_an_empty_report_says_so_and_leads_back(app, client):
    """Does a report with nothing in it say so, with a link to clear the filter?"""
    _, login = make_user(app, "hr", "learner")
    sign_in(client, login)
    page = client.get("/reports?since=2001-01-01&until=2001-12-31").get_data(as_text=True)
    assert "Tidak ada penyelesaian yang sesuai dengan filter ini." in page
    assert '<a href="/reports">' in page
    unfiltered = client.get("/reports").get_data(as_text=True)
    assert '<a href="/courses">' in unfiltered.split('id="course-heading"')[1]
    employees = client.get("/reports/employees?status=reached").get_data(as_text=True)
    assert '<a href="/reports/employees">' in employees


def test_an_empty_user_search_leads_back_to_all_accounts(app, client):
    _, admin = make_user(app, "admin", login="admin")
    sign_in(client, admin)
    page = client.get("/admin/users?q=tidak-ada-orang-ini").get_data(as_text=True)
    assert '<a href="/admin/users">' in page


def test_every_page_has_a_title_saying_where_you_are(app, client, bundled):
    """Does every page a person can open have its own <title>, before the portal's name?"""
    _, login = make_user(app, "learner", "trainer", "hr", "admin")
    anonymous = {"login": client.get("/login").get_data(as_text=True)}
    sign_in(client, login)
    client.post("/courses/PP-101/enrol")
    pages = dict(anonymous)
    skip = ("static", "api.", "health.", "employees.template")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint.startswith(skip):
            continue
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[rule.rule] = response.get_data(as_text=True)
    for path in ("/courses/PP-101", "/courses/PP-101/modules/standar-pelayanan",
                 "/courses/PP-101/quiz", "/tidak-ada"):  # fmt: skip
        pages[path] = client.get(path).get_data(as_text=True)
    assert len(pages) >= 12, sorted(pages)
    titles = {}
    for path, page in pages.items():
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
        where, _, portal = title.rpartition(" · ")
        assert portal == "Portal Belajar ASN" and where.strip(), f"{path}: {title!r}"
        titles[path] = where
    assert len(set(titles.values())) == len(titles), titles
