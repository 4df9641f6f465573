"""The floor for bench/pages.py: the portal itself, with one extra signed-in route returning the
saved module page as is (no query beyond the sign-in check, no template).

It shows what the request pipeline the portal is built on costs before a page does anything:
session cookie, Flask-Login's user load, the permission check, CSRF and language set-up, the
request log and the security headers. The module page cannot be faster than this route.
"""

import os
from pathlib import Path

from lms import create_app
from lms.access import SIGNED_IN, allow

app = create_app()
HTML = Path(os.environ["LMS_BENCH_HTML"]).read_bytes()


@app.route("/bench/floor/<code>/modules/<key>")
@allow(SIGNED_IN)
def floor(code: str, key: str):
    return HTML, 200, {"Content-Type": "text/html; charset=utf-8"}
