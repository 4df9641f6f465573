"""Sign-in throttling per account and per address, with one message that reveals nothing."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import PASSWORD, make_user

ALERT = 'role="alert"'


def attempt(client, login, password="salah-sekali-99", ip="10.1.1.1"):
    return client.post(
        "/login", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_an_account_is_locked_for_a_while_after_five_failures(app, client):
    """After five wrong passwords, is even the right one refused for a while, with a clear message?"""
    _, login = make_user(app, "learner")
    for _ in range(5):
        assert attempt(client, login).status_code == 400
    blocked = attempt(client, login, PASSWORD)
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    # Another account from the same office is not affected.
    _, colleague = make_user(app, "learner")
    assert attempt(client, colleague, PASSWORD).status_code == 302


def test_the_answer_does_not_reveal_whether_an_account_exists(app, client):
    """Is a locked existing account answered exactly like a locked unknown one?"""
    _, login = make_user(app, "learner")
    answers = {}
    for name in (login, "198001012005011999"):
        for _ in range(5):
            attempt(client, name)
        answers[name] = attempt(client, name)
    first, second = answers.values()
    assert first.status_code == second.status_code == 429

    def page(response):  # the CSRF token differs per request by design; nothing else may
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))

    assert page(first) == page(second)


def test_the_same_account_typed_differently_counts_together(app, client):
    """Do 'NIP with spaces' and the plain NIP share one counter?"""
    _, login = make_user(app, "learner")
    spaced = f"{login[:8]} {login[8:14]} {login[14]} {login[15:]}"
    for typed in (login, spaced, login, spaced, login):
        attempt(client, typed)
    assert attempt(client, spaced, PASSWORD).status_code == 429


def test_one_address_is_limited_across_accounts(app, client):
    """Does one address guessing many accounts get stopped?"""
    app.config["LMS_LOGIN_LIMIT_IP"] = "8 per 15 minutes"
    for i in range(8):
        attempt(client, f"pengguna{i}", ip="10.9.9.9")
    assert attempt(client, "pengguna-lain", ip="10.9.9.9").status_code == 429
    assert attempt(client, "pengguna-lain", ip="10.9.9.10").status_code == 400


def test_successful_sign_ins_do_not_count(app, client):
    _, login = make_user(app, "learner")
    for _ in range(8):
        assert attempt(client, login, PASSWORD).status_code == 302
        client.post("/logout")


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
        return True
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis not reachable at 127.0.0.1:6379")
def test_limits_are_kept_in_redis_when_configured(tmp_path):
    """With LMS_REDIS_URL, do the counters live in Redis, shared by every worker?"""
    import redis

    from lms import create_app
    from lms.extensions import db

    prefix = f"lms-test-{uuid.uuid4().hex[:8]}"
    config = {
        "TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "LMS_REQUEST_LOG": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": prefix,
    }  # fmt: skip
    app = create_app(config)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(5):
        attempt(client, "seseorang")
    assert attempt(client, "seseorang").status_code == 429
    server = redis.Redis(host="127.0.0.1", port=6379)
    keys = server.keys(f"*{prefix}*")
    assert keys, "no rate-limit counters in Redis"
    server.delete(*keys)
