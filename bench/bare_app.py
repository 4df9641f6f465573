"""The baseline for bench/pages.py: a bare Flask app returning a saved module page as is."""

import os
from pathlib import Path

from flask import Flask

app = Flask(__name__)
HTML = Path(os.environ["LMS_BENCH_HTML"]).read_bytes()


@app.route("/healthz")
def healthz():
    return "ok"


@app.route("/courses/<code>/modules/<key>")
def module(code: str, key: str):
    return HTML, 200, {"Content-Type": "text/html; charset=utf-8"}
