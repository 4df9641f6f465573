"""Browser tests: the portal served by a real HTTP server on 127.0.0.1, driven by Chromium.

Debian's Chromium (/usr/bin/chromium) is used; without it these tests skip with the reason.
A screenshot of the page is saved under test-artifacts/ when a test fails.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import ROOT

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if "tests/e2e/" in str(item.fspath)]
    if not e2e:
        return
    reason = None
    if os.environ.get("LMS_TEST_DATABASE_URL"):
        reason = "browser tests run in the SQLite pass only"
    elif not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright for Python is not installed"
    if reason:
        for item in e2e:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, bundled_packages):
    """The portal with the bundled courses and demo accounts, on a free local port."""
    from lms.catalog.services import import_package
    from lms.competency.services import seed_shipped
    from lms.demo import seed

    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}",
            "LMS_REQUEST_LOG": False,
            "LMS_CATALOG_TTL": 0,
            "LMS_FILES_DIR": str(folder / "course-files"),
        }
    )
    with app.app_context():
        db.create_all()
        seed_shipped()  # the competency dictionary the migration ships
        for package in bundled_packages:
            import_package(package)
        seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
