"""Module page throughput against a bare Flask page serving the same HTML, in one run.

Seeds a fresh SQLite database (migrations, bundled courses, one enrolled learner), serves the
portal and a bare Flask app with gunicorn (2 workers each, one after the other), and drives both
with the same load from separate client processes. Prints requests per second and the ratio.

    .venv/bin/python bench/pages.py [--seconds 10] [--clients 4] [--floor]

With --floor it also measures two floors, each returning the same HTML from a signed-in route:
- the stack floor (bench/stack_app.py): Flask, Flask-Login and Flask-SQLAlchemy as documented,
  loading the signed-in user each request, and none of the portal's code;
- the portal floor (bench/floor_app.py): the portal with one extra route that does nothing else,
  the cost of the portal's request pipeline alone, which bounds every page.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULE_PATH = "/courses/PM-101/modules/wbs-dan-jadwal"
LEARNER = ("198609262015051001", "belajar-asn-2026")


def run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd[1:])} failed:\n{done.stdout}{done.stderr}")


def start_gunicorn(app_spec: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    # The request log goes to a file, as journald would take it, not to this terminal.
    log = open(Path(env["LMS_BENCH_WORK"]) / f"gunicorn-{port}.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    log.close()  # the child holds its own copy
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"gunicorn on port {port} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def sign_in(port: int) -> str:
    """Sign in through the real login form (CSRF token included); return the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "login": LEARNER[0], "password": LEARNER[1]}
    )
    conn.request(
        "POST", "/login", body,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"sign-in failed: {response.status}"
    return response.getheader("Set-Cookie").split(";", 1)[0]


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    return response.status, response.read()


def _client(port: int, path: str, cookie: str, seconds: float, queue) -> None:
    done = errors = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        try:
            status, _ = fetch(port, path, cookie)
            done += 1
            errors += status != 200
        except OSError:
            errors += 1
    queue.put((done, errors))


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> tuple[float, int]:
    queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(port, path, cookie, seconds, queue))
        for _ in range(clients)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    done = sum(r[0] for r in results)
    return done / elapsed, sum(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database to seed (its tables are dropped first); default: SQLite",
    )
    parser.add_argument("--portal-only", action="store_true", help="skip the bare baseline")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the portal's own pipeline returning the same HTML from a signed-in "
        "route that does nothing else (bench/floor_app.py): the best any portal page can do",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    if args.database_url:
        import sqlalchemy as sa

        engine = sa.create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    env = {
        **os.environ,
        "LMS_DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.sqlite3'}",
        "LMS_SECRET_KEY": "bench-secret-key",
        "PYTHONPATH": str(ROOT),
        "LMS_BENCH_WORK": str(work),
    }
    flask = [str(BIN / "flask"), "--app", "app"]
    run([*flask, "db", "upgrade"], env)
    run([*flask, "lms", "import-courses", "courses"], env)
    run([*flask, "lms", "seed-demo"], env)

    portal = start_gunicorn("app:app", 8701, env, args.workers)
    try:
        cookie = sign_in(8701)
        conn = http.client.HTTPConnection("127.0.0.1", 8701)
        conn.request("GET", "/courses/PM-101", headers={"Cookie": cookie})
        response = conn.getresponse()
        page = response.read().decode()
        # The page put a CSRF token into the session: the cookie changed.
        cookie = (response.getheader("Set-Cookie") or cookie).split(";", 1)[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        conn.request(
            "POST", "/courses/PM-101/enrol", urllib.parse.urlencode({"csrf_token": csrf}),
            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert conn.getresponse().status == 302
        status, html = fetch(8701, MODULE_PATH, cookie)
        assert status == 200 and b"Work Breakdown" in html, status
        (work / "page.html").write_bytes(html)
        portal_rps, portal_errors = load(8701, MODULE_PATH, cookie, args.seconds, args.clients)
    finally:
        stop(portal)

    if args.portal_only:
        print(f"portal module page: {portal_rps:.1f} req/s ({portal_errors} errors), "
              f"{args.workers} workers, {args.clients} clients")  # fmt: skip
        return
    bare_env = {**env, "LMS_BENCH_HTML": str(work / "page.html")}
    bare = start_gunicorn("bench.bare_app:app", 8702, bare_env, args.workers)
    try:
        bare_rps, bare_errors = load(8702, MODULE_PATH, "x=1", args.seconds, args.clients)
    finally:
        stop(bare)

    floor_rps = stack_rps = None
    if args.floor:
        # The stack app creates its table on import: once here, not by two workers at once.
        run([sys.executable, "-c", "import bench.stack_app"], bare_env)
        stack = start_gunicorn("bench.stack_app:app", 8704, bare_env, args.workers)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", 8704)
            conn.request("GET", "/sign-in")
            response = conn.getresponse()
            response.read()
            stack_cookie = response.getheader("Set-Cookie").split(";", 1)[0]
            assert fetch(8704, MODULE_PATH, stack_cookie)[0] == 200
            stack_rps, _ = load(8704, MODULE_PATH, stack_cookie, args.seconds, args.clients)
        finally:
            stop(stack)
        floor = start_gunicorn("bench.floor_app:app", 8703, bare_env, args.workers)
        try:
            floor_path = "/bench/floor" + MODULE_PATH.removeprefix("/courses")
            # As for the module page: a page view shows the welcome message and adds a CSRF
            # token, so the cookie measured holds what a signed-in learner's usually does.
            conn = http.client.HTTPConnection("127.0.0.1", 8703)
            conn.request("GET", "/courses/PM-101", headers={"Cookie": sign_in(8703)})
            response = conn.getresponse()
            response.read()
            floor_cookie = response.getheader("Set-Cookie").split(";", 1)[0]
            assert fetch(8703, floor_path, floor_cookie)[0] == 200
            floor_rps, _ = load(8703, floor_path, floor_cookie, args.seconds, args.clients)
        finally:
            stop(floor)

    print(
        f"module page ({len(html):,} bytes), gunicorn {args.workers} workers, "
        f"{args.clients} client processes, {args.seconds:g} s each"
    )
    print(f"  portal module page : {portal_rps:8.1f} req/s  ({portal_errors} errors)")
    print(f"  bare Flask page    : {bare_rps:8.1f} req/s  ({bare_errors} errors)")
    if floor_rps is not None:
        print(f"  stack floor        : {stack_rps:8.1f} req/s  (the asked-for stack, nothing else)")
        print(f"  portal floor       : {floor_rps:8.1f} req/s  (same HTML, no page work)")
    print(f"  ratio portal/bare  : {portal_rps / bare_rps:8.2f}  (target: at least 0.50)")
    if floor_rps is not None:
        print(f"  ratio stack/bare   : {stack_rps / bare_rps:8.2f}")
        print(f"  ratio floor/bare   : {floor_rps / bare_rps:8.2f}")


if __name__ == "__main__":
    main()
