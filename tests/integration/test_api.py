"""The completions API: bearer tokens, keyset paging safe under concurrent writes, audit, OpenAPI.

Completions are written straight through the ORM (as in test_reports) to make many of them fast.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.api import services as api
from lms.api.models import ApiToken
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion
from lms.reports.models import ExportLog
from tests.conftest import PASSWORD, import_course, make_user, sign_in, write_course

URL = "/api/v1/completions"
_serial = itertools.count(1)


@pytest.fixture
def world(app, tmp_path):
    """Courses AAA-1 and BBB-1; units KOTA > DINKES > P2P and KOTA > DPMPTSP."""
    import_course(app, write_course(tmp_path / "a", code="AAA-1"))
    import_course(app, write_course(tmp_path / "b", code="BBB-1"))
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        dinkes = accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("P2P", "Bidang P2P", dinkes)
        accounts.ensure_unit("DPMPTSP", "Dinas PTSP", kota)
        db.session.commit()
    return app


def new_learners(app, count: int, unit: str = "P2P") -> list[int]:
    """Learner accounts made directly (no password hashing), for many completions quickly."""
    with app.app_context():
        unit_obj = accounts.find_unit(unit)
        users = [
            User(username=f"peserta-{next(_serial)}", name="Peserta Uji", password_hash="-",
                 unit=unit_obj)
            for _ in range(count)
        ]  # fmt: skip
        db.session.add_all(users)
        db.session.commit()
        return [u.id for u in users]


def completion_values(course_id: int, version_id: int, user_id: int, when: datetime) -> dict:
    return dict(
        user_id=user_id, course_id=course_id, course_version_id=version_id, score=80.0, jp=2.0,
        enrolled_at=when, completed_at=when, certificate_no=f"2026-TEST-{next(_serial):06d}",
    )  # fmt: skip


def add_completions(app, user_ids, course: str = "AAA-1", when: datetime | None = None):
    """One committed completion of `course` per user; returns their ids in insertion order."""
    when = when or datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    with app.app_context():
        c = published_course(course)
        rows = [
            Completion(**completion_values(c.id, c.current_version_id, u, when)) for u in user_ids
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def new_token(app, name: str = "competency-profile", scopes=(api.COMPLETIONS_READ,)) -> str:
    with app.app_context():
        _, secret = api.create_token(name, scopes)
        db.session.commit()
        return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def poll(client, secret: str, **params):
    response = client.get(URL, query_string=params, headers=bearer(secret))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def page_through(client, secret: str, **params) -> list[int]:
    """Follow next_cursor until has_more is false; the completion ids in the order received."""
    seen, cursor = [], None
    while True:
        body = poll(client, secret, **params, **({"cursor": cursor} if cursor else {}))
        seen += [item["completion_id"] for item in body["data"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen


def audit_rows(app) -> list[ExportLog]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ExportLog).order_by(ExportLog.id)))


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer lms_not-a-real-token", "bearer a b"],
    ids=["missing", "empty", "basic", "no-token", "wrong", "two-words"],
)
def test_missing_malformed_or_wrong_tokens_get_a_json_401(app, client, world, header):
    """Is a call without a valid bearer token refused with a JSON 401 and a Bearer challenge?"""
    new_token(app)
    headers = {} if header is None else {"Authorization": header}
    response = client.get(URL, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized" and response.get_json()["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert audit_rows(app) == []


def test_a_revoked_token_is_refused_from_its_next_call(app, client, world, runner):
    """Once revoked (here from the shell), does the token stop working at once?"""
    secret = new_token(app)
    assert client.get(URL, headers=bearer(secret)).status_code == 200
    result = runner.invoke(args=["lms", "revoke-api-token", "--name", "competency-profile"])
    assert result.exit_code == 0, result.output
    response = client.get(URL, headers=bearer(secret))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["error"] == "unauthorized"


def test_a_token_without_the_scope_gets_403(app, client, world):
    """Can a token granted something else read completions?"""
    with app.app_context():
        secret = "lms_other-scope-secret"
        db.session.add(
            ApiToken(name="other", scopes="profiles:read", token_hash=api.hash_secret(secret),
                     prefix=secret[:12])
        )  # fmt: skip
        db.session.commit()
    response = client.get(URL, headers=bearer(secret))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]


def test_the_token_is_stored_hashed_and_shown_once(app, runner, client, world):
    """Is the plaintext printed once by the shell and absent from the database, hash and all?"""
    result = runner.invoke(
        args=["lms", "create-api-token", "--name", "sipk", "--scope", "completions:read"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("lms_") and len(secret) > 40
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.prefix == secret[:12] and token.scopes == "completions:read"
        stored = db.session.execute(sa.select(ApiToken.__table__)).one()
        assert not any(secret in str(value) for value in stored)
    assert client.get(URL, headers=bearer(secret)).status_code == 200
    again = runner.invoke(args=["lms", "create-api-token", "--name", "sipk", "--scope",
                                "completions:read"])  # fmt: skip
    assert again.exit_code != 0 and "revoke it first" in again.output


# --- paging ---------------------------------------------------------------------------------------


def test_paging_returns_each_completion_exactly_once_in_id_order(app, client, world):
    """Does paging 250 completions 100 at a time give each once, in id order, then stop?"""
    ids = add_completions(app, new_learners(app, 250))
    secret = new_token(app)
    first = poll(client, secret, limit=100)
    assert len(first["data"]) == 100 and first["has_more"] is True
    seen = page_through(client, secret, limit=100)
    assert seen == sorted(ids)
    assert len(audit_rows(app)) == 1 + 3  # 100 + 100 + 50
    # The last cursor is a bookmark: later polls from it give only what is new.
    body = poll(client, secret, limit=100)
    cursor = body["next_cursor"]
    for _ in range(3):
        body = poll(client, secret, cursor=cursor, limit=100)
        cursor = body["next_cursor"]
    assert body["data"] == [] and body["has_more"] is False
    newer = add_completions(app, new_learners(app, 2))
    body = poll(client, secret, cursor=cursor)
    assert [item["completion_id"] for item in body["data"]] == newer


def test_items_have_the_json_export_fields_and_no_secrets(app, client, world):
    """Does an item carry the JSON export's fields plus its id, and never a hash or token?"""
    [user_id] = new_learners(app, 1)
    add_completions(app, [user_id])
    secret = new_token(app)
    response = client.get(URL, headers=bearer(secret))
    item = response.get_json()["data"][0]
    assert item["unit_code"] == "P2P" and item["course_code"] == "AAA-1" and item["jp"] == 2.0
    assert item["completed_at"] == "2026-03-01T10:00:00+07:00"  # the portal's zone, WIB
    assert item["competency_codes"] == ["M1"] and isinstance(item["completion_id"], int)
    body = response.get_data(as_text=True)
    assert secret not in body and "password" not in body and "pbkdf2" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_since_and_unit_filters(app, client, world):
    """Do `since` (a local day) and `unit` (with its sub-units) narrow the feed exactly?"""
    p2p, dinkes, ptsp = (new_learners(app, 2, unit) for unit in ("P2P", "DINKES", "DPMPTSP"))
    old = add_completions(app, p2p[:1] + ptsp[:1], when=datetime(2025, 6, 1, tzinfo=UTC))
    # 31 Dec 2025 18:30 UTC is already 1 January 2026 in WIB.
    new_year = add_completions(app, dinkes[:1], when=datetime(2025, 12, 31, 18, 30, tzinfo=UTC))
    recent = add_completions(app, p2p[1:] + dinkes[1:] + ptsp[1:])
    secret = new_token(app)
    assert page_through(client, secret, since="2026-01-01") == sorted(new_year + recent)
    assert page_through(client, secret, unit="DINKES") == sorted(
        [old[0], *new_year, recent[0], recent[1]]
    )
    assert page_through(client, secret, unit="DPMPTSP", since="2026-01-01") == [recent[2]]
    assert len(page_through(client, secret, unit="KOTA", limit=1)) == 6
    log = audit_rows(app)[0]
    assert log.filters == {"after_id": 0, "since": "2026-01-01", "limit": 100}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"since": "01-01-2026"}, "since"),
        ({"since": "20260101"}, "since"),
        ({"since": "0001-01-01"}, "since"),
        ({"since": "9999-12-31"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"unit": "NOWHERE"}, "unit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sinse": "2026-01-01"}, "sinse"),
    ],
)
def test_bad_parameters_get_a_json_400(app, client, world, params, parameter):
    """Is a bad date, limit, unit, cursor or misspelt parameter refused rather than guessed?"""
    secret = new_token(app)
    response = client.get(URL, query_string=params, headers=bearer(secret))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and body["parameter"] == parameter and body["message"]
    assert audit_rows(app) == []


