"""A probe for bench/pages.py --floor: the portal's module page with its rendering left out.

The module view runs as it does (sign-in check, published version, the learner's state) but
`render_template` returns the saved module page as is. What it measures is the best the module
page could do if rendering cost nothing at all.
"""

import os
from pathlib import Path

from bench.floor_app import app
from lms.learning import views

__all__ = ["app"]

HTML = Path(os.environ["LMS_BENCH_HTML"]).read_text(encoding="utf-8")


def _saved_page(*_args, **_kwargs) -> str:
    return HTML


views.render_template = _saved_page
