"""Issue 8's journeys in a real browser: a question answered in a course discussion, with the
header's notification count leading both people to it; a mentoring session logged by one side,
confirmed by the other, and counted in the mentee's learning hours."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.accessibility import assert_accessible
from tests.e2e.steps import LEARNER, sign_in, submit

TRAINER = ("pelatih", "pelatih-asn-2026")


def unread_badge(page) -> int:
    badge = page.locator(".user-menu .badge-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_a_question_is_answered_and_both_sides_are_told(live_server, browser, page):
    """Does a learner's question reach the course's trainer, and the answer reach the learner,
    through the header's count, with hostile Markdown left inert on the way?"""
    app, base = live_server
    from lms.accounts.services import find_by_login
    from lms.catalog.services import published_course
    from lms.extensions import db
    from lms.learning import services as learning

    with app.app_context():
        learning.enrol(find_by_login(LEARNER[0]).id, published_course("PM-101"))
        db.session.commit()

    sign_in(page, base, *LEARNER)
    page.goto(f"{base}/courses/PM-101/discussion")
    assert_accessible(page, "discussion: course")
    page.fill("#title", "Berapa tingkat WBS yang wajar?")
    page.fill("#body", "Untuk proyek kecil, **berapa** tingkat? <script>alert(1)</script>")
    submit(page, "form:has(#title) button[type=submit]")
    assert page.locator("h1", has_text="Berapa tingkat WBS yang wajar?").count() == 1
    assert page.locator(".post strong", has_text="berapa").count() == 1
    assert page.locator("main script").count() == 0
    question_url = page.url

    trainer = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    coach = trainer.new_page()
    sign_in(coach, base, *TRAINER)
    assert unread_badge(coach) >= 1
    coach.goto(f"{base}/notifications")
    assert_accessible(coach, "notifications")
    submit(coach, "button.link-button:has-text('Berapa tingkat WBS yang wajar?')")
    assert coach.url == question_url
    coach.fill("#body", "Biasanya **tiga** tingkat sudah cukup.")
    submit(coach, "form:has(#body) button[type=submit]")
    submit(coach, "form[action$='/accept'] button")
    assert_accessible(coach, "discussion: thread with an accepted answer")
    trainer.close()

    page.goto(f"{base}/my")
    assert unread_badge(page) >= 1
    page.goto(f"{base}/notifications")
    submit(page, "button.link-button:has-text('Berapa tingkat WBS yang wajar?')")
    assert page.url.split("#")[0] == question_url  # at the answer itself
    assert page.locator(".post strong", has_text="tiga").count() == 1


def test_a_mentoring_session_is_confirmed_by_the_other_side(live_server, browser, page):
    """Can the mentee log a session, the mentor confirm it, and the mentee see it confirmed and
    counted in this year's JP?"""
    _app, base = live_server
    sign_in(page, base, *LEARNER)
    page.goto(f"{base}/my")
    before = mentoring_jp(page)
    submit(page, "a[href$='/mentoring/']")
    assert_accessible(page, "mentoring: my pairings")
    submit(page, "main a[href*='/mentoring/pairings/']")
    assert_accessible(page, "mentoring: pairing")
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # this year's JP, whatever the day
    page.fill("#day", today.isoformat())
    page.fill("#start", "00:00")
    page.fill("#minutes", "45")
    page.fill("#topic", "Menyusun piagam proyek")
    page.fill("#notes", "Draf **piagam** proyek puskesmas keliling.")
    submit(page, "form:has(#topic) button[type=submit]")
    pairing_url = page.url.split("#")[0]
    heading = page.locator("h3", has_text="Menyusun piagam proyek")
    assert heading.count() == 1

    mentor_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    mentor = mentor_context.new_page()
    sign_in(mentor, base, *TRAINER)
    mentor.goto(pairing_url)
    submit(mentor, "button.primary:has-text('Menyusun piagam proyek')")
    mentor_context.close()

    page.goto(pairing_url)
    session = page.locator("article", has=page.locator("h3", has_text="Menyusun piagam proyek"))
    assert session.locator(".tag-ok").count() == 1
    page.goto(f"{base}/my")
    assert mentoring_jp(page) == before + 1  # 45 minutes are 1 JP; the demo's pending one is not


def mentoring_jp(page) -> float:
    """The dashboard's "Mentoring: N JP" (0 when no confirmed session counts this year)."""
    found = re.search(r"Mentoring: ([\d.,]+) JP", page.locator("main").inner_text())
    return float(found.group(1).replace(".", "").replace(",", ".")) if found else 0.0
