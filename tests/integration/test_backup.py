"""`flask lms backup` and `flask lms restore`: round trips, refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from werkzeug.datastructures import MultiDict

from lms.backup import BackupError, backup_database, libpq_url, row_counts
from lms.extensions import db
from lms.learning.models import Completion
from tests.conftest import ROOT, correct_answers, course_quiz, make_user


def migrations_head() -> str:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


HEAD = migrations_head()


def dialect_of(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def portal(app):
    """The test database as `flask db upgrade` leaves it: with alembic_version at the head.

    The tests' schema comes from create_all, so the version table is written here; on the shared
    PostgreSQL database it is dropped again afterwards.
    """
    if dialect_of(app) == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not on PATH: install postgresql-client to test PostgreSQL backups")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": HEAD})
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


def snapshot(app) -> tuple[dict[str, int], list[tuple]]:
    """Rows per table, and every completion as (user, course, certificate number, score)."""
    with app.app_context():
        with db.engine.connect() as conn:
            counts = row_counts(conn)
        completions = sorted(
            (c.user_id, c.course.code, c.certificate_no, c.score)
            for c in db.session.query(Completion)
        )
        db.session.remove()
    return counts, completions


def execute(app, sql: str, **params) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql), params)
        db.session.remove()


def release_connections(app) -> None:
    """What the restore command does too: no session or pooled connection may hold the database."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def complete_course(app, client, code="TES-101") -> None:
    client.post(f"/courses/{code}/enrol")
    for key in ("modul-1", "modul-2"):
        client.post(f"/courses/{code}/modules/{key}/done")
    url = client.post(f"/courses/{code}/quiz/start").location
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, code))))


def backup(runner, path, *options):
    return runner.invoke(args=["lms", "backup", str(path), *options])


def restore(runner, path, *options, answer=None):
    return runner.invoke(args=["lms", "restore", str(path), *options], input=answer)


def test_restore_brings_back_exactly_what_was_backed_up(
    portal, client, course, learner, runner, tmp_path
):
    """Does a restore bring back exactly what was backed up: every table's rows and the completions?"""
    app = portal
    make_user(app, "trainer", name="Pelatih Uji")
    complete_course(app, client)
    before = snapshot(app)
    counts, completions = before
    assert len(completions) == 1 and completions[0][:2] == (learner, "TES-101")
    assert counts["user_account"] == 2 and counts["module_progress"] == 2
    assert counts["quiz_attempt"] == 1 and counts["enrolment"] == 1

    path = tmp_path / "backups" / "portal.backup"
    path.parent.mkdir()
    result = backup(runner, path)
    assert result.exit_code == 0, result.output
    assert f"Backed up to {path}" in result.output
    assert f"{len(counts)} tables, {sum(counts.values())} rows." in result.output
    assert sorted(p.name for p in path.parent.iterdir()) == ["portal.backup"]  # no leftovers

    # Life goes on: a new account, and a completion lost by mistake.
    make_user(app, "learner", name="Pegawai Baru")
    execute(app, "DELETE FROM completion")
    assert snapshot(app) != before

    release_connections(app)
    result = restore(runner, path, "--yes")
    assert result.exit_code == 0, result.output
    assert f"Restored {path}" in result.output
    assert f"Schema revision: {HEAD}" in result.output
    assert snapshot(app) == before

    # The portal keeps serving the restored data without a restart.
    certificate = completions[0][2]
    assert client.get(f"/certificates/{certificate}").status_code == 200

    if dialect_of(app) == "sqlite":
        # The database as it was just before the restore is kept next to it.
        live = tmp_path / "test.sqlite3"
        (safety,) = tmp_path.glob("test.sqlite3.before-restore-*")
        assert f"kept in {safety}" in result.output
        with sqlite3.connect(safety) as kept:
            assert kept.execute("SELECT count(*) FROM user_account").fetchone() == (3,)
            assert kept.execute("SELECT count(*) FROM completion").fetchone() == (0,)
            assert kept.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        kept.close()
        assert live.is_file()


def test_backup_is_taken_while_a_write_is_in_progress(portal, runner, tmp_path):
    """Is the backup taken online: does it succeed beside an open write and leave that write out?"""
    app = portal
    make_user(app, "learner")
    with app.app_context():
        with db.engine.connect() as writer:
            writer.begin()
            writer.execute(sa.text("INSERT INTO unit (code, name) VALUES ('DINKES', 'Dinas')"))
            result = backup(runner, tmp_path / "online.backup")
            writer.commit()
        db.session.remove()
    assert result.exit_code == 0, result.output
    unit_line = next(line for line in result.output.splitlines() if line.split()[:1] == ["unit"])
    assert unit_line.split() == ["unit", "0"]  # the uncommitted row is not in the backup
    assert snapshot(app)[0]["unit"] == 1


