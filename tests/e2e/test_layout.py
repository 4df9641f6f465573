"""Phones and desktops: the main pages fit 360 px without sideways scrolling, with 44 px tap targets.

Each page is also saved as a full-page screenshot under test-artifacts/screens/ (name-WIDTHxHEIGHT.png)
for a person to look at; the assertions are what a person would notice first.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.e2e.steps import ADMIN, HR, seed_history, sign_in

SCREENS = ROOT / "test-artifacts" / "screens"
HR_PAGES = [
    ("dashboard", "/my"),
    ("catalog", "/courses"),
    ("course", "/courses/PP-101"),
    ("module", "/courses/PP-101/modules/standar-pelayanan"),
    ("quiz-overview", "/courses/KM-101/quiz"),
    ("quiz-attempt", "/attempts/{attempt}"),
    ("quiz-result", "/attempts/{failed}/result"),
    ("certificate", "/certificates/{certificate}"),
    ("reports", "/reports"),
    ("reports-employees", "/reports/employees"),
    ("reports-employee", "/reports/employees/{hr_id}"),
    ("employee-import", "/employees/import"),
    ("notifications", "/notifications"),
]
ADMIN_PAGES = [("admin-users", "/admin/users"), ("admin-user", "/admin/users/{hr_id}"),
               ("api-tokens", "/admin/api-tokens")]  # fmt: skip
TRAINER = ("pelatih", "pelatih-asn-2026")  # owns the bundled courses in the demo
TRAINER_PAGES = [
    ("author-courses", "/author/"),
    ("author-new", "/author/new"),
    ("author-draft", "/author/courses/PM-101"),
    ("author-details", "/author/courses/PM-101/details"),
    ("author-module", "/author/courses/PM-101/modules/pengantar-proyek"),
    ("author-quiz", "/author/courses/PM-101/quiz"),
    ("author-versions", "/author/courses/PM-101/versions"),
    ("author-diff", "/author/courses/PM-101/diff?from=1&to=draft"),
    ("author-authors", "/author/courses/PM-101/authors"),
    ("author-statistics", "/author/courses/PM-101/statistics"),
    ("author-import", "/author/import"),
    ("discussion", "/courses/PM-101/discussion"),
]


@pytest.fixture(scope="module")
def seeded(live_server):
    return seed_history(live_server[0])


def check_and_capture(page, name: str, width: int, height: int) -> list[str]:
    """Problems a person would notice on the page shown; saves its screenshot either way."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{width}x{height}.png"), full_page=True)
    problems = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name} scrolls sideways by {overflow}px at {width}px")
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, .button, .main-nav a, .user-menu a')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    if small:
        problems.append(f"{name}: tap targets under 44px: {small}")
    return problems


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800)])
def test_main_pages_fit_the_screen(live_server, browser, seeded, width, height):
    """At phone and desktop widths, does any main page scroll sideways or have small buttons?"""
    _app, base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(f"{base}/login")
        problems += check_and_capture(page, "login", width, height)
        for login, pages in ((HR, HR_PAGES), (ADMIN, ADMIN_PAGES), (TRAINER, TRAINER_PAGES)):
            context.clear_cookies()
            sign_in(page, base, *login)
            for name, path in pages:
                response = page.goto(base + path.format(**seeded))
                assert response.status == 200, path
                problems += check_and_capture(page, name, width, height)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
