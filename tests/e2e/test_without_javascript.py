"""With JavaScript off (old office browsers, strict policies), reading and the quiz still work."""

from __future__ import annotations

from lms.catalog.services import published_course
from tests.conftest import PASSWORD, make_user
from tests.e2e.steps import answer, sign_in, submit


def test_a_learner_reads_and_passes_a_course_without_javascript(live_server, browser):
    """Can a learner enrol, read every module and pass the quiz with JavaScript disabled?"""
    app, base = live_server
    _user_id, login = make_user(app, "learner", login="tanpa.skrip", name="Tanpa Skrip")
    with app.app_context():
        quiz = published_course("KM-101").current_version.quiz
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, login, PASSWORD)
        page.goto(f"{base}/courses/KM-101")
        submit(page, "button:has-text('Daftar kursus ini')")
        submit(page, "ol.module-list >> a >> nth=0")
        while page.locator("form[action$='/done'] button").count():
            assert page.locator(".content h2").count() >= 1
            submit(page, "form[action$='/done'] button")
        assert "5 dari 5 modul selesai" in page.content()
        page.goto(f"{base}/courses/KM-101/quiz")
        submit(page, "button:has-text('Mulai percobaan 1')")
        answer(page, quiz, correct=True)
        submit(page, "button:has-text('Kirim jawaban')")
        assert "Selamat" in page.content() and "Lulus" in page.content()
    finally:
        context.close()
