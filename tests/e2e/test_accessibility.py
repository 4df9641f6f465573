"""axe-core on the main pages, at desktop and phone widths: no serious or critical violation.

axe-core checks the WCAG 2.1 A/AA rules a machine can see (labels, contrast, landmarks, names of
links and buttons, scrollable boxes reachable by keyboard) and its best practices (heading order,
one main landmark). The keyboard walk through a quiz is in test_learner_journey.py.
"""

from __future__ import annotations

import pytest

from tests.e2e.accessibility import assert_accessible
from tests.e2e.steps import ADMIN, HR, seed_history, sign_in
from tests.e2e.test_layout import SCREENS

VIEWPORTS = [(1280, 800), (360, 740)]
EMPLOYEE_CSV = (
    b"nip,nama,unit_kerja,jabatan\r\n"
    b"197001012000031001,Siti Rahma,DINKES,Perawat Ahli Muda\r\n"
    b"123,Nomor Salah,DINKES,\r\n"
)


@pytest.fixture(scope="module")
def seeded(live_server):
    return seed_history(live_server[0])


def scan_pages(page, base: str, paths: list[tuple[str, str]], failures: list[str]) -> None:
    for label, path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{label}: {path} answered {response.status}"
        check(page, label, failures)


def check(page, label: str, failures: list[str]) -> None:
    try:
        assert_accessible(page, label)
    except AssertionError as exc:
        failures.append(str(exc))


@pytest.mark.parametrize("width,height", VIEWPORTS)
def test_main_pages_have_no_serious_accessibility_violation(
    live_server, browser, seeded, width, height
):
    """Does axe-core find a serious or critical WCAG problem on a page learners, HR or admins use?"""
    _app, base = live_server
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    failures: list[str] = []
    try:
        scan_pages(page, base, [("login", "/login")], failures)
        page.fill("#login", "12345")
        page.fill("#password", "salah")
        with page.expect_navigation():
            page.press("#password", "Enter")
        check(page, "login with errors", failures)

        sign_in(page, base, *HR)
        scan_pages(page, base, [
            ("dashboard", "/my"),
            ("catalog", "/courses"),
            ("catalog, nothing found", "/courses?q=tidak-ada-kursus-ini"),
            ("course page", "/courses/PP-101"),
            ("module", "/courses/PP-101/modules/standar-pelayanan"),
            ("quiz overview", "/courses/KM-101/quiz"),
            ("quiz attempt", f"/attempts/{seeded['attempt']}"),
            ("quiz result, failed", f"/attempts/{seeded['failed']}/result"),
            ("quiz result, passed", f"/attempts/{seeded['passed']}/result"),
            ("certificate", f"/certificates/{seeded['certificate']}"),
            ("reports", "/reports"),
            ("reports, nothing found", "/reports?since=2001-01-01&until=2001-12-31"),
            ("employees report", "/reports/employees"),
            ("employee report", f"/reports/employees/{seeded['hr_id']}"),
            ("employee import", "/employees/import"),
            ("assigned training", "/assignments/"),
            ("new assignment", "/assignments/new"),
            ("overdue assigned training", "/assignments/overdue"),
            ("password", "/account/password"),
        ], failures)  # fmt: skip

        page.goto(f"{base}/attempts/{seeded['attempt']}")
        with page.expect_navigation():
            page.click("button:has-text('Kirim jawaban')")  # nothing answered: shown again
        check(page, "quiz attempt with an error", failures)

        page.goto(f"{base}/employees/import")
        page.set_input_files(
            "#file", {"name": "pegawai.csv", "mimeType": "text/csv", "buffer": EMPLOYEE_CSV}
        )
        with page.expect_navigation():
            page.click("button:has-text('Periksa berkas')")
        check(page, "import preview", failures)

        with page.expect_navigation():
            page.click(".lang-switch button")
        scan_pages(page, base, [("dashboard in English", "/my"),
                                ("reports in English", "/reports")], failures)  # fmt: skip
        with page.expect_navigation():
            page.click(".lang-switch button")  # back to Indonesian for the next run

        page.context.clear_cookies()
        sign_in(page, base, *ADMIN)
        scan_pages(page, base, [
            ("dashboard, no enrolment", "/my"),
            ("admin users", "/admin/users"),
            ("new account", "/admin/users/new"),
            ("edit account", f"/admin/users/{seeded['hr_id']}"),
            ("API tokens", "/admin/api-tokens"),
            ("new API token", "/admin/api-tokens/new"),
            ("revoke API token", f"/admin/api-tokens/{seeded['token']}/revoke"),
            ("export audit log", "/reports/audit"),
        ], failures)  # fmt: skip
        page.goto(f"{base}/admin/users/{seeded['hr_id']}")
        page.uncheck("#active")
        with page.expect_navigation():
            page.click("button:has-text('Simpan')")
        assert page.locator("#confirm_disable").count() == 1  # asked, not yet disabled
        check(page, "disable account confirmation", failures)
        page.screenshot(path=str(SCREENS / f"admin-disable-confirm-{width}x{height}.png"))
        page.goto(f"{base}/tidak-ada-halaman-ini")
        check(page, "page not found", failures)
    finally:
        context.close()
    assert not failures, "\n\n".join(failures)
