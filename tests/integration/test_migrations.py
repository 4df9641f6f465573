"""Migrations build the same schema as the models, from an empty database, and can go back."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import create_app
from lms.extensions import db
from tests.conftest import PG_URL


def upgrade_and_compare(url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        flask_migrate.downgrade(revision="-1")
        flask_migrate.upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user_account", "course", "course_version", "completion", "quiz_attempt"} <= tables
        db.engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the PostgreSQL run checks PostgreSQL instead")
def test_sqlite_migrations_match_the_models(tmp_path):
    """Does `db upgrade` on an empty SQLite file give exactly the models' schema?"""
    upgrade_and_compare(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


@pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")
def test_postgres_migrations_match_the_models():
    """Does `db upgrade` on an empty PostgreSQL database give exactly the models' schema?"""
    name = f"lms_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade_and_compare(
            sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
