"""Phones and desktops: the main pages fit 360 px without sideways scrolling, with 44 px tap targets."""

from __future__ import annotations

import pytest

PAGES = ["/my", "/courses", "/courses/PP-101", "/courses/PP-101/modules/standar-pelayanan",
         "/courses/PP-101/quiz", "/reports", "/reports/employees"]  # fmt: skip


def sign_in(page, base, login, password):
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800)])
def test_main_pages_fit_the_screen(live_server, browser, width, height):
    """At phone and desktop widths, does any main page scroll sideways or have small buttons?"""
    _app, base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    try:
        sign_in(page, base, "199003142014032002", "arsip-pegawai-2026")  # HR who is also a learner
        page.goto(f"{base}/courses/PP-101")
        enrol = page.locator("button:has-text('Daftar kursus ini')")
        if enrol.count():
            with page.expect_navigation():
                enrol.click()
        for path in PAGES:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
            small = page.evaluate(
                """() => [...document.querySelectorAll('button, .button, .main-nav a, .user-menu a')]
                    .filter(e => e.offsetParent !== null)
                    .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
                    .filter(([, h]) => h < 44)"""
            )
            assert small == [], f"{path}: tap targets under 44px: {small}"
    finally:
        context.close()
