"""The portal in English, in a real browser: switched with the header's button, kept per account.

The interface's message ids are English, so English is complete by construction: every string the
code shows is written in English first and translated to Bahasa Indonesia (test_translations.py
fails when a translation is missing). This journey checks that a person can use it in English.
"""

from __future__ import annotations

import re

from lms.catalog.services import published_course
from tests.e2e.steps import LEARNER, answer, sign_in, submit

EN_DATE = r"(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}"


def test_a_learner_completes_a_course_in_english(live_server, page):
    """Can someone who prefers English switch, learn, pass and get a certificate, all in English?"""
    app, base = live_server
    with app.app_context():
        quiz = published_course("KM-101").current_version.quiz

    page.goto(f"{base}/login")
    assert page.title().startswith("Masuk")  # Bahasa Indonesia by default
    submit(page, ".lang-switch button:has-text('English')")
    assert page.title().startswith("Sign in")
    assert page.get_attribute("html", "lang") == "en"
    page.fill("#login", LEARNER[0])
    page.fill("#password", LEARNER[1])
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.locator("h1").inner_text() == "My learning"
    assert "You have not enrolled in a course yet." in page.content()

    submit(page, "text=Browse the course catalog")
    assert page.title().startswith("Course catalog")
    submit(page, "text=Dasar Kesehatan Masyarakat")
    submit(page, "button:has-text('Enrol in this course')")
    assert "You are enrolled in" in page.locator(".flashes").inner_text()
    submit(page, "ol.module-list >> a >> nth=0")
    for _ in range(5):
        submit(page, "form[action$='/done'] button")
        assert "marked as done" in page.locator(".flashes").inner_text()
    assert "5 of 5 modules done" in page.content()

    submit(page, "ol.module-list >> text=Final quiz")
    submit(page, "button:has-text('Start attempt 1')")
    assert page.locator("fieldset.question legend").first.inner_text().startswith("Question 1")
    answer(page, quiz, correct=True)
    submit(page, "button:has-text('Submit answers')")
    assert "Congratulations! You have completed this course" in page.content()

    submit(page, "text=View certificate >> nth=0")
    assert page.locator("h1").inner_text() == "Certificate of completion"
    completed = page.locator(".cert-facts dd").nth(2).inner_text()
    assert re.fullmatch(EN_DATE, completed), completed

    # Signing out forgets this browser's choice; signing in brings the account's choice back.
    submit(page, "button:has-text('Sign out')")
    assert page.title().startswith("Masuk")
    sign_in(page, base, *LEARNER)
    assert page.locator("h1").inner_text() == "My learning"
    assert "5 JP" in page.locator(".jp-card").inner_text()
