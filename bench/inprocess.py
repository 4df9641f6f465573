"""Per-request cost without a server: the WSGI apps of bench/pages.py called directly.

Seeds a fresh SQLite database as bench/pages.py does, signs the demo learner in, then calls each
app's WSGI function in a loop with the same request (cookie included) and prints the best of five
rounds, in microseconds per request:

- bare page: a Flask app returning the saved module page (bench/bare_app.py);
- stack floor: Flask, Flask-Login and Flask-SQLAlchemy loading the signed-in user, nothing else
  (bench/stack_app.py);
- portal floor: the portal's pipeline with a route that returns the saved page (bench/floor_app.py);
- module page: the portal's module page.

    .venv/bin/python bench/inprocess.py [--requests 2000]

Without a server's own cost per request these differences look larger than in bench/pages.py; use
it to see where a change moves the cost, and bench/pages.py for the ratio the issue asks for.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_PATH = "/courses/PM-101/modules/wbs-dan-jadwal"
LEARNER = ("198609262015051001", "belajar-asn-2026")


def seed(work: Path) -> dict:
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "LMS_SECRET_KEY": "bench-secret-key",
        "LMS_BENCH_WORK": str(work),
        "LMS_BENCH_HTML": str(work / "page.html"),
    }
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
    for args in (["db", "upgrade"], ["lms", "import-courses", "courses"], ["lms", "seed-demo"]):
        done = subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return env


class Caller:
    """Calls a WSGI app with one request, keeping the cookie the app last set."""

    def __init__(self, app, path: str, cookie: str):
        self.app, self.path, self.cookie = app, path, cookie

    def environ(self) -> dict:
        from werkzeug.test import EnvironBuilder

        builder = EnvironBuilder(
            path=self.path,
            headers={"Cookie": self.cookie, "User-Agent": "bench"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        return builder.get_environ()

    def settle(self, rounds: int = 50) -> None:
        """Warm up, taking any cookie the app sets (a CSRF token, a shown message)."""
        environ = self.environ()
        seen: dict = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"] = status
            seen["cookies"] = [v for k, v in response_headers if k == "Set-Cookie"]

        for _ in range(rounds):
            b"".join(self.app(dict(environ), start_response))
            if not seen["status"].startswith("200"):
                sys.exit(f"{self.path}: {seen['status']}")
            if seen["cookies"]:
                self.cookie = seen["cookies"][0].split(";", 1)[0]
                environ = self.environ()
        self._environ = environ

    def cost(self, requests: int) -> float:
        environ = self._environ

        def start_response(status, headers, exc_info=None):
            return None

        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(requests):
                for _chunk in self.app(dict(environ), start_response):
                    pass
            best = min(best, (time.perf_counter() - started) / requests)
        return best * 1e6


def sign_in(app) -> str:
    client = app.test_client()
    page = client.get("/login", headers={"User-Agent": "bench"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "login": LEARNER[0], "password": LEARNER[1]},
        headers={"User-Agent": "bench"},
    )
    assert response.status_code == 302, response.status_code
    # Signing in starts a new session: the enrol form needs the token of the new one.
    page = client.get("/courses/PM-101", headers={"User-Agent": "bench"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/courses/PM-101/enrol", data={"csrf_token": token}, headers={"User-Agent": "bench"}
    )
    assert response.status_code == 302, response.status_code
    return f"session={client.get_cookie('session').value}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per round (best of five)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lms-inprocess-"))
    os.environ.update(seed(work))
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    (work / "page.html").write_bytes(b"")  # the floor app reads it on import; filled below
    from bench import floor_app as floor_module  # after the environment is set

    portal = floor_module.app
    logging.getLogger("lms.request").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    cookie = sign_in(portal)
    page = Caller(portal, MODULE_PATH, cookie)
    page.settle()
    (work / "page.html").write_bytes(
        b"".join(portal(page.environ(), lambda *a: None))
    )  # the module page as served: what the other apps return
    floor_module.HTML = (work / "page.html").read_bytes()

    from bench import bare_app, stack_app  # they read the saved page on import

    stack_client = stack_app.app.test_client()
    stack_client.get("/sign-in", headers={"User-Agent": "bench"})
    stack_cookie = f"session={stack_client.get_cookie('session').value}"

    callers = {
        "bare page": Caller(bare_app.app, MODULE_PATH, "x=1"),
        "stack floor": Caller(stack_app.app, MODULE_PATH, stack_cookie),
        "portal floor": Caller(
            portal, "/bench/floor" + MODULE_PATH.removeprefix("/courses"), page.cookie
        ),
        "module page": page,
    }
    results = {}
    for name, caller in callers.items():
        if caller is not page:
            caller.settle()
        results[name] = caller.cost(args.requests)
    bare = results["bare page"]
    print(f"microseconds per request, best of 5 rounds of {args.requests:,} (no server)")
    for name, micros in results.items():
        print(f"  {name:13s}: {micros:7.1f} us  ({micros / bare:4.1f}x the bare page)")


if __name__ == "__main__":
    main()
