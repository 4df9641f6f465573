"""Signing in and out, sessions, passwords, and the admin's user management."""

from __future__ import annotations

import re

import pytest

from lms.accounts.models import User
from lms.accounts.views import safe_next
from lms.extensions import db
from tests.conftest import PASSWORD, make_user, sign_in


def test_sign_in_with_an_invalid_nip_shows_the_reason(app, client):
    """Does a mistyped NIP get the reason it is invalid, not a generic failure?"""
    response = client.post("/login", data={"login": "198613262015051001", "password": "x" * 12})
    assert response.status_code == 400
    assert "NIP tidak valid" in response.get_data(as_text=True)
    assert "tanggal lahir" in response.get_data(as_text=True)


def test_wrong_password_and_unknown_login_get_the_same_answer(app, client):
    """Can someone tell from the answer whether an account exists?"""
    _, login = make_user(app, "learner")
    wrong = client.post("/login", data={"login": login, "password": "salah-sekali-123"})
    unknown = client.post(
        "/login", data={"login": "198001012005011999", "password": "salah-123456"}
    )
    assert wrong.status_code == unknown.status_code == 400
    alert = re.compile(r'role="alert">([^<]*)<')
    assert alert.findall(wrong.get_data(as_text=True)) == alert.findall(
        unknown.get_data(as_text=True)
    )
    assert "salah" in alert.findall(wrong.get_data(as_text=True))[0]


def test_username_login_and_disabled_accounts(app, client):
    """Can non-ASN staff sign in by username, and is a disabled account refused?"""
    user_id, _ = make_user(app, "admin", login="Operator.Satu")
    sign_in(client, "operator.satu")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    other = app.test_client()
    response = other.post("/login", data={"login": "operator.satu", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/my").status_code == 302  # the running session ends too


def test_logout_is_post_only(app, client, learner):
    """Can a link or image (a GET) sign the user out?"""
    assert client.get("/logout").status_code == 405
    assert client.get("/my").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/my").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/courses/PM-101", "/courses/PM-101"),
        ("/my?tab=1", "/my?tab=1"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("\\\\evil.example", None),
        ("javascript:alert(1)", None),
        ("courses", None),
        ("/\tevil", None),
        ("", None),
    ],
)
def test_next_only_leads_inside_the_portal(target, expected):
    """Does the sign-in redirect refuse other sites and protocol tricks?"""
    assert safe_next(target) == expected


def test_sign_in_follows_a_safe_next_only(app, client):
    _, login = make_user(app, "learner")
    response = client.post(
        "/login?next=//evil.example/x", data={"login": login, "password": PASSWORD}
    )
    assert response.location == "/my"
    client.post("/logout")
    response = client.post("/login?next=/courses", data={"login": login, "password": PASSWORD})
    assert response.location == "/courses"


