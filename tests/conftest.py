"""Shared fixtures: an app with a fresh database per test, a client, factories and sign-in helpers.

SQLite: a new database file per test. PostgreSQL (LMS_TEST_DATABASE_URL): the schema is created
once per run and every table is emptied after each test.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug import security

from lms import create_app
from lms.extensions import db

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses"

# Hashing at the production cost makes every sign-in in the suite take 0.1 s; tests use a cheap one.
_real_generate = security.generate_password_hash


def _fast_hash(password: str, method: str = "pbkdf2:sha256:1000", salt_length: int = 16) -> str:
    return _real_generate(password, method="pbkdf2:sha256:1000", salt_length=8)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    import lms.accounts.models as models

    models.generate_password_hash = _fast_hash
    yield
    models.generate_password_hash = _real_generate


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: not usable here
        return str(exc).splitlines()[0]


def pytest_collection_modifyitems(config, items):
    if not PG_URL:
        return
    problem = _postgres_reachable(PG_URL)
    if problem is None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI: PostgreSQL at {PG_URL} is not reachable: {problem}")
    skip = pytest.mark.skip(reason=f"PostgreSQL not reachable at {PG_URL} ({problem})")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_schema():
    """A database of this run's own next to LMS_TEST_DATABASE_URL's, dropped at the end.

    Two runs at once (two developers, or CI and a developer on one server) would otherwise
    truncate each other's tables in the middle of a test.
    """
    if not PG_URL:
        yield None
        return
    name = f"lms_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(tmp_path, pg_schema):
    uri = pg_schema or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": uri,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "portal.test",
            "LMS_CATALOG_TTL": 0,
            "LMS_REQUEST_LOG": False,
            "LMS_FILES_DIR": str(tmp_path / "course-files"),
        }
    )
    with app.app_context():
        if not pg_schema:
            db.create_all()
        from lms.competency.services import seed_shipped

        seed_shipped()  # what the migration ships: the competency dictionary
        db.session.commit()
    from lms.extensions import limiter

    limiter.reset()  # the limiter's memory storage outlives each test's app
    yield app
    with app.app_context():
        db.session.remove()
        if pg_schema:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# --- factories -------------------------------------------------------------------------------

PASSWORD = "rahasia-sekali-2026"
_nip_counter = itertools.count()


def next_nip() -> str:
    """A valid, unused PNS NIP: 999 sequence numbers per birth day, then the next day."""
    n = next(_nip_counter)
    day = (25 + n // 999) % 28 + 1  # 26 first, as before; then 27, 28, 1, 2, ...
    return f"198609{day:02d}201505{1}{n % 999 + 1:03d}"


def make_user(app, *roles: str, login: str | None = None, name: str = "Pegawai Uji", unit=None):
    from lms.accounts import services

    with app.app_context():
        user = services.create_user(
            login=login or next_nip(),
            name=name,
            password=PASSWORD,
            roles=list(roles or ("learner",)),
            unit=services.find_unit(unit) if unit else None,
        )
        db.session.commit()
        return user.id, user.login


def sign_in(client, login: str, password: str = PASSWORD):
    response = client.post("/login", data={"login": login, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def write_course(
    folder: Path,
    code: str = "TES-101",
    modules: int = 2,
    quiz: str | None = None,
    pass_mark: int = 60,
    max_attempts: int = 2,
    extra_meta: str = "",
) -> Path:
    """Write a small valid course package; tests change pieces of it to make it invalid."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = [
        f"code: {code}",
        f"title: Kursus Uji {code}",
        "summary: Kursus kecil untuk pengujian.",
        "category: pengembangan-diri",
        "jp: 2",
        "competencies:",
        "  - code: M1",
        "    level: 2",
        f"pass_mark: {pass_mark}",
        f"max_attempts: {max_attempts}",
    ]
    if extra_meta:
        meta.append(extra_meta)
    intro = "# Pengantar\n\nMulai dari [modul pertama](01-modul-1.md).\n"
    (folder / "course.md").write_text("---\n" + "\n".join(meta) + "\n---\n\n" + intro)
    for i in range(1, modules + 1):
        (folder / f"{i:02d}-modul-{i}.md").write_text(
            f"---\ntitle: Modul {i}\nminutes: 10\n---\n\n## Bagian {i}\n\nIsi modul {i}.\n"
        )
    (folder / "quiz.md").write_text(quiz if quiz is not None else DEFAULT_QUIZ)
    return folder


DEFAULT_QUIZ = """\
---
title: Kuis Uji
---

## Ibu kota Indonesia saat ini?

- [x] Jakarta
- [ ] Bandung

> Jakarta masih ibu kota.

## Pilih bilangan genap

- [x] Dua
- [x] Empat
- [ ] Tiga

## Matahari terbit di timur.

type: true-false
answer: benar

## Berapa 1,5 + 1?

type: short
answer: 2,5
tolerance: 0.01
"""


def import_course(app, folder: Path):
    from lms.catalog.services import import_path

    with app.app_context():
        outcomes = import_path(folder)
        db.session.commit()
        return outcomes


def course_quiz(app, code: str) -> dict:
    from lms.catalog.services import published_course

    with app.app_context():
        return published_course(code).current_version.quiz


def correct_answers(quiz: dict, wrong: int = 0) -> dict[str, list[str]]:
    """Form data answering every question; the first `wrong` questions answered wrongly."""
    form: dict[str, list[str]] = {}
    for i, q in enumerate(quiz["questions"]):
        bad = i < wrong
        if q["kind"] in ("single", "multiple"):
            pick = [o["id"] for o in q["options"] if o["correct"] != bad]
            form[q["key"]] = pick[:1] if q["kind"] == "single" else pick
        elif q["kind"] == "true-false":
            form[q["key"]] = ["true" if q["answer"] != bad else "false"]
        else:
            form[q["key"]] = ["jawaban salah sekali" if bad else q["answers"][0]]
    return form


def flashes(response) -> list[str]:
    return re.findall(r'class="flash[^"]*">([^<]*)<', response.get_data(as_text=True))


@pytest.fixture
def course(app, tmp_path):
    """A small imported course TES-101 with two modules and a four-question quiz."""
    import_course(app, write_course(tmp_path / "tes"))
    return "TES-101"


@pytest.fixture
def learner(app, client):
    user_id, login = make_user(app, "learner", name="Budi Peserta")
    sign_in(client, login)
    return user_id


@pytest.fixture(scope="session")
def bundled_packages():
    """The bundled courses, parsed once per run (rendering them is the slow part)."""
    from lms.content.package import read_packages

    packages, problems = read_packages(COURSES)
    assert not problems
    return packages


@pytest.fixture
def bundled(app, bundled_packages):
    """Import the bundled courses into this test's database; returns their codes."""
    from lms.catalog.services import import_package

    with app.app_context():
        codes = [import_package(p).code for p in bundled_packages]
        db.session.commit()
    return codes