def test_a_tampered_or_moved_cursor_is_refused(app, client, world):
    """Can a client edit a cursor, or reuse it with other filters, to skip or repeat records?"""
    add_completions(app, new_learners(app, 3))
    secret = new_token(app)
    cursor = poll(client, secret, limit=1, since="2026-01-01")["next_cursor"]
    payload, _, signature = cursor.rpartition(".")
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature
    for params in (
        {"cursor": forged},
        {"cursor": cursor + "x"},
        {"cursor": cursor, "since": "2025-01-01"},
        {"cursor": cursor, "unit": "DINKES"},
    ):
        response = client.get(URL, query_string=params, headers=bearer(secret))
        assert response.status_code == 400, params
        assert response.get_json()["error"] == "bad_request"
    # Repeating the cursor's own filter is fine.
    assert poll(client, secret, cursor=cursor, since="2026-01-01")["data"]


# --- polling while completions are written --------------------------------------------------------


def test_a_poller_sees_every_completion_once_while_others_are_written(app, client, world):
    """Polling while another thread writes, and with writes between pages: any record lost
    or delivered twice, including one written with an earlier completion time?"""
    secret = new_token(app)
    add_completions(app, new_learners(app, 30))
    writer_users = new_learners(app, 60)
    errors: list[BaseException] = []

    def write():
        try:
            for n, user_id in enumerate(writer_users):
                add_completions(app, [user_id], course="BBB-1" if n % 2 else "AAA-1")
                time.sleep(0.002)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    writer = threading.Thread(target=write)
    seen: list[int] = []
    cursor = None
    writer.start()
    try:
        for page in itertools.count():
            body = poll(client, secret, limit=7, **({"cursor": cursor} if cursor else {}))
            seen += [item["completion_id"] for item in body["data"]]
            cursor = body["next_cursor"]
            if page == 2:
                # Written in the middle of paging, completed (by its time) before everything else.
                add_completions(app, new_learners(app, 1), when=datetime(2020, 1, 1, tzinfo=UTC))
            if not writer.is_alive() and not body["has_more"]:
                break
    finally:
        writer.join()
    assert not errors, errors
    body = poll(client, secret, cursor=cursor)
    seen += [item["completion_id"] for item in body["data"]]
    with app.app_context():
        every = list(db.session.scalars(sa.select(Completion.id).order_by(Completion.id)))
    assert len(every) == 30 + 60 + 1
    assert len(seen) == len(set(seen)), "a completion was delivered twice"
    assert seen == every, "a completion was missed or delivered out of order"


