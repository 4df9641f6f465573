"""Module page throughput against a bare Flask page serving the same HTML, in one run.

Seeds a fresh SQLite database (migrations, bundled courses, one enrolled learner), serves the
portal and a bare Flask app with gunicorn (2 workers each, side by side), and drives each in turn
with the same load from separate client processes, in several short rounds, so that a change in
the machine's load during the run hits every page alike. Prints requests per second (each page's
total over the rounds), the ratio, and the lowest and highest ratio of a single round.

    .venv/bin/python bench/pages.py [--seconds 10] [--rounds 5] [--clients 4] [--floor]

With --floor it also measures two floors, each returning the same HTML from a signed-in route:
- the stack floor (bench/stack_app.py): Flask, Flask-Login and Flask-SQLAlchemy as documented,
  loading the signed-in user each request, and none of the portal's code;
- the portal floor (bench/floor_app.py): the portal with one extra route that does nothing else,
  the cost of the portal's request pipeline alone, which bounds every page;
and a probe, the module page with its rendering left out (bench/unrendered_app.py): what the page
would reach if its template cost nothing.
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


def load(
    port: int, path: str, cookie: str, seconds: float, clients: int
) -> tuple[float, int, float]:
    """Requests per second, errors and elapsed seconds of `clients` processes for `seconds`."""
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
    return done / elapsed, sum(r[1] for r in results), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per page, in all rounds")
    parser.add_argument("--rounds", type=int, default=5, help="pages loaded in turn, this often")
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

    servers: list[subprocess.Popen] = []
    try:
        servers.append(start_gunicorn("app:app", 8701, env, args.workers))
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
        # What each measured page is: (port, path, cookie), served side by side and loaded in
        # turn, round after round, so a change in the machine's load hits them all alike.
        targets = {"portal module page": (8701, MODULE_PATH, cookie)}
        bare_env = {**env, "LMS_BENCH_HTML": str(work / "page.html")}
        if not args.portal_only:
            servers.append(start_gunicorn("bench.bare_app:app", 8702, bare_env, args.workers))
            targets["bare Flask page"] = (8702, MODULE_PATH, "x=1")
        if args.floor and not args.portal_only:
            targets.update(floors(bare_env, args.workers, servers, cookie))
        totals = {name: [0.0, 0, 0] for name in targets}  # seconds, requests, errors
        per_round: list[dict[str, float]] = []
        for _ in range(args.rounds):
            rates = {}
            for name, (port, path, target_cookie) in targets.items():
                rps, errors, elapsed = load(
                    port, path, target_cookie, args.seconds / args.rounds, args.clients
                )
                totals[name][0] += elapsed
                totals[name][1] += round(rps * elapsed)
                totals[name][2] += errors
                rates[name] = rps
            per_round.append(rates)
    finally:
        for server in servers:
            stop(server)

    rate = {name: requests / seconds for name, (seconds, requests, _) in totals.items()}
    if args.portal_only:
        print(f"portal module page: {rate['portal module page']:.1f} req/s "
              f"({totals['portal module page'][2]} errors), "
              f"{args.workers} workers, {args.clients} clients")  # fmt: skip
        return
    print(
        f"module page ({len(html):,} bytes), gunicorn {args.workers} workers, "
        f"{args.clients} client processes, {args.seconds:g} s each in {args.rounds} rounds"
    )
    notes = {
        "stack floor": "the asked-for stack, nothing else",
        "portal floor": "same HTML, no page work",
        "module, no rendering": "the module view, its template left out",
    }
    for name in targets:
        note = notes.get(name) or f"{totals[name][2]} errors"
        print(f"  {name:20s}: {rate[name]:8.1f} req/s  ({note})")
    bare = rate["bare Flask page"]
    spread = [r["portal module page"] / r["bare Flask page"] for r in per_round]
    print(
        f"  ratio portal/bare    : {rate['portal module page'] / bare:8.2f}  "
        f"(target: at least 0.50; rounds {min(spread):.2f}–{max(spread):.2f})"
    )
    for name, label in (
        ("stack floor", "stack/bare"),
        ("portal floor", "floor/bare"),
        ("module, no rendering", "unrendered/bare"),
    ):
        if name in rate:
            print(f"  ratio {label:15s}: {rate[name] / bare:8.2f}")


def floors(
    env: dict, workers: int, servers: list, module_cookie: str
) -> dict[str, tuple[int, str, str]]:
    """Start the floor apps and the unrendered module page; return their targets (port, path,
    signed-in cookie)."""
    # The stack app creates its table on import: once here, not by two workers at once.
    run([sys.executable, "-c", "import bench.stack_app"], env)
    servers.append(start_gunicorn("bench.stack_app:app", 8704, env, workers))
    conn = http.client.HTTPConnection("127.0.0.1", 8704)
    conn.request("GET", "/sign-in")
    response = conn.getresponse()
    response.read()
    stack_cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    assert fetch(8704, MODULE_PATH, stack_cookie)[0] == 200

    servers.append(start_gunicorn("bench.floor_app:app", 8703, env, workers))
    # As for the module page: a page view shows the welcome message and adds a CSRF token, so
    # the cookie measured holds what a signed-in learner's usually does.
    conn = http.client.HTTPConnection("127.0.0.1", 8703)
    conn.request("GET", "/courses/PM-101", headers={"Cookie": sign_in(8703)})
    response = conn.getresponse()
    response.read()
    floor_cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    floor_path = "/bench/floor" + MODULE_PATH.removeprefix("/courses")
    assert fetch(8703, floor_path, floor_cookie)[0] == 200

    # The module page itself, with rendering left out (bench/unrendered_app.py); the same
    # database and secret key, so the learner's cookie from the portal works as it is.
    servers.append(start_gunicorn("bench.unrendered_app:app", 8705, env, workers))
    assert fetch(8705, MODULE_PATH, module_cookie)[0] == 200
    return {
        "stack floor": (8704, MODULE_PATH, stack_cookie),
        "portal floor": (8703, floor_path, floor_cookie),
        "module, no rendering": (8705, MODULE_PATH, module_cookie),
    }


if __name__ == "__main__":
    main()
