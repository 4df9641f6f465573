"""Bahasa Indonesia by default, English on request and remembered per user, each in its own formats.

The message ids in the code are English, so the English interface is complete by construction: a
string with no Indonesian translation is shown as its English id, and test_translations.py fails
on any Indonesian translation that is missing. These tests check what a person sees.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Completion
from lms.presentation import local_date, local_datetime, number, percent
from tests.conftest import ROOT, correct_answers, course_quiz, flashes, make_user, sign_in

ID_MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def id_catalogue():
    with open(ROOT / "lms/translations/id/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def indonesian(msgid: str) -> str:
    """The catalogue's Indonesian for a message (the English id while it has none)."""
    message = id_catalogue().get(msgid)
    return message.string if message is not None and message.string else msgid


def indonesian_ui_strings() -> set[str]:
    """Indonesian translations long and distinctive enough that finding one means a leak."""
    catalogue = id_catalogue()
    found = set()
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for s in strings:
            if s and "%(" not in s and "<" not in s and len(s) >= 12 and s not in ids:
                found.add(s)
    # Course texts are written in Indonesian whatever the interface language.
    courses = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "courses").rglob("*.md"))
    return {s for s in found if s not in courses}


def lang(page: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def hr_learner(app, client, bundled):
    user_id, login = make_user(app, "learner", "hr", name="Dewi Lestari", unit=None)
    sign_in(client, login)
    return user_id, login


def test_indonesian_is_the_default(app, client):
    """Does someone who has chosen nothing see the portal in Bahasa Indonesia?"""
    page = client.get("/login").get_data(as_text=True)
    assert lang(page) == "id"
    assert "<title>Masuk ·" in page and "Kata sandi" in page


def test_english_ui_shows_english_on_the_main_pages(app, client, hr_learner):
    """After choosing English, is every main page in English, with no Indonesian UI text left?"""
    client.post("/courses/PP-101/enrol")
    response = client.post("/language", data={"locale": "en", "next": "/my"})
    assert response.status_code == 302
    leaks = indonesian_ui_strings()
    pages = {
        "/my": "My learning",
        "/courses": "Course catalog",
        "/courses/PP-101": "About this course",
        "/courses/PP-101/modules/standar-pelayanan": "Mark as done",
        "/courses/PP-101/quiz": "Final quiz",
        "/reports": "Completion report",
        "/reports/employees": "Employees and their JP",
        "/employees/import": "Import employees",
        "/account/password": "Change password",
    }
    for path, heading in pages.items():
        page = client.get(path).get_data(as_text=True)
        assert lang(page) == "en", path
        assert heading in page, path
        assert "Sign out" in page and "Bahasa Indonesia" in page, path
        shown = text_of(page)
        leaked = sorted(s for s in leaks if s in shown)
        assert leaked == [], f"{path} shows Indonesian UI text in English: {leaked}"


def test_language_choice_is_remembered_for_the_account(app, client, hr_learner):
    """Does English follow the user to another browser, and back to Indonesian when they switch?"""
    user_id, login = hr_learner
    client.post("/language", data={"locale": "en", "next": "/my"})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"
    other_browser = app.test_client()
    sign_in(other_browser, login)
    assert lang(other_browser.get("/my").get_data(as_text=True)) == "en"

    other_browser.post("/language", data={"locale": "id", "next": "/my"})
    third = app.test_client()
    sign_in(third, login)
    assert "Pembelajaran saya" in third.get("/my").get_data(as_text=True)


def test_language_chosen_on_the_sign_in_page_is_kept_after_signing_in(app, client):
    """Does a person who picks English before signing in stay in English, now and next time?"""
    user_id, login = make_user(app, "learner")
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert lang(client.get("/login").get_data(as_text=True)) == "en"
    sign_in(client, login)
    assert lang(client.get("/my").get_data(as_text=True)) == "en"
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"


def test_switching_language_says_so_in_the_new_language(app, client, learner):
    """Is the confirmation of a language switch written in the language just chosen?"""
    client.get("/my")  # shows (and so clears) the welcome message
    response = client.post("/language", data={"locale": "en", "next": "/my"}, follow_redirects=True)
    assert flashes(response) == ["The portal is now shown in English."]
    response = client.post("/language", data={"locale": "id", "next": "/my"}, follow_redirects=True)
    in_indonesian = indonesian("The portal is now shown in %(language)s.")
    assert flashes(response) == [in_indonesian % {"language": "Bahasa Indonesia"}]


@pytest.mark.parametrize(
    "locale,day,moment,decimal,whole,share",
    [
        ("id", "23 November 2026", "23 November 2026 15.30 WIB", "1.234,5", "12.345", "87,5%"),
        (
            "en",
            "November 23, 2026",
            "November 23, 2026 3:30\u202fPM WIB",
            "1,234.5",
            "12,345",
            "87.5%",
        ),
    ],
)
def test_dates_and_numbers_follow_the_language(app, locale, day, moment, decimal, whole, share):
    """Are dates and numbers written the way each language writes them (23 November 2026, 1.234,5)?"""
    instant = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 15.30 in Jakarta
    with app.test_request_context(), force_locale(locale):
        assert local_date(instant) == day
        assert local_datetime(instant) == moment
        assert number(1234.5) == decimal
        assert number(12345, 0) == whole
        assert percent(87.5) == share


def test_pages_show_dates_in_the_language_chosen(app, client, learner, course):
    """Does the certificate show its date as 23 November 2026 in Indonesian, November 23, 2026 in
    English?"""
    client.post(f"/courses/{course}/enrol")
    for key in ("modul-1", "modul-2"):
        client.post(f"/courses/{course}/modules/{key}/done")
    attempt = client.post(f"/courses/{course}/quiz/start").location
    client.post(attempt, data=correct_answers(course_quiz(app, course)))
    with app.app_context():
        done = db.session.scalar(db.select(Completion).where(Completion.user_id == learner))
        certificate = f"/certificates/{done.certificate_no}"
    page = text_of(client.get(certificate).get_data(as_text=True))
    assert re.search(rf"Diselesaikan pada \d{{1,2}} ({ID_MONTHS}) \d{{4}}", page), page
    client.post("/language", data={"locale": "en"})
    page = text_of(client.get(certificate).get_data(as_text=True))
    assert re.search(rf"Completed on ({EN_MONTHS}) \d{{1,2}}, \d{{4}}", page), page