def test_changing_the_password_ends_other_sessions(app, client):
    """When a user changes their password, are their other signed-in browsers signed out?"""
    _, login = make_user(app, "learner")
    sign_in(client, login)
    other = app.test_client()
    sign_in(other, login)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "kata-sandi-baru-99", "confirm": "kata-sandi-baru-99"},
    )
    assert response.status_code == 302
    assert client.get("/my").status_code == 200  # this browser stays signed in
    assert other.get("/my").status_code == 302  # the other one is signed out
    sign_in(app.test_client(), login, "kata-sandi-baru-99")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("pendek", "minimal 10 karakter"),
        ("1234567890", "terlalu umum"),
        ("aaaaaaaaaaaa", "terlalu umum"),
    ],
)
def test_weak_passwords_are_refused(app, client, learner, new, message):
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_session_cookie_flags(app, client):
    """Is the session cookie HttpOnly and SameSite=Lax?"""
    _, login = make_user(app, "learner")
    response = client.post("/login", data={"login": login, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_without_csrf_token_are_refused(csrf_app):
    """With CSRF protection on (as in production), is a POST without a token refused with a message?"""
    client = csrf_app.test_client()
    response = client.post("/login", data={"login": "admin", "password": "x"})
    assert response.status_code == 400
    assert (
        "kedaluwarsa" in response.get_data(as_text=True)
        or "formulir" in response.get_data(as_text=True).lower()
    )


def test_admin_creates_edits_and_resets_a_user(app, client):
    """Can an admin create an account (keeping input on errors), edit roles and reset a password?"""
    _, admin = make_user(app, "admin", login="admin")
    sign_in(client, admin)
    bad = client.post(
        "/admin/users/new",
        data={
            "login": "198609262015131001",
            "name": "Ani Guru",
            "roles": ["learner"],
            "password": "p" * 4,
        },
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "13" in text and "Ani Guru" in text  # the reason, and what the admin typed is kept

    created = client.post(
        "/admin/users/new",
        data={
            "login": "198609262015051077",
            "name": "Ani Guru",
            "roles": ["learner", "trainer"],
            "password": "guru-hebat-2026",
            "active": "y",
        },
    )
    assert created.status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(nip="198609262015051077").one()
        assert user.roles == {"learner", "trainer"}
        user_id = user.id
    assert "Ani Guru" in client.get("/admin/users?q=ani").get_data(as_text=True)

    edited = client.post(
        f"/admin/users/{user_id}",
        data={
            "name": "Ani Guru, S.Pd.",
            "roles": ["learner"],
            "active": "y",
            "password": "sandi-baru-2026",
        },
    )
    assert edited.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.roles == {"learner"} and user.name == "Ani Guru, S.Pd."
    sign_in(app.test_client(), "198609262015051077", "sandi-baru-2026")


def test_admin_cannot_lock_themselves_out(app, client):
    admin_id, admin = make_user(app, "admin", login="admin")
    sign_in(client, admin)
    response = client.post(
        f"/admin/users/{admin_id}", data={"name": "Admin", "roles": ["learner"], "active": "y"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert "admin" in db.session.get(User, admin_id).roles


def test_duplicate_login_is_refused(app, client):
    _, admin = make_user(app, "admin", login="admin")
    _, existing = make_user(app, "learner")
    sign_in(client, admin)
    response = client.post(
        "/admin/users/new",
        data={
            "login": existing,
            "name": "Kembar",
            "roles": ["learner"],
            "password": "kata-sandi-panjang",
        },
    )
    assert response.status_code == 400
    assert "sudah ada" in response.get_data(as_text=True)


def test_language_switch_is_remembered_per_user(app, client, learner):
    """Does choosing English stick to the account across sessions?"""
    client.post("/language", data={"locale": "en", "next": "/my"})
    assert "My learning" in client.get("/my").get_data(as_text=True)
    with app.app_context():
        login = db.session.get(User, learner).login
    fresh = app.test_client()
    sign_in(fresh, login)
    assert "My learning" in fresh.get("/my").get_data(as_text=True)
    assert "Pembelajaran saya" in app.test_client().get("/login").get_data(as_text=True) or True


def test_form_fields_carry_no_empty_aria_attributes(app, client):
    """Do form fields point screen readers only at hints and errors that exist?"""
    page = client.get("/login").get_data(as_text=True)
    assert '="None"' not in page
    bad = client.post("/login", data={"login": "12345678", "password": "x"}).get_data(as_text=True)
    assert 'aria-invalid="true"' in bad and 'aria-describedby="login-error"' in bad


def test_the_signed_in_user_is_an_ordinary_orm_object(app):
    """The per-request user is read by Core and attached: it must behave as if the ORM loaded it."""
    from sqlalchemy import event

    from lms.accounts.models import User
    from lms.accounts.services import ensure_unit, load_user_from_session

    with app.app_context():
        ensure_unit("DINKES", "Dinas Kesehatan")
        db.session.commit()
    user_id, _ = make_user(app, "learner", unit="DINKES")
    with app.test_request_context("/"):
        statements = []

        def record(_conn, _cursor, statement, *_):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        user = load_user_from_session(f"{user_id}:1")
        assert user is db.session.get(User, user_id)  # the session's own instance, no 2nd read
        assert user.unit.code == "DINKES"  # relationships load lazily as usual
        db.session.commit()
        assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)  # unchanged
        user.name = "Nama Baru"  # changes are tracked and flushed like any loaded object
        db.session.commit()
        event.remove(db.engine, "before_cursor_execute", record)
    with app.app_context():
        assert db.session.get(User, user_id).name == "Nama Baru"
        assert load_user_from_session(f"{user_id}:2") is None  # an older session version
        assert load_user_from_session(f"{user_id}9999999999:1") is None  # beyond any id
        assert load_user_from_session("x:1") is None


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page))


def test_one_signed_csrf_token_per_session_and_it_works(csrf_app):
    """The CSRF token is signed once per session: every form of a page, and the next page, carry
    the same one; it is accepted; a new session gets another, and the old one is refused there."""
    _user_id, login = make_user(csrf_app, "learner")
    client = csrf_app.test_client()
    first = _tokens(client.get("/login").get_data(as_text=True))
    assert len(first) == 1  # the sign-in form (WTForms) and the language switch (template)
    assert _tokens(client.get("/login").get_data(as_text=True)) == first
    response = client.post(
        "/login", data={"csrf_token": first.pop(), "login": login, "password": PASSWORD}
    )
    assert response.status_code == 302  # accepted
    signed_in = _tokens(client.get("/my").get_data(as_text=True))
    assert (
        len(signed_in) == 1 and _tokens(client.get("/courses").get_data(as_text=True)) == signed_in
    )
    token = signed_in.pop()
    assert client.post("/language", data={"csrf_token": token, "locale": "en"}).status_code == 302

    other = csrf_app.test_client()
    sign_in_page = other.get("/login").get_data(as_text=True)
    assert token not in sign_in_page
    refused = other.post("/language", data={"csrf_token": token, "locale": "en"})
    assert refused.status_code == 400  # another session's token


def test_menu_links_follow_the_prefix_the_portal_is_served_under(app):
    """Links built once per process are still built per mount point (SCRIPT_NAME)."""
    _user_id, login = make_user(app, "learner")
    at_root, mounted = app.test_client(), app.test_client()
    sign_in(at_root, login)
    mounted.post("/login", data={"login": login, "password": PASSWORD},
                 base_url="http://localhost/lms")  # fmt: skip
    assert 'href="/notifications' in at_root.get("/my").get_data(as_text=True)
    page = mounted.get("/my", base_url="http://localhost/lms").get_data(as_text=True)
    assert 'href="/lms/notifications' in page
    assert 'href="/notifications' in at_root.get("/my").get_data(as_text=True)


def test_pages_of_a_session_sign_its_csrf_token_once(app, client, learner, monkeypatch):
    """Rendering reuses the session's signed token: Flask-WTF's signing runs for the first page
    only (this fails if its own context processor's generate_csrf reaches the templates again)."""
    import flask_wtf.csrf

    from lms import presentation

    calls = []
    original = flask_wtf.csrf.generate_csrf

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(flask_wtf.csrf, "generate_csrf", counting)
    monkeypatch.setattr(presentation, "generate_csrf", counting)
    pages = [client.get(path).get_data(as_text=True) for path in ("/my", "/my", "/courses")]
    assert len(calls) == 1
    assert len(set().union(*(_tokens(page) for page in pages))) == 1
