"""The competency pages in a browser: they fit 360 px, pass axe-core, and the demo has figures.

Screenshots go to test-artifacts/screens/ like the other layout checks.
"""

from __future__ import annotations

import pytest

from tests.e2e.accessibility import assert_accessible
from tests.e2e.steps import HR, LEARNER, sign_in
from tests.e2e.test_layout import check_and_capture

HR_PAGES = [
    ("competency-dictionary", "/competencies"),
    ("competency-new", "/competencies/new"),
    ("competency-edit", "/competencies/T-SURVKES/edit"),
    ("competency-requirements", "/competencies/requirements"),
    ("competency-import", "/competencies/import"),
    ("competency-profile-hr", "/reports/employees/{learner_id}/profile"),
    ("training-needs", "/reports/training-needs"),
]
LEARNER_PAGES = [("dashboard-recommended", "/my"), ("competency-profile", "/my/profile")]


@pytest.fixture(scope="module")
def learner_id(live_server):
    from lms.accounts.services import find_by_login

    with live_server[0].app_context():
        return find_by_login(LEARNER[0]).id


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800)])
def test_competency_pages_fit_and_pass_axe(live_server, browser, learner_id, width, height):
    """At phone and desktop widths, does a competency page scroll sideways or fail axe-core?"""
    _app, base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    problems: list[str] = []
    try:
        for login, pages in ((LEARNER, LEARNER_PAGES), (HR, HR_PAGES)):
            context.clear_cookies()
            sign_in(page, base, *login)
            for name, path in pages:
                response = page.goto(base + path.format(learner_id=learner_id))
                assert response.status == 200, path
                problems += check_and_capture(page, name, width, height)
                if width == 1280:
                    assert_accessible(page, name)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_demo_learner_is_recommended_a_bundled_course(live_server, browser):
    """Does the demo epidemiologist see KM-101 recommended, and HR the gaps in the report?"""
    _app, base = live_server
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    try:
        sign_in(page, base, *LEARNER)
        page.goto(f"{base}/my")
        recommended = page.locator("#recommended-heading").locator("xpath=..")
        assert "Dasar Kesehatan Masyarakat" in recommended.inner_text()
        context.clear_cookies()
        sign_in(page, base, *HR)
        page.goto(f"{base}/reports/training-needs")
        table = page.locator("#needs-heading").locator("xpath=..").inner_text()
        assert "T-SURVKES" in table and "M1" in table
    finally:
        context.close()
