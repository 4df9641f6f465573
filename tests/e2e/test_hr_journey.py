"""HR in a real browser: sign in, open the report, filter by unit and period, download the XLSX."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from lms.reports.exports import EXPORT_COLUMNS
from tests.e2e.steps import HR, LEARNER, complete_course, sign_in

TRAINER = "pelatih"  # BKPSDM, outside the unit HR filters on


def column(key: str) -> int:
    return [c.key for c in EXPORT_COLUMNS].index(key)


def test_hr_filters_the_report_and_downloads_exactly_those_completions(live_server, page, tmp_path):
    """Does the XLSX an HR officer downloads hold the completions the filter shows, and no others?"""
    app, base = live_server
    # Budi works in a sub-unit of Dinas Kesehatan; the trainer in BKPSDM.
    budi = complete_course(app, LEARNER[0], "PP-101")
    complete_course(app, TRAINER, "KM-101")
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()

    sign_in(page, base, *HR)
    with page.expect_navigation():
        page.click("nav.main-nav >> text=Laporan")
    assert page.title().startswith("Laporan penyelesaian")

    page.fill("#since", (today - timedelta(days=7)).isoformat())
    page.fill("#until", today.isoformat())
    page.select_option("#unit", label="Dinas Kesehatan")
    with page.expect_navigation():
        page.click("form[role=search] button:has-text('Tampilkan')")
    summary = page.locator("#summary-heading + dl.facts dd").first.inner_text()
    assert summary == "1", f"completions shown for Dinas Kesehatan this week: {summary}"

    with page.expect_download() as download_info:
        page.click("button:has-text('Excel (XLSX)')")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [c.label for c in EXPORT_COLUMNS]
    assert "Nomor sertifikat" in rows[0] and "Unit kerja" in rows[0]
    data = rows[1:]
    assert len(data) == 1, data
    (row,) = data
    assert row[column("nip_or_username")] == LEARNER[0]
    assert row[column("name")] == "Budi Santoso"
    assert row[column("unit_name")] == "Bidang Pencegahan dan Pengendalian Penyakit"
    assert row[column("course_code")] == "PP-101"
    assert row[column("certificate_no")] == budi
    assert row[column("completed_on")].date() == today

    # A period with no completion: the page says so and offers the way back.
    page.fill("#since", "2001-01-01")
    page.fill("#until", "2001-12-31")
    with page.expect_navigation():
        page.click("form[role=search] button:has-text('Tampilkan')")
    assert "Tidak ada penyelesaian yang sesuai dengan filter ini." in page.content()
    with page.expect_navigation():
        page.click(".empty a[href='/reports']")
    everyone = page.locator("#summary-heading + dl.facts dd").first.inner_text()
    assert int(everyone) >= 2  # this year, every unit: Budi's and the trainer's at least