def test_backup_refuses_to_overwrite_without_force(portal, runner, tmp_path):
    """Does a backup leave an existing file alone unless --force is given?"""
    path = tmp_path / "portal.backup"
    path.write_text("an older backup")
    result = backup(runner, path)
    assert result.exit_code == 1
    assert "already exists; use --force to replace it" in result.output
    assert path.read_text() == "an older backup"

    result = backup(runner, path, "--force")
    assert result.exit_code == 0, result.output
    magic = b"SQLite format 3\x00" if dialect_of(portal) == "sqlite" else b"PGDMP"
    assert path.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir() if "portal" in p.name) == ["portal.backup"]


def test_restore_of_a_file_that_is_not_a_backup_changes_nothing(portal, runner, tmp_path):
    """Does restoring a text file fail with a clear message and leave the data untouched?"""
    make_user(portal, "learner")
    before = snapshot(portal)
    path = tmp_path / "notes.txt"
    path.write_text("not a backup\n" * 100)
    release_connections(portal)
    result = restore(runner, path, "--yes")
    assert result.exit_code == 1
    expected = "not an SQLite database" if dialect_of(portal) == "sqlite" else "pg_dump archive"
    assert expected in result.output and "nothing was changed" in result.output
    assert snapshot(portal) == before
    assert list(tmp_path.glob("*.before-restore-*")) == []


def test_restore_of_a_damaged_backup_changes_nothing(
    portal, client, course, learner, runner, tmp_path
):
    """Does a backup cut short (a full disk, a broken copy) fail to restore and change nothing?"""
    complete_course(portal, client)
    path = tmp_path / "portal.backup"
    assert backup(runner, path).exit_code == 0
    data = path.read_bytes()
    path.write_bytes(data[:-64])
    make_user(portal, "learner")
    before = snapshot(portal)
    release_connections(portal)
    result = restore(runner, path, "--yes")
    assert result.exit_code == 1
    assert "nothing was changed" in result.output.lower()
    assert snapshot(portal) == before


def test_restore_refuses_a_database_of_another_application(app, runner, tmp_path):
    """Is a backup without the portal's alembic_version table refused, leaving the data untouched?"""
    if dialect_of(app) == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not on PATH: install postgresql-client to test PostgreSQL backups")
    path = tmp_path / "other.backup"
    assert backup(runner, path).exit_code == 0  # the bare test schema has no alembic_version
    make_user(app, "learner")
    before = snapshot(app)
    release_connections(app)
    result = restore(runner, path, "--yes")
    assert result.exit_code == 1
    assert "not a backup of this portal" in result.output
    assert "nothing was changed" in result.output
    assert snapshot(app) == before


def test_restore_asks_for_confirmation_without_yes(portal, runner, tmp_path):
    """Without --yes, does restore ask first, and change nothing when the answer is no?"""
    path = tmp_path / "portal.backup"
    assert backup(runner, path).exit_code == 0
    make_user(portal, "learner")
    release_connections(portal)

    refused = restore(runner, path, answer="n\n")
    assert refused.exit_code == 1
    assert "Replace all data in" in refused.output and "Aborted" in refused.output
    assert snapshot(portal)[0]["user_account"] == 1

    release_connections(portal)
    accepted = restore(runner, path, answer="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert snapshot(portal)[0]["user_account"] == 0


def test_in_memory_sqlite_is_refused_with_a_reason(tmp_path):
    """Does backing up an in-memory SQLite database say why it cannot be done?"""
    engine = sa.create_engine("sqlite://")
    with pytest.raises(BackupError, match="in-memory SQLite database"):
        backup_database(engine, tmp_path / "memory.backup")
    assert list(tmp_path.iterdir()) == []


def test_missing_pg_dump_names_the_package_to_install(tmp_path, monkeypatch):
    """Without pg_dump on PATH, does the error name the package that provides it?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    engine = sa.create_engine("postgresql+psycopg://lms:secret@db.example/lms")
    with pytest.raises(BackupError, match="postgresql-client"):
        backup_database(engine, tmp_path / "portal.backup")
    assert list(tmp_path.iterdir()) == []


def test_the_password_reaches_pg_tools_through_the_environment_only():
    """Is the libpq URL free of the driver name and the password, which goes to PGPASSWORD?"""
    url = sa.make_url("postgresql+psycopg://lms:s3cret%40x@db.example:5433/lms?sslmode=require")
    plain, env = libpq_url(url)
    assert plain == "postgresql://lms@db.example:5433/lms?sslmode=require"
    assert env == {"PGPASSWORD": "s3cret@x"}
    assert libpq_url(sa.make_url("postgresql+psycopg://postgres@127.0.0.1/test"))[1] == {}