def test_a_slower_transaction_with_a_lower_id_is_not_skipped(app, client, world):
    """If a lower id commits after a higher one, does the poller still get both, in order?

    PostgreSQL hands out ids at INSERT, before COMMIT; SQLite has one writer at a time, so this
    interleaving cannot happen there.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite writes one transaction at a time: ids always commit in order")
        engine = db.engine
    slow_user, quick_user = new_learners(app, 2)
    secret = new_token(app)
    with app.app_context():
        c = published_course("AAA-1")
        course_id, version_id = c.id, c.current_version_id
    table = Completion.__table__
    now = datetime.now(UTC)
    slow = engine.connect()
    try:
        with slow.begin():
            low_id = slow.execute(
                table.insert().returning(table.c.id),
                completion_values(course_id, version_id, slow_user, now),
            ).scalar_one()
            with engine.begin() as quick:
                high_id = quick.execute(
                    table.insert().returning(table.c.id),
                    completion_values(course_id, version_id, quick_user, now),
                ).scalar_one()
            assert low_id < high_id  # committed: high_id; still in flight: low_id
            result: dict = {}
            poller = threading.Thread(target=lambda: result.update(poll(client, secret)))
            poller.start()
            time.sleep(0.5)  # the poll runs while the lower id is still uncommitted
        # leaving the block commits the slow transaction
        poller.join(timeout=15)
    finally:
        slow.close()  # also rolls back after a failure, so the teardown is not blocked
    seen = [item["completion_id"] for item in result["data"]]
    seen += [
        item["completion_id"] for item in poll(client, secret, cursor=result["next_cursor"])["data"]
    ]
    assert seen == [low_id, high_id]


# --- audit ----------------------------------------------------------------------------------------


def test_every_call_is_audited_and_marks_the_token_used(app, client, world):
    """Is each read logged (channel api, token name, filters, cursor position, rows) and the
    token's last use recorded, both committed although the call is a GET?"""
    ids = add_completions(app, new_learners(app, 5, "DINKES"))
    secret = new_token(app)
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None
    body = poll(client, secret, limit=3, unit="DINKES")
    poll(client, secret, cursor=body["next_cursor"], limit=3)
    first, second = audit_rows(app)
    assert (first.channel, first.export_format, first.actor) == (
        "api",
        "json",
        "competency-profile",
    )
    assert first.filters == {"after_id": 0, "unit": "DINKES", "limit": 3} and first.row_count == 3
    assert second.filters == {"after_id": ids[2], "unit": "DINKES", "limit": 3}
    assert second.row_count == 2 and second.user_id is None
    with app.app_context():
        used = db.session.scalar(sa.select(ApiToken.last_used_at))
    assert used is not None and (datetime.now(UTC) - used).total_seconds() < 60


