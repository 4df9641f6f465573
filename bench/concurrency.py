"""Parallel learners against gunicorn, optionally with a SIGKILL mid-load: nothing lost, no 500s.

Seeds a fresh database (SQLite in a temporary folder, or a PostgreSQL database whose `public`
schema is dropped and recreated), runs the migrations, imports the bundled courses and creates
`--learners` learner accounts. It then serves the portal with gunicorn (`--workers` sync workers)
and sends the learners through PM-101 from `--clients` client processes, each a real HTTP client
on 127.0.0.1 with its own cookies: sign in through the login form (CSRF token included), enrol
(two POSTs at once: a double click), read and mark every module done, start the final quiz (two
POSTs at once), answer it correctly and submit it (two POSTs at once: a double submit).

Every response is recorded. A step whose success response arrived (302 for a form post) is a
committed fact that the database must show afterwards; a step whose response never arrived may
or may not have been committed, and is retried.

With `--kill`, once `--kill-at` of the learners have started, the gunicorn master and all its
workers get SIGKILL (the whole process group), the server stays down `--down` seconds and is
started again on the same database; clients retry refused or broken requests with backoff.

Checks afterwards, each failing the run (exit status 1): no 5xx response and no traceback in the
gunicorn log; no connection error outside the kill window; every journey finished; exactly one
enrolment and one completion per learner and course; a progress row for every module of every
learner (and for every module-done that got its 302); exactly one quiz attempt, graded once and
passed, per learner, and both halves of a double start redirected to the same attempt; every
committed fact present after the restart; no orphan rows (completion, enrolment, module_progress,
quiz_attempt); on SQLite `PRAGMA integrity_check` is "ok" and `PRAGMA foreign_key_check` is empty.

Accounts are created with a cheap password hash (like the test suite) so sign-ins do not dominate
the load, which is about concurrent writes.

    .venv/bin/python bench/concurrency.py [--db sqlite|postgres] [--pg-url URL] [--workers 4]
        [--learners 40] [--clients 8] [--kill] [--kill-at 0.4] [--down 1.0] [--time-limit 300]
        [--single-start] [--seed-only] [--keep]

`--db postgres` DROPS AND RECREATES the `public` schema of the database in `--pg-url`
(default postgresql+psycopg://postgres@127.0.0.1:5432/test): point it at a scratch database.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing as mp
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
COURSE = "PM-101"
PASSWORD = "bench-belajar-asn-2026"  # noqa: S105 - throwaway accounts in a throwaway database
# Fixed, so that sessions signed before the SIGKILL stay valid after the restart.
SECRET = "concurrency-bench-secret-key"  # noqa: S105
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOCAL_HOSTS = {None, "", "127.0.0.1", "localhost", "::1"}

REQUEST_TIMEOUT = 60.0  # above SQLite's 30 s busy timeout
STEP_RETRY_LIMIT = 60.0  # how long one step keeps retrying through connection errors

LOGIN_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MODULE_LINK = re.compile(r'href="/courses/' + COURSE + r'/modules/([A-Za-z0-9_-]+)"')
QUESTION_NAME = re.compile(r'name="(q\d+)"')
ATTEMPT_PATH = re.compile(r"^/attempts/(\d+)$")


# --- seeding -----------------------------------------------------------------------------------


def learner_nip(index: int) -> str:
    """A valid 18-digit PNS NIP per index: birth date, 2015-05 start, sex digit, sequence."""
    birth = date(1986, 9, 26) + timedelta(days=index // 1998)
    sex = 1 + index % 2
    sequence = 1 + (index // 2) % 999
    return f"{birth:%Y%m%d}201505{sex}{sequence:03d}"


def flask_command(args: list[str], env: dict) -> None:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"flask {' '.join(args)} failed with exit status {done.returncode}")


def reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def create_learners(url: str, count: int) -> dict:
    """Create `count` learner accounts in one transaction; return ids and the course's data."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from werkzeug.security import generate_password_hash

    import lms.accounts.models as account_models
    from lms import create_app
    from lms.accounts.services import create_user
    from lms.catalog.services import published_course
    from lms.extensions import db

    def cheap_hash(password: str) -> str:
        return generate_password_hash(password, method="pbkdf2:sha256:1000", salt_length=8)

    real_hash = account_models.generate_password_hash
    account_models.generate_password_hash = cheap_hash
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    try:
        with app.app_context():
            learners = []
            for i in range(count):
                user = create_user(
                    login=learner_nip(i),
                    name=f"Peserta Uji {i + 1}",
                    password=PASSWORD,
                    roles=["learner"],
                )
                learners.append((user.id, user.login))
            db.session.commit()
            course = published_course(COURSE)
            if course is None:
                raise SystemExit(f"course {COURSE} was not imported")
            version = course.current_version
            result = {
                "learners": learners,
                "course_id": course.id,
                "version_id": version.id,
                "module_keys": list(version.module_keys),
                "answers": correct_form(version.quiz),
                "pass_mark": version.pass_mark,
            }
            db.session.remove()
            db.engine.dispose()
            return result
    finally:
        account_models.generate_password_hash = real_hash


