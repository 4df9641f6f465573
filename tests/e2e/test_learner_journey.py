"""A civil servant's journey in a real browser: sign in, find, enrol, read, fail, retry, pass, certificate."""

from __future__ import annotations

import re

from lms.catalog.services import published_course
from tests.e2e.steps import answer, submit

LEARNER = ("198609262015051001", "belajar-asn-2026")


def test_learner_completes_a_course_in_the_browser(live_server, page):
    """Can a learner do the whole journey with a real browser, keyboard-submittable forms included?"""
    app, base = live_server
    with app.app_context():
        quiz = published_course("PM-101").current_version.quiz

    page.goto(f"{base}/login")
    assert page.title().startswith("Masuk")
    page.fill("#login", LEARNER[0])
    page.fill("#password", LEARNER[1])
    with page.expect_navigation():
        page.press("#password", "Enter")
    page.wait_for_url(f"{base}/my")
    assert "Anda belum mendaftar" in page.content()

    submit(page, "text=Jelajahi katalog kursus")
    page.fill("#q", "proyek")
    with page.expect_navigation():
        page.press("#q", "Enter")
    submit(page, "text=Manajemen Proyek Pemerintah Daerah")
    submit(page, "button:has-text('Daftar kursus ini')")
    assert "Anda telah terdaftar" in page.content()

    # PM-101 offers a pre-test first (never blocking): this learner skips it.
    submit(page, "ol.module-list a[href*='/modules/'] >> nth=0")
    for _ in range(5):
        assert page.locator(".content h2").count() >= 1
        submit(page, "form[action$='/done'] button")
    assert "5 dari 5 modul selesai" in page.content()

    submit(page, "ol.module-list >> text=Kuis akhir")
    submit(page, "button:has-text('Mulai percobaan 1')")
    answer(page, quiz, correct=False)
    submit(page, "button:has-text('Kirim jawaban')")
    assert "Belum lulus" in page.content()

    submit(page, "button:has-text('Coba lagi')")
    answer(page, quiz, correct=True)
    submit(page, "button:has-text('Kirim jawaban')")
    text = page.content()
    assert "Selamat" in text and "Lulus" in text

    submit(page, "text=Lihat sertifikat >> nth=0")
    assert "Sertifikat" in page.title()
    assert page.locator(".cert-name").inner_text() == "Budi Santoso"
    number = page.locator(".cert-facts dd.mono").inner_text()
    assert re.fullmatch(r"\d{4}(-[0-9A-Z]{4}){3}", number)

    page.goto(f"{base}/my")
    # PM-101's 6 JP, plus what the demo's confirmed mentoring session adds this year.
    mentoring = mentoring_jp_this_year(app, LEARNER[0])
    assert f"{6 + mentoring:g} dari 20 JP".replace(".", ",") in page.content()
    if mentoring:
        assert "Kursus: 6 JP" in page.content()
    assert number in page.content()


def mentoring_jp_this_year(app, login: str) -> float:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from lms.accounts.services import find_by_login
    from lms.learning.services import mentoring_jp_in_year

    year = datetime.now(ZoneInfo("Asia/Jakarta")).year
    with app.app_context():
        return mentoring_jp_in_year(find_by_login(login).id, year, "Asia/Jakarta")


def test_quiz_is_usable_with_the_keyboard_alone(live_server, page):
    """Can the quiz be answered and submitted with Tab, arrows and Space/Enter only?"""
    _app, base = live_server
    page.goto(f"{base}/login")
    page.fill("#login", "pelatih")
    page.fill("#password", "pelatih-asn-2026")
    with page.expect_navigation():
        page.press("#password", "Enter")
    page.goto(f"{base}/courses/KM-101")
    submit(page, "button:has-text('Daftar kursus ini')")
    page.goto(f"{base}/courses/KM-101/quiz")
    submit(page, "button:has-text('Mulai percobaan 1')")
    first = page.locator(
        "fieldset.question input[type=radio], fieldset.question input[type=checkbox]"
    ).first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    focused_outline = page.evaluate(
        "getComputedStyle(document.activeElement.closest('label')).outlineStyle"
    )
    assert focused_outline != "none"  # visible focus on the option