# --- administration -------------------------------------------------------------------------------


def test_admin_creates_sees_and_revokes_tokens(app, world):
    """Can an admin create a token (shown once), list it without its secret, and revoke it?"""
    admin = app.test_client()
    _, login = make_user(app, "admin", login="admin")
    sign_in(admin, login)
    page = admin.post("/admin/api-tokens/new", data={"name": "sipk", "scopes": "completions:read"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token.created_by.login == "admin"
    secret = re.search(r'id="secret"[^>]* value="(lms_[^"]+)"', html).group(1)
    assert api.hash_secret(secret) == token.token_hash
    listing = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "sipk" in listing and token.prefix in listing and secret not in listing
    api_client = app.test_client()
    assert api_client.get(URL, headers=bearer(secret)).status_code == 200
    listing = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "Never" not in listing and "Belum pernah" not in listing  # last use is shown
    confirm = admin.get(f"/admin/api-tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and "sipk" in confirm.get_data(as_text=True)
    assert admin.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    assert api_client.get(URL, headers=bearer(secret)).status_code == 401


def test_revoking_needs_the_form_token_but_the_api_needs_none(csrf_app, world):
    """With CSRF on, is a forged revocation refused, while API calls (no cookies) still work?"""
    secret = new_token(csrf_app)
    with csrf_app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    admin = csrf_app.test_client()
    _, login = make_user(csrf_app, "admin", login="admin")
    form = admin.get("/login").get_data(as_text=True)
    csrf_token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = admin.post(
        "/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf_token}
    )
    assert response.status_code == 302
    assert admin.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 400
    assert csrf_app.test_client().get(URL, headers=bearer(secret)).status_code == 200


# --- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_document_describes_the_endpoint(app, client, world):
    """Is the OpenAPI 3 document public and well formed, and does it list exactly the
    parameters the endpoint accepts and the fields it returns?"""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.0.") and doc["info"]["title"] and doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer",
    }  # fmt: skip
    operation = doc["paths"]["/completions"]["get"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        name = ref.removeprefix("#/components/schemas/")
        assert ref.startswith("#/components/schemas/") and name in schemas, ref
    assert set(schemas["CompletionPage"]["required"]) == {"data", "next_cursor", "has_more"}

    add_completions(app, new_learners(app, 2, "DINKES"))
    secret = new_token(app)
    first = poll(client, secret, limit=1)
    assert set(first) == set(schemas["CompletionPage"]["properties"])
    assert set(first["data"][0]) == set(schemas["Completion"]["properties"])
    examples = {"cursor": first["next_cursor"]}
    for parameter in operation["parameters"]:
        assert parameter["in"] == "query"
        schema = parameter["schema"]
        value = examples.get(parameter["name"], schema.get("example", schema.get("default")))
        response = client.get(URL, query_string={parameter["name"]: value}, headers=bearer(secret))
        assert response.status_code == 200, (parameter["name"], response.get_json())


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
