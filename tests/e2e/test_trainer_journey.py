"""A trainer's journey in a real browser: create a course, write with the live preview, publish."""

from __future__ import annotations

from tests.e2e.accessibility import assert_accessible
from tests.e2e.steps import LEARNER, sign_in, submit

TRAINER = ("pelatih", "pelatih-asn-2026")

QUIZ = """\
---
title: Kuis Akhir
---

## Berapa lama waktu tanggap pengaduan menurut standar layanan kita?

- [x] Satu hari kerja
- [ ] Satu bulan

## Pengaduan boleh diabaikan bila warga marah.

type: true-false
answer: salah
"""


def test_trainer_writes_previews_and_publishes_a_course(live_server, page):
    """Can a trainer create a course, see the live preview, publish it, and a learner find it?"""
    _app, base = live_server
    sign_in(page, base, *TRAINER)
    page.goto(f"{base}/author/")
    assert page.title().startswith("Kursus saya")
    assert_accessible(page, "authoring: my courses")
    submit(page, "text=Kursus baru")
    assert_accessible(page, "authoring: new course")
    page.fill("#code", "LAY-301")
    page.fill("#title", "Menangani Pengaduan Warga")
    page.fill("#summary", "Menerima, mencatat dan menindaklanjuti pengaduan dengan tuntas.")
    page.select_option("#category", "pelayanan-publik")
    page.fill("#jp", "2")
    page.fill("#competencies", "M3:2")
    page.fill("#introduction", "# Tentang kursus\n\nUntuk petugas pengaduan.")
    submit(page, "button:has-text('Buat kursus')")
    assert "Kursus LAY-301 dibuat sebagai draf." in page.content()

    page.fill("#title", "Menerima Pengaduan")
    submit(page, "button:has-text('Tambah modul')")
    assert page.title().startswith("Ubah modul")
    assert_accessible(page, "authoring: module editor")
    # The preview follows the typing (debounced) without saving: rendered by the server.
    page.fill("#body", "## Dengarkan dulu\n\nCatat **nama** dan nomor pengaduan.")
    page.locator(".preview-body h2", has_text="Dengarkan dulu").wait_for()
    assert page.locator(".preview-body strong").inner_text() == "nama"
    page.fill("#body", "## Dengarkan dulu\n\nLihat [modul lain](09-tidak-ada.md).")
    page.locator(".preview-problems", has_text="09-tidak-ada.md").wait_for()
    page.fill("#body", "## Dengarkan dulu\n\nCatat **nama** dan nomor pengaduan.")
    page.locator(".preview-body strong").wait_for()
    submit(page, "button.primary:has-text('Simpan')")
    assert "Modul disimpan di draf." in page.content()

    submit(page, "nav.tabs >> text=Draf")
    submit(page, "text=Ubah kuis")
    page.fill("#text", QUIZ)
    page.locator(".preview-body li.question").nth(1).wait_for()
    assert "Satu hari kerja" in page.locator(".preview-body").inner_text()
    submit(page, "button.primary:has-text('Simpan')")
    assert "Kuis disimpan di draf." in page.content()
    assert_accessible(page, "authoring: quiz editor")

    submit(page, "nav.tabs >> text=Draf")
    assert page.locator("#problems").count() == 0
    assert_accessible(page, "authoring: draft overview")
    page.fill("#note", "Terbitan pertama")
    submit(page, "button:has-text('Terbitkan versi baru')")
    assert "Versi 1 diterbitkan." in page.content()
    assert "Terbitan pertama" in page.locator("table").inner_text()
    assert_accessible(page, "authoring: version history")

    with page.expect_navigation():
        page.click("button:has-text('Keluar')")
    sign_in(page, base, *LEARNER)
    page.goto(f"{base}/courses?q=pengaduan")
    submit(page, "text=Menangani Pengaduan Warga")
    assert "Untuk petugas pengaduan." in page.content()
