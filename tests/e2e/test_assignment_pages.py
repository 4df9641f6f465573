"""axe-core on the assigned-training pages with content: the preview, the people, the dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.accessibility import assert_accessible
from tests.e2e.steps import HR, sign_in, submit
from tests.e2e.test_accessibility import VIEWPORTS


@pytest.mark.parametrize("width,height", VIEWPORTS)
def test_assignment_pages_have_no_serious_accessibility_violation(
    live_server, browser, width, height
):
    """Does axe-core find a serious WCAG problem while HR assigns a course and a learner sees it?"""
    _app, base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    try:
        sign_in(page, base, *HR)
        page.goto(f"{base}/assignments/new")
        page.select_option("#course", label="Manajemen Proyek Pemerintah Daerah (PM-101)")
        page.select_option("#target", "people")
        page.fill("#people", f"{HR[0]}\ntidak.ada")
        page.fill(
            "#due_on",
            (datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=30)).isoformat(),
        )
        page.fill("#reason", "Kesenjangan kompetensi")
        submit(page, "button[value=preview]")
        assert page.locator(".error").count() == 1  # the unknown line, with its reason
        assert_accessible(page, "new assignment with an error")
        page.fill("#people", HR[0])
        submit(page, "button[value=preview]")
        assert_accessible(page, "new assignment preview")
        submit(page, "button[value=save]")  # saved, or (second viewport) already saved
        assert_accessible(page, "assignment people")
        page.goto(f"{base}/assignments/")
        assert_accessible(page, "assignment list")
        page.goto(f"{base}/my")
        assert page.locator("#assigned-heading").count() == 1
        assert_accessible(page, "dashboard with assigned training")
    finally:
        context.close()
