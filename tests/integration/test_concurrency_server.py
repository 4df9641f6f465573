"""Parallel learners against a real gunicorn, with and without a SIGKILL mid-load.

Runs bench/concurrency.py as a subprocess with small numbers: it seeds its own database, starts
gunicorn with 4 workers on 127.0.0.1, drives learners through enrolment, modules and the quiz
(with double clicks), and checks the database afterwards; exit status 0 means every check held.
On PostgreSQL (LMS_TEST_DATABASE_URL set) the bench gets a database of its own, created and
dropped here, because it drops and recreates the `public` schema it is given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "concurrency.py"
PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
SMALL = ["--workers", "4", "--learners", "12", "--clients", "4", "--time-limit", "90"]


def run_bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), *SMALL, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, (
        f"bench exited with {done.returncode}\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    )
    assert "result              : PASS" in done.stdout
    return done.stdout


def test_parallel_learners_on_sqlite():
    """With 12 learners in 4 client processes against 4 gunicorn workers on SQLite (WAL), are
    there no 500s, one enrolment and one completion per learner, and no lost progress?"""
    out = run_bench("--db", "sqlite")
    assert "journeys finished   : 12 of 12" in out
    assert "PRAGMA integrity_check ok" in out


def test_sigkill_mid_load_on_sqlite():
    """Under parallel learners and a SIGKILL of gunicorn and its workers, is every committed
    record still there after the restart and the SQLite database consistent?"""
    out = run_bench("--db", "sqlite", "--kill")
    assert "SIGKILL to" in out
    assert "all verified after the restart" in out
    assert "PRAGMA foreign_key_check 0 rows" in out


@pytest.fixture
def pg_bench_url():
    """A fresh PostgreSQL database next to the test one, dropped afterwards."""
    if not PG_URL:
        pytest.skip("LMS_TEST_DATABASE_URL is not set: PostgreSQL run skipped")
    url = sa.engine.make_url(PG_URL)
    name = f"lms_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_parallel_learners_and_sigkill_on_postgres(pg_bench_url):
    """On PostgreSQL behind 4 gunicorn workers, under parallel learners and a SIGKILL, is every
    committed record still there, with no 500s, no duplicates and no orphan rows?"""
    out = run_bench("--db", "postgres", "--pg-url", pg_bench_url, "--kill")
    assert "journeys finished   : 12 of 12" in out
    assert "all verified after the restart" in out