def correct_form(quiz: dict) -> dict[str, list[str]]:
    """Form fields answering every question of the quiz correctly (see lms/content/quiz.py)."""
    form: dict[str, list[str]] = {}
    for q in quiz["questions"]:
        if q["kind"] in ("single", "multiple"):
            picks = [o["id"] for o in q["options"] if o["correct"]]
            form[q["key"]] = picks[:1] if q["kind"] == "single" else picks
        elif q["kind"] == "true-false":
            form[q["key"]] = ["true" if q["answer"] else "false"]
        else:
            form[q["key"]] = [q["answers"][0]]
    return form


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def group_members(pgid: int) -> int:
    """How many processes are in a process group (Linux /proc; 0 if unknown)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            count += 1
    return count


class Server:
    """gunicorn in its own process group, so SIGKILL reaches the master and every worker."""

    def __init__(self, port: int, workers: int, env: dict, log: Path):
        self.port, self.workers, self.env, self.log = port, workers, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    str(self.workers),
                    "-b",
                    f"{HOST}:{self.port}",
                    "--log-level",
                    "warning",
                    "app:app",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer /healthz; see {self.log}")

    def kill(self) -> int:
        """SIGKILL the whole process group; return how many processes it held."""
        if self.proc is None:
            return 0
        members = group_members(self.proc.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        return members

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master), then make sure nothing of the group is left."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(20)
        self.kill()


# --- the clients -------------------------------------------------------------------------------


class StepFailed(Exception):
    """A step got an answer it should not have (status, redirect or page content)."""


class Response:
    def __init__(self, status: int, location: str, text: str):
        self.status, self.location, self.text = status, location, text


class Browser:
    """One learner's browser: a cookie jar (newest Set-Cookie wins) and a fresh connection each."""

    def __init__(self, port: int, stats: Stats):
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.time()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body, headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.stats.connection_error(started, method, path, exc)
            raise
        finally:
            conn.close()
        with self.lock:
            for header in raw.headers.get_all("Set-Cookie") or []:
                self._take_cookie(header)
        location = urllib.parse.urlsplit(raw.getheader("Location") or "").path
        self.stats.response(started, method, path, raw.status)
        return Response(raw.status, location, text)

    def _take_cookie(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        expired = re.search(r"max-age=0\b", attributes, re.IGNORECASE) or (
            "1970" in attributes and re.search(r"expires=", attributes, re.IGNORECASE)
        )
        if expired or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_status: dict[int, int] = {}
        self.connection_errors: list[tuple[float, float, str, str, str]] = []
        self.server_errors: list[tuple[float, str, str, int]] = []

    def response(self, started: float, method: str, path: str, status: int) -> None:
        with self.lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status >= 500:
                self.server_errors.append((started, method, path, status))

    def connection_error(self, started: float, method: str, path: str, exc: Exception) -> None:
        with self.lock:
            self.connection_errors.append((started, time.time(), method, path, type(exc).__name__))


def expect(response: Response, status: int, location: str | None = None, what: str = "") -> None:
    if response.status != status or (location is not None and response.location != location):
        raise StepFailed(
            f"{what}: got {response.status} {response.location or ''}".rstrip()
            + f", expected {status} {location or ''}".rstrip()
        )


def retrying(deadline: float, fn):
    """Run a step; retry it through connection errors (server down) with backoff."""
    limit = min(deadline, time.time() + STEP_RETRY_LIMIT)
    delay = 0.05
    while True:
        try:
            return fn()
        except (OSError, http.client.HTTPException) as exc:
            if time.time() + delay > limit:
                raise StepFailed(f"no answer before the time limit ({exc!r})") from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def twice(fn) -> list[Response]:
    """The same request from two threads at once: a double click. Connection errors count only
    when neither request got an answer (then the whole step is retried)."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(5)
            results[i] = fn()
        except BaseException as exc:  # handed back to the caller below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(REQUEST_TIMEOUT + 10)
    answers = [r for r in results if isinstance(r, Response)]
    problems = [r for r in results if isinstance(r, BaseException)]
    for p in problems:
        if not isinstance(p, (OSError, http.client.HTTPException, threading.BrokenBarrierError)):
            raise p
    if not answers:
        raise problems[0] if problems else StepFailed("double request: no result")
    return answers


def journey(browser: Browser, login: str, plan: dict, deadline: float, fact, anomaly) -> None:
    """One learner through the course; `fact(kind, detail)` records each committed step,
    `anomaly(text)` what is wrong but lets the journey go on."""
    course = f"/courses/{COURSE}"
    keys = plan["module_keys"]

    def sign_in() -> None:
        browser.cookies.clear()
        page = browser.request("GET", "/login")
        expect(page, 200, what="GET /login")
        token = LOGIN_CSRF.search(page.text)
        if token is None:
            raise StepFailed("no csrf_token on the login page")
        form = {"csrf_token": token.group(1), "login": login, "password": PASSWORD}
        response = browser.request("POST", "/login", form)
        expect(response, 302, what="POST /login")
        if response.location.startswith("/login"):
            raise StepFailed("sign-in refused")

    def course_page() -> tuple[str, list[str]]:
        page = browser.request("GET", course)
        expect(page, 200, what=f"GET {course}")
        token = FORM_CSRF.search(page.text)
        return (token.group(1) if token else ""), list(
            dict.fromkeys(MODULE_LINK.findall(page.text))
        )

    retrying(deadline, sign_in)
    csrf, _ = retrying(deadline, course_page)
    if not csrf:
        raise StepFailed(f"no enrol form on {course}")

    def enrol() -> None:
        for r in twice(lambda: browser.request("POST", f"{course}/enrol", {"csrf_token": csrf})):
            expect(r, 302, course, what="POST enrol")

    retrying(deadline, enrol)
    fact("enrol", "")

    csrf, linked = retrying(deadline, course_page)
    if set(linked) != set(keys):
        raise StepFailed(f"course page links modules {linked}, the course has {keys}")

    def read(path: str) -> str:
        page = browser.request("GET", path)
        expect(page, 200, what=f"GET {path}")
        token = FORM_CSRF.search(page.text)  # no form when already done: the session's token
        return token.group(1) if token else csrf

    def mark_done(path: str, token: str, following: str) -> None:
        response = browser.request("POST", f"{path}/done", {"csrf_token": token})
        # The next module, or the course page after the last one.
        expect(response, 302, following, what=f"POST {path}/done")

    for position, key in enumerate(keys):
        path = f"{course}/modules/{key}"
        following = f"{course}/modules/{keys[position + 1]}" if position + 1 < len(keys) else course
        token = retrying(deadline, lambda path=path: read(path))
        retrying(deadline, lambda p=path, t=token, f=following: mark_done(p, t, f))
        fact("done", key)

    def start() -> int:
        ids = set()
        post = lambda: browser.request("POST", f"{course}/quiz/start", {"csrf_token": csrf})  # noqa: E731
        for r in twice(post) if plan["double_start"] else [post()]:
            match = ATTEMPT_PATH.match(r.location)
            if r.status != 302 or match is None:
                raise StepFailed(f"POST quiz/start: got {r.status} {r.location}")
            ids.add(int(match.group(1)))
        if len(ids) != 1:
            # Reported, then the journey goes on with the first attempt, as a learner would.
            anomaly(f"a double click on 'start quiz' opened {len(ids)} attempts: {sorted(ids)}")
        return min(ids)

    attempt_id = retrying(deadline, start)
    fact("start", str(attempt_id))
    attempt = f"/attempts/{attempt_id}"

    def attempt_page() -> None:
        page = browser.request("GET", attempt)
        expect(page, 200, what=f"GET {attempt}")
        names = set(QUESTION_NAME.findall(page.text))
        if names != set(plan["answers"]):
            raise StepFailed(f"attempt page asks {sorted(names)}, the quiz has {plan['answers']}")

    retrying(deadline, attempt_page)
    form = {"csrf_token": csrf, **plan["answers"]}

    def submit() -> None:
        for r in twice(lambda: browser.request("POST", attempt, form)):
            expect(r, 302, f"{attempt}/result", what=f"POST {attempt}")

    retrying(deadline, submit)
    fact("submit", str(attempt_id))

    def result_page() -> None:
        expect(browser.request("GET", f"{attempt}/result"), 200, what=f"GET {attempt}/result")

    retrying(deadline, result_page)


def client_main(number, port, learners, plan, deadline, started, results) -> None:
    """A client process: its learners one after the other, each with a fresh browser."""
    stats = Stats()
    facts: list[tuple[int, str, str, float]] = []
    finished: list[int] = []
    failed: dict[int, str] = {}
    anomalies: list[tuple[int, str]] = []
    try:
        for user_id, login in learners:
            if time.time() > deadline:
                failed[user_id] = "time limit reached before this learner started"
                continue
            with started.get_lock():
                started.value += 1
            browser = Browser(port, stats)

            def fact(kind: str, detail: str, user_id=user_id) -> None:
                facts.append((user_id, kind, detail, time.time()))

            def anomaly(text: str, user_id=user_id) -> None:
                anomalies.append((user_id, text))

            try:
                journey(browser, login, plan, deadline, fact, anomaly)
                finished.append(user_id)
            except StepFailed as exc:
                failed[user_id] = str(exc)
            except Exception as exc:  # reported as a failed journey, never hidden
                failed[user_id] = f"{type(exc).__name__}: {exc}"
    finally:
        results.put(
            {
                "client": number,
                "by_status": stats.by_status,
                "connection_errors": stats.connection_errors,
                "server_errors": stats.server_errors,
                "facts": facts,
                "finished": finished,
                "failed": failed,
                "anomalies": anomalies,
            }
        )


# --- checks --------------------------------------------------------------------------------------

ORPHAN_CHECKS = [
    ("completion", "user_id", "user_account"),
    ("completion", "course_id", "course"),
    ("completion", "course_version_id", "course_version"),
    ("enrolment", "user_id", "user_account"),
    ("enrolment", "course_id", "course"),
    ("module_progress", "user_id", "user_account"),
    ("module_progress", "module_id", "course_module"),
    ("module_progress", "course_id", "course"),
    ("quiz_attempt", "user_id", "user_account"),
    ("quiz_attempt", "course_id", "course"),
    ("quiz_attempt", "course_version_id", "course_version"),
]
UNIQUE_CHECKS = [
    ("completion", "user_id, course_id"),
    ("enrolment", "user_id, course_id"),
    ("module_progress", "user_id, module_id"),
    ("quiz_attempt", "user_id, course_id, kind, number"),
]


def check_database(url: str, sqlite_path: Path | None, plan: dict, outcome: dict) -> dict:
    """Read the database after the load; return figures and a list of failures."""
    import sqlalchemy as sa

    failures: list[str] = []
    figures: dict = {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:

            def rows(sql: str, **params):
                return conn.execute(sa.text(sql), params).all()

            cid = plan["course_id"]
            module_ids = dict(
                rows("SELECT key, id FROM course_module WHERE course_id = :cid", cid=cid)
            )
            enrolments = dict(
                rows(
                    "SELECT user_id, count(*) FROM enrolment WHERE course_id = :cid "
                    "GROUP BY user_id",
                    cid=cid,
                )
            )
            completions = dict(rows("SELECT user_id, count(*) FROM completion GROUP BY user_id"))
            completion_rows = {
                u: (score, version)
                for u, score, version in rows(
                    "SELECT user_id, score, course_version_id FROM completion "
                    "WHERE course_id = :cid",
                    cid=cid,
                )
            }
            progress: dict[int, set[int]] = {}
            progress_total = 0
            for u, m in rows(
                "SELECT user_id, module_id FROM module_progress WHERE course_id = :cid", cid=cid
            ):
                progress.setdefault(u, set()).add(m)
                progress_total += 1
            attempts: dict[int, list[tuple]] = {}
            attempts_total = 0
            for aid, u, submitted, passed, score in rows(
                "SELECT id, user_id, submitted_at IS NOT NULL, passed, score FROM quiz_attempt "
                "WHERE course_id = :cid AND kind = 'final'",
                cid=cid,
            ):
                attempts.setdefault(u, []).append((aid, bool(submitted), bool(passed), score))
                attempts_total += 1

            # Per learner: the end state of a finished journey.
            wanted_modules = {module_ids.get(k) for k in plan["module_keys"]}
            finished = set(outcome["finished"])
            for user_id, login in plan["learners"]:
                who = f"learner {login} (id {user_id})"
                n_enrol = enrolments.get(user_id, 0)
                n_done = completions.get(user_id, 0)
                graded = [a for a in attempts.get(user_id, []) if a[1]]
                if n_enrol > 1 or n_done > 1 or len(graded) > 1:
                    failures.append(
                        f"{who}: {n_enrol} enrolments, {n_done} completions, "
                        f"{len(graded)} graded attempts (at most 1 each)"
                    )
                if user_id not in finished:
                    continue
                if n_enrol != 1:
                    failures.append(f"{who}: {n_enrol} enrolments, expected 1")
                if n_done != 1:
                    failures.append(f"{who}: {n_done} completions, expected 1")
                if progress.get(user_id, set()) != wanted_modules:
                    failures.append(
                        f"{who}: {len(progress.get(user_id, ()))} module progress rows, "
                        f"expected {len(wanted_modules)}"
                    )
                if len(attempts.get(user_id, [])) != 1 or len(graded) != 1 or not graded[0][2]:
                    failures.append(f"{who}: attempts {attempts.get(user_id)}, expected one passed")
                row = completion_rows.get(user_id)
                if row is not None and graded:
                    score, version = row
                    wanted = (graded[0][3], plan["version_id"])
                    if version != wanted[1] or abs(score - wanted[0]) > 1e-6:
                        failures.append(
                            f"{who}: completion (score, version) {(score, version)} does not "
                            f"match the graded attempt's {wanted}"
                        )

            # Every committed fact (a success response arrived) is in the database.
            attempt_owner = {a[0]: (u, a) for u, items in attempts.items() for a in items}
            verified = before_kill = 0
            kill_time = outcome.get("kill_time")
            for user_id, kind, detail, at in outcome["facts"]:
                if kind == "enrol":
                    present = enrolments.get(user_id, 0) == 1
                elif kind == "done":
                    present = module_ids.get(detail) in progress.get(user_id, set())
                elif kind == "start":
                    present = attempt_owner.get(int(detail), (None,))[0] == user_id
                else:  # submit: graded, and the completion written in the same transaction
                    owner, attempt = attempt_owner.get(int(detail), (None, None))
                    present = owner == user_id and attempt[1] and completions.get(user_id, 0) == 1
                if not present:
                    failures.append(
                        f"LOST: learner id {user_id} got a success response for {kind} {detail} "
                        f"at {at:.3f}, but the database does not show it"
                    )
                    continue
                verified += 1
                if kill_time is not None and at < kill_time:
                    before_kill += 1

            # Whole-database consistency: duplicates and orphans, whatever the learner.
            # Table and column names below are the constants above, never input.
            for table, columns in UNIQUE_CHECKS:
                dupes = rows(
                    f"SELECT {columns}, count(*) FROM {table} GROUP BY {columns} "  # noqa: S608
                    "HAVING count(*) > 1"
                )
                if dupes:
                    failures.append(f"{table}: duplicate rows for ({columns}): {dupes[:5]}")
            orphans = 0
            for table, column, target in ORPHAN_CHECKS:
                n = conn.execute(
                    sa.text(
                        f"SELECT count(*) FROM {table} t LEFT JOIN {target} r "  # noqa: S608
                        f"ON r.id = t.{column} WHERE t.{column} IS NOT NULL AND r.id IS NULL"
                    )
                ).scalar_one()
                orphans += n
                if n:
                    failures.append(f"{table}.{column}: {n} rows point to no {target}")
            mismatched = conn.execute(
                sa.text(
                    "SELECT count(*) FROM module_progress p JOIN course_module m "
                    "ON m.id = p.module_id WHERE m.course_id <> p.course_id"
                )
            ).scalar_one()
            if mismatched:
                failures.append(f"module_progress: {mismatched} rows with the wrong course_id")
    finally:
        engine.dispose()

    figures.update(
        completions=sum(completions.values()),
        enrolments=sum(enrolments.values()),
        progress=progress_total,
        attempts=attempts_total,
        facts=len(outcome["facts"]),
        verified=verified,
        before_kill=before_kill,
        orphans=orphans,
    )
    if sqlite_path is not None:
        with sqlite3.connect(sqlite_path) as raw:
            integrity = [r[0] for r in raw.execute("PRAGMA integrity_check")]
            fk_rows = raw.execute("PRAGMA foreign_key_check").fetchall()
        figures["integrity"] = ", ".join(integrity)
        figures["fk_rows"] = len(fk_rows)
        if integrity != ["ok"]:
            failures.append(f"PRAGMA integrity_check: {integrity[:10]}")
        if fk_rows:
            failures.append(f"PRAGMA foreign_key_check: {fk_rows[:10]}")
    return {"figures": figures, "failures": failures}


# --- the run -------------------------------------------------------------------------------------


def run_load(args, plan: dict, server: Server, port: int) -> dict:
    """Start the client processes; with --kill, SIGKILL and restart the server mid-load."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    started = ctx.Value("i", 0)
    begin = time.time()
    deadline = begin + args.time_limit
    learners = plan["learners"]
    client_plan = {
        "module_keys": plan["module_keys"],
        "answers": plan["answers"],
        "double_start": not args.single_start,
    }
    clients = [
        ctx.Process(
            target=client_main,
            args=(n, port, learners[n :: args.clients], client_plan, deadline, started, results),
            daemon=True,
        )
        for n in range(min(args.clients, len(learners)))
    ]
    outcome: dict = {
        "by_status": {},
        "connection_errors": [],
        "server_errors": [],
        "facts": [],
        "finished": [],
        "failed": {},
        "anomalies": [],
        "kill_time": None,
        "ready_time": None,
    }
    received = 0
    try:
        for p in clients:
            p.start()
        kill_threshold = max(1, round(args.kill_at * len(learners)))
        while received < len(clients) and time.time() < deadline + 30:
            if args.kill and outcome["kill_time"] is None and started.value >= kill_threshold:
                outcome["kill_started"] = started.value
                outcome["kill_time"] = time.time()
                outcome["killed_processes"] = server.kill()
                time.sleep(args.down)
                server.start()
                outcome["ready_time"] = time.time()
            try:
                message = results.get(timeout=0.05)
            except queue.Empty:
                continue
            received += 1
            for status, n in message["by_status"].items():
                outcome["by_status"][status] = outcome["by_status"].get(status, 0) + n
            for key in ("connection_errors", "server_errors", "facts", "finished", "anomalies"):
                outcome[key].extend(message[key])
            outcome["failed"].update(message["failed"])
    finally:
        for p in clients:
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join(5)
    outcome["wall"] = time.time() - begin
    outcome["clients_reported"] = received
    if received < len(clients):
        outcome["failed"][-1] = f"{len(clients) - received} client process(es) never reported"
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL URL (its public "
                        "schema is dropped and recreated)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8, help="client processes")
    parser.add_argument("--kill", action="store_true", help="SIGKILL gunicorn mid-load, restart")
    parser.add_argument("--kill-at", type=float, default=0.4,
                        help="kill once this fraction of the learners has started")  # fmt: skip
    parser.add_argument("--down", type=float, default=1.0, help="seconds the server stays down")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for the load")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--single-start", action="store_true",
                        help="start the quiz with one POST, not a double click")  # fmt: skip
    parser.add_argument("--seed-only", action="store_true", help="seed the database and stop")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not 1 <= args.learners <= 5000 or not 1 <= args.clients <= 256 or args.workers < 1:
        parser.error("--learners 1..5000, --clients 1..256, --workers 1 or more")

    import sqlalchemy as sa

    work = Path(tempfile.mkdtemp(prefix="lms-concurrency-"))
    sqlite_path = None
    if args.db == "sqlite":
        sqlite_path = work / "bench.sqlite3"
        url = f"sqlite:///{sqlite_path}"
    else:
        url = args.pg_url
        if sa.engine.make_url(url).host not in LOCAL_HOSTS:
            parser.error("--pg-url must name a database on this machine (127.0.0.1)")
    env = {
        **os.environ,
        "LMS_DATABASE_URL": url,
        "LMS_SECRET_KEY": SECRET,
        "PYTHONPATH": str(ROOT),
    }
    log = work / "gunicorn.log"
    server: Server | None = None
    ok = False
    try:
        seed_start = time.time()
        if args.db == "postgres":
            reset_postgres(url)
        flask_command(["db", "upgrade"], env)
        flask_command(["lms", "import-courses", "courses"], env)
        plan = create_learners(url, args.learners)
        seed_seconds = time.time() - seed_start
        target = sqlite_path or sa.engine.make_url(url).render_as_string(hide_password=True)
        print(
            f"seeded {args.db} ({target}): {len(plan['learners'])} learners, {COURSE} with "
            f"{len(plan['module_keys'])} modules and {len(plan['answers'])} quiz questions "
            f"in {seed_seconds:.1f} s"
        )
        if args.seed_only:
            args.keep = ok = True
            return 0

        port = args.port or free_port()
        server = Server(port, args.workers, env, log)
        server.start()
        outcome = run_load(args, plan, server, port)
        server.stop()
        report = check_database(url, sqlite_path, plan, outcome)
        ok = print_report(args, plan, outcome, report, log)
        return 0 if ok else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep or not ok:
            print(f"files kept in {work} (gunicorn log: {log})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_report(args, plan: dict, outcome: dict, report: dict, log: Path) -> bool:
    failures = list(report["failures"])
    figures = report["figures"]
    by_status = outcome["by_status"]
    classes = {c: sum(n for s, n in by_status.items() if s // 100 == c) for c in (2, 3, 4, 5)}
    served = sum(by_status.values())
    conn_errors = outcome["connection_errors"]
    kill_time, ready_time = outcome.get("kill_time"), outcome.get("ready_time")

    def expected(error) -> bool:  # sent before the server was back, failed after the kill
        started, failed_at = error[0], error[1]
        return kill_time is not None and failed_at >= kill_time and started <= ready_time

    unexpected = [e for e in conn_errors if not expected(e)]
    cut = sum(1 for e in conn_errors if kill_time is not None and e[0] < kill_time <= e[1])
    log_text = log.read_text(errors="replace") if log.exists() else ""
    tracebacks = log_text.count("Traceback (most recent call last)")
    timeouts = log_text.count("WORKER TIMEOUT")

    if classes[5]:
        failures.append(f"{classes[5]} responses with status 5xx: {outcome['server_errors'][:5]}")
    if classes[4]:
        failures.append(f"{classes[4]} responses with status 4xx: {by_status}")
    if tracebacks:
        failures.append(f"{tracebacks} traceback(s) in the gunicorn log {log}")
    if unexpected:
        failures.append(
            f"{len(unexpected)} connection errors outside the kill window: "
            + ", ".join(f"{m} {p} {e}" for _, _, m, p, e in unexpected[:5])
        )
    if args.kill and kill_time is None:
        failures.append("the load finished before the kill point: nothing was killed")
    for user_id, text in sorted(outcome["anomalies"])[:10]:
        failures.append(f"learner id {user_id}: {text}")
    for user_id, reason in sorted(outcome["failed"].items())[:10]:
        failures.append(f"journey of learner id {user_id} failed: {reason}")
    if len(outcome["failed"]) > 10:
        failures.append(f"... and {len(outcome['failed']) - 10} more failed journeys")

    wall = outcome["wall"]
    n = len(plan["learners"])
    print(
        f"{args.db}: gunicorn {args.workers} workers, {n} learners over "
        f"{min(args.clients, n)} client processes"
        + (f", SIGKILL once {args.kill_at:.0%} of learners had started" if args.kill else "")
    )
    print(
        f"  requests served     : {served} in {wall:.1f} s ({served / wall:.0f} req/s): "
        f"2xx {classes[2]}, 3xx {classes[3]}, 4xx {classes[4]}, 5xx {classes[5]}"
    )
    print(
        f"  errors              : {classes[5]} 5xx, {len(conn_errors)} connection errors "
        f"({len(conn_errors) - len(unexpected)} while the server was down), "
        f"{tracebacks} tracebacks and {timeouts} worker timeouts in the gunicorn log"
    )
    print(f"  journeys finished   : {len(outcome['finished'])} of {n}")
    if kill_time is not None:
        print(
            f"  kill                : SIGKILL to {outcome['killed_processes']} gunicorn processes "
            f"(master and workers) when {outcome['kill_started']} learners had started, "
            f"{cut} requests in flight cut off; "
            f"serving again {ready_time - kill_time:.1f} s later"
        )
    print(
        f"  records checked     : {figures['completions']} completions, {figures['enrolments']} "
        f"enrolments, {figures['progress']} module progress rows, {figures['attempts']} quiz "
        f"attempts; {figures['orphans']} orphan rows"
    )
    committed = f"  committed steps     : {figures['verified']} of {figures['facts']} present"
    if kill_time is not None:
        committed += f" ({figures['before_kill']} acknowledged before the kill, all verified "
        committed += "after the restart)" if not any("LOST" in f for f in failures) else ")"
    print(committed)
    if "integrity" in figures:
        print(
            f"  sqlite              : PRAGMA integrity_check {figures['integrity']}; "
            f"PRAGMA foreign_key_check {figures['fk_rows']} rows"
        )
    for failure in failures[:40]:
        print(f"  FAIL {failure}")
    if failures and (tracebacks or classes[5]):
        print("---- gunicorn log (last 4000 characters) ----")
        print(log_text[-4000:])
    print("  result              : " + ("PASS" if not failures else f"{len(failures)} FAILURES"))
    return not failures


if __name__ == "__main__":
    sys.exit(main())
