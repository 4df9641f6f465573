"""Mentoring: HR pairs mentors and mentees, either side logs a session, the other side confirms it
(once), confirmed minutes become JP, only the pair and HR see the notes, HR sees activity per unit.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts import services as accounts
from lms.extensions import db
from lms.mentoring import services
from lms.mentoring.models import CourseSuggestion, MentoringProgramme, MentoringSession, Mentorship
from lms.reports.models import ExportLog
from tests.conftest import flashes, make_user, sign_in

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> date:
    return datetime.now(JAKARTA).date()


@pytest.fixture
def people(app):
    with app.app_context():
        kota = accounts.ensure_unit("KOTA", "Pemerintah Kota")
        accounts.ensure_unit("DINKES", "Dinas Kesehatan", kota)
        accounts.ensure_unit("BKPSDM", "Badan Kepegawaian", kota)
        db.session.commit()
    return {
        "hr": make_user(app, "hr", name="Dewi HR", unit="BKPSDM"),
        "admin": make_user(app, "admin", name="Admin Portal"),
        "mentor": make_user(app, "learner", name="Rina Mentor", unit="BKPSDM"),
        "mentee": make_user(app, "learner", name="Budi Mentee", unit="DINKES"),
        "mentee2": make_user(app, "learner", name="Sari Mentee", unit="DINKES"),
        "third": make_user(app, "learner", name="Joko Lain"),
        "trainer": make_user(app, "trainer", name="Tono Pelatih"),
        "other_mentor": make_user(app, "learner", name="Ani Mentor Lain"),
    }


def programme(app, name="Mentoring CPNS", starts_on=None) -> int:
    with app.app_context():
        hr = db.session.scalar(select(accounts.User).where(accounts.User.name == "Dewi HR"))
        p = services.create_programme(name, "", starts_on or today() - timedelta(days=90), None, hr)
        db.session.commit()
        return p.id


def pair_http(client, programme_id, mentor, mentees, starts_on=None):
    return client.post(
        f"/mentoring/programmes/{programme_id}/pairings",
        data={
            "mentor": mentor,
            "mentees": "\n".join(mentees),
            "starts_on": (starts_on or today() - timedelta(days=60)).isoformat(),
        },
    )


@pytest.fixture
def pairing(app, client, people):
    """Rina mentors Budi in one programme; returns the mentorship id. The client is signed out."""
    pid = programme(app)
    sign_in(client, people["hr"][1])
    response = pair_http(client, pid, people["mentor"][1], [people["mentee"][1]])
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    with app.app_context():
        return db.session.scalar(select(Mentorship.id))


def as_user(app, people, who):
    client = app.test_client()
    sign_in(client, people[who][1])
    return client


def session_data(**overrides):
    data = {
        "day": (today() - timedelta(days=1)).isoformat(),
        "start": "09:30",
        "minutes": "90",
        "topic": "Rencana pengembangan diri",
        "notes": "Membahas **target** tahun ini.",
    }
    data.update(overrides)
    return data


def log(client, mentorship_id, **overrides):
    return client.post(
        f"/mentoring/pairings/{mentorship_id}/sessions", data=session_data(**overrides)
    )


def confirm(client, app, session_id, **options):
    """Press "Confirm" as the pairing page shows it: the form carries the session as seen."""
    with app.app_context():
        seen = services.SeenSession.of(db.session.get(MentoringSession, session_id)).token()
    return client.post(f"/mentoring/sessions/{session_id}/confirm", data={"seen": seen}, **options)


def only_session(app) -> MentoringSession:
    with app.app_context():
        s = db.session.scalar(select(MentoringSession).order_by(MentoringSession.id.desc()))
        db.session.expunge(s)
        return s


# --- pairing ----------------------------------------------------------------------------------


def test_hr_pairs_one_mentor_with_several_mentees(app, client, people):
    """Can HR pair a mentor with two mentees at once, and does the programme page list them?"""
    pid = programme(app)
    sign_in(client, people["hr"][1])
    response = pair_http(
        client, pid, people["mentor"][1], [people["mentee"][1], "  " + people["mentee2"][1]]
    )
    assert response.status_code == 302
    page = client.get(f"/mentoring/programmes/{pid}").get_data(as_text=True)
    assert "Budi Mentee" in page and "Sari Mentee" in page and "Dinas Kesehatan" in page


def test_a_mentee_has_one_active_mentor_per_programme(app, client, people, pairing):
    """Is a second active mentor for the same mentee in the same programme refused, clearly?"""
    with app.app_context():
        pid = db.session.scalar(select(Mentorship.programme_id))
    sign_in(client, people["hr"][1])
    response = pair_http(client, pid, people["other_mentor"][1], [people["mentee"][1]])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Rina Mentor" in page and "Tidak ada yang disimpan" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Mentorship.id))) == 1


def test_the_unique_index_refuses_a_racing_second_pairing(app, people, pairing, monkeypatch):
    """If two requests pass the check at once, does the database still keep one active pairing?"""
    with app.app_context():
        first = db.session.get(Mentorship, pairing)
        other = accounts.find_by_login(people["other_mentor"][1])
        # Both requests checked before either inserted: the check saw no active mentor.
        monkeypatch.setattr(services, "_active_mentors", lambda *_: {})
        with pytest.raises(services.PairingRefused) as refused:
            services.pair(
                first.programme, other.login, people["mentee"][1], first.starts_on, None, other
            )
        assert refused.value.problems[0].line == 1
        assert db.session.scalar(select(func.count(Mentorship.id))) == 1


def test_a_second_programme_allows_another_mentor(app, client, people, pairing):
    """Can the same mentee have another mentor in a different programme?"""
    pid = programme(app, name="Mentoring Kepemimpinan")
    sign_in(client, people["hr"][1])
    response = pair_http(client, pid, people["other_mentor"][1], [people["mentee"][1]])
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Mentorship.id))) == 2


def test_an_ended_pairing_keeps_its_history_and_allows_a_new_one(app, client, people, pairing):
    """After HR ends a pairing (with a confirmation step), can the mentee be paired again?"""
    sign_in(client, people["hr"][1])
    assert "Akhiri" in client.get(f"/mentoring/pairings/{pairing}/end").get_data(as_text=True)
    assert client.post(f"/mentoring/pairings/{pairing}/end").status_code == 302
    with app.app_context():
        pid = db.session.get(Mentorship, pairing).programme_id
    response = pair_http(client, pid, people["other_mentor"][1], [people["mentee"][1]])
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Mentorship.id))) == 2
        assert db.session.get(Mentorship, pairing).ended_at is not None


def test_every_bad_line_is_reported_and_nothing_is_saved(app, client, people):
    """With an unknown login, an invalid NIP, the mentor and a repeated line, is each reported
    with its reason, one good line not saved, and the typed list kept?"""
    pid = programme(app)
    sign_in(client, people["hr"][1])
    lines = [
        people["mentee"][1],
        "tidak-ada",
        "198609262015051000",
        people["mentor"][1],
        people["mentee"][1],
    ]
    response = pair_http(client, pid, people["mentor"][1], lines)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Baris 2" in page and "Baris 3" in page and "Baris 4" in page and "Baris 5" in page
    assert "Baris 1 " not in page
    assert "tidak-ada" in page and "198609262015051000" in page  # the textarea keeps the list
    with app.app_context():
        assert db.session.scalar(select(func.count(Mentorship.id))) == 0


# --- sessions and confirmation ----------------------------------------------------------------


def test_the_logger_cannot_confirm_their_own_session(app, people, pairing):
    """Does a session the mentee logged stay pending when the mentee tries to confirm it?"""
    mentee = as_user(app, people, "mentee")
    assert log(mentee, pairing).status_code == 302
    s = only_session(app)
    page = mentee.get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    assert f"/mentoring/sessions/{s.id}/confirm" not in page
    confirm(mentee, app, s.id)
    s = only_session(app)
    assert s.status == "pending" and s.jp is None


def test_the_other_side_confirms_and_minutes_become_jp(app, people, pairing):
    """When the mentor confirms a 90-minute session, is it worth 2.0 JP (45 minutes a JP)?"""
    log(as_user(app, people, "mentee"), pairing)
    s = only_session(app)
    mentor = as_user(app, people, "mentor")
    assert f"/mentoring/sessions/{s.id}/confirm" in mentor.get(
        f"/mentoring/pairings/{pairing}"
    ).get_data(as_text=True)
    response = confirm(mentor, app, s.id, follow_redirects=True)
    assert "Sesi dikonfirmasi" in " ".join(flashes(response))
    s = only_session(app)
    assert s.status == "confirmed" and s.jp == 2.0
    with app.app_context():
        assert s.decided_by_id == accounts.find_by_login(people["mentor"][1]).id
    assert s.decided_at is not None


def test_jp_follow_the_jp_setting(app, people, pairing):
    """With LMS_JP_MINUTES=60, is a confirmed 90-minute session worth 1.5 JP?"""
    app.config["LMS_JP_MINUTES"] = 60
    log(as_user(app, people, "mentor"), pairing)
    confirm(as_user(app, people, "mentee"), app, only_session(app).id)
    assert only_session(app).jp == 1.5


def test_a_double_confirm_confirms_once(app, people, pairing):
    """Two confirm clicks: is the session decided once, the second told it was already done?"""
    log(as_user(app, people, "mentee"), pairing)
    s = only_session(app)
    mentor = as_user(app, people, "mentor")
    confirm(mentor, app, s.id)
    decided_at = only_session(app).decided_at
    second = confirm(mentor, app, s.id, follow_redirects=True)
    assert "sudah dikonfirmasi atau ditolak" in " ".join(flashes(second))
    assert only_session(app).decided_at == decided_at


def test_the_conditional_update_decides_once_when_both_pass_the_check(app, people, pairing):
    """If two requests both saw the session pending, does only one decision land?"""
    log(as_user(app, people, "mentee"), pairing)
    session_id = only_session(app).id
    with app.app_context():
        mentor = accounts.find_by_login(people["mentor"][1])
        first = db.session.get(MentoringSession, session_id)
        services.confirm_session(first, mentor, jp_minutes=45)
        # What a second request loaded before the first committed: still pending.
        set_committed_value(first, "status", "pending")
        with pytest.raises(services.AlreadyDecided):
            services.decline_session(first, mentor, "tidak terjadi")
        db.session.commit()
    s = only_session(app)
    assert s.status == "confirmed" and s.decline_reason == ""


def test_declined_and_pending_sessions_never_get_jp(app, people, pairing):
    """Does a declined session (with its reason shown) and a pending one stay without JP?"""
    mentee = as_user(app, people, "mentee")
    log(mentee, pairing, topic="Sesi pertama")
    first = only_session(app)
    log(mentee, pairing, topic="Sesi kedua", start="11:00")
    mentor = as_user(app, people, "mentor")
    refused = mentor.post(f"/mentoring/sessions/{first.id}/decline", data={"reason": ""})
    assert only_session(app).status == "pending"
    assert refused.status_code == 302
    mentor.post(f"/mentoring/sessions/{first.id}/decline", data={"reason": "Sesi tidak terjadi"})
    with app.app_context():
        rows = db.session.execute(
            select(MentoringSession.topic, MentoringSession.status, MentoringSession.jp)
        ).all()
    assert sorted(rows) == [("Sesi kedua", "pending", None), ("Sesi pertama", "declined", None)]
    page = mentee.get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    assert "Sesi tidak terjadi" in page


def test_the_logger_edits_or_deletes_only_while_pending(app, people, pairing):
    """Can the logger change and delete a pending session, but not a confirmed one?"""
    mentee = as_user(app, people, "mentee")
    log(mentee, pairing)
    s = only_session(app)
    edit = mentee.post(f"/mentoring/sessions/{s.id}/edit", data=session_data(minutes="60"))
    assert edit.status_code == 302 and only_session(app).minutes == 60
    mentor = as_user(app, people, "mentor")
    assert mentor.post(f"/mentoring/sessions/{s.id}/delete").status_code == 302
    assert only_session(app) is not None  # the mentor did not log it
    confirm(mentor, app, s.id)
    mentee.post(f"/mentoring/sessions/{s.id}/delete")
    assert only_session(app).status == "confirmed"
    log(mentee, pairing, topic="Akan dihapus", start="13:00")
    doomed = only_session(app)
    mentee.post(f"/mentoring/sessions/{doomed.id}/delete")
    with app.app_context():
        assert db.session.get(MentoringSession, doomed.id) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": (today() + timedelta(days=3)).isoformat()}, "masa depan"),
        ({"day": (today() - timedelta(days=200)).isoformat()}, "dalam rentang tanggal"),
        ({"minutes": "10"}, "15 sampai 480 menit"),
        ({"minutes": "600"}, "15 sampai 480 menit"),
        ({"topic": ""}, "topik"),
        ({"day": "2026-13-45"}, "tanggal yang benar"),
        ({"minutes": "sembilan puluh"}, "bilangan bulat"),
        ({"start": "25:99"}, "jam dan menit"),
    ],
)
def test_a_refused_session_keeps_what_was_typed(app, people, pairing, overrides, message):
    """Is a future, out-of-range, too short or too long session refused with a reason, the form
    keeping the typed topic and notes?"""
    mentee = as_user(app, people, "mentee")
    data = session_data(
        **{"topic": "Topik yang diketik", "notes": "Catatan yang diketik", **overrides}
    )
    response = mentee.post(f"/mentoring/pairings/{pairing}/sessions", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page.lower() or message in page
    assert "Catatan yang diketik" in page
    if data["topic"]:
        assert 'value="Topik yang diketik"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(MentoringSession.id))) == 0


def test_a_double_click_logs_the_session_once(app, people, pairing):
    """Does sending the same session twice keep one row, and is another session at the same
    start refused with the typed text kept?"""
    mentee = as_user(app, people, "mentee")
    assert log(mentee, pairing).status_code == 302
    assert log(mentee, pairing).status_code == 302
    clash = log(mentee, pairing, topic="Topik lain di jam yang sama")
    assert clash.status_code == 400
    page = clash.get_data(as_text=True)
    assert "sudah dicatat" in page and "Topik lain di jam yang sama" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(MentoringSession.id))) == 1


def test_no_session_on_an_ended_pairing(app, client, people, pairing):
    """Once HR ends the pairing, is logging a session refused?"""
    sign_in(client, people["hr"][1])
    client.post(f"/mentoring/pairings/{pairing}/end")
    response = log(as_user(app, people, "mentee"), pairing)
    assert response.status_code == 400
    assert "telah berakhir" in response.get_data(as_text=True)


def test_started_at_is_stored_in_utc_from_the_local_time(app, people, pairing):
    """Is 09:30 WIB stored as 02:30 UTC?"""
    log(as_user(app, people, "mentee"), pairing, start="09:30")
    started = only_session(app).started_at
    assert (started.hour, started.minute) == (2, 30)


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["third", "trainer", "other_mentor"])
def test_outsiders_get_403_on_the_pairing_and_its_posts(app, people, pairing, who):
    """Can another learner, a trainer or an unrelated mentor see or change the pairing?"""
    log(as_user(app, people, "mentee"), pairing, notes="Rahasia pasangan")
    s = only_session(app)
    outsider = as_user(app, people, who)
    assert outsider.get(f"/mentoring/pairings/{pairing}").status_code == 403
    for url in [
        f"/mentoring/pairings/{pairing}/sessions",
        f"/mentoring/pairings/{pairing}/suggestions",
        f"/mentoring/sessions/{s.id}/confirm",
        f"/mentoring/sessions/{s.id}/decline",
        f"/mentoring/sessions/{s.id}/delete",
        f"/mentoring/sessions/{s.id}/edit",
    ]:
        assert outsider.post(url, data=session_data()).status_code == 403, url
    assert outsider.get(f"/mentoring/sessions/{s.id}/edit").status_code == 403
    assert only_session(app).status == "pending"
    assert "Rahasia" not in outsider.get("/mentoring/").get_data(as_text=True)


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_hr_and_admin_see_the_pairing_and_its_notes(app, people, pairing, who):
    """Do HR and admin see the sessions and notes, without confirm buttons of their own?"""
    log(as_user(app, people, "mentee"), pairing, notes="Catatan untuk HR")
    response = as_user(app, people, who).get(f"/mentoring/pairings/{pairing}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Catatan untuk HR" in page
    assert "/confirm" not in page


def test_hostile_markdown_in_notes_is_neutralised(app, people, pairing):
    """Are scripts, event handlers, javascript: links and iframes in notes gone from the page?"""
    notes = (
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[klik](javascript:alert(2))\n\n<iframe src='https://jahat.example'></iframe>\n\n"
        "Teks **aman**."
    )
    log(as_user(app, people, "mentee"), pairing, notes=notes)
    page = (
        as_user(app, people, "mentor").get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    )
    assert "<strong>aman</strong>" in page
    lowered = page.lower()
    assert "<script>alert" not in lowered and "onerror" not in lowered
    assert "javascript:" not in lowered and "<iframe" not in lowered


# --- the mentor's view and suggestions --------------------------------------------------------


def test_the_mentor_sees_the_mentees_progress(app, people, pairing, course):
    """Does the mentor see the mentee's courses in progress and JP against 20?"""
    mentee = as_user(app, people, "mentee")
    mentee.post(f"/courses/{course}/enrol")
    page = (
        as_user(app, people, "mentor").get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    )
    assert "Kemajuan Budi Mentee" in page and "Kursus Uji TES-101" in page
    assert "0 dari 20 JP" in page
    assert "Kemajuan" not in mentee.get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)


def test_suggestions_reach_the_mentee_only(app, client, people, pairing, course):
    """Does the mentee see the suggested course (linked), once, and another mentee not?"""
    mentor = as_user(app, people, "mentor")
    url = f"/mentoring/pairings/{pairing}/suggestions"
    assert mentor.post(url, data={"course": course, "note": "Cocok untuk Anda"}).status_code == 302
    again = mentor.post(
        url, data={"course": course, "note": "Cocok untuk Anda"}, follow_redirects=True
    )
    assert "Tidak ada yang berubah" in " ".join(flashes(again))
    mentor.post(url, data={"course": course, "note": "Catatan baru"})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseSuggestion.id))) == 1
    page = (
        as_user(app, people, "mentee").get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    )
    assert f'href="/courses/{course}"' in page and "Catatan baru" in page
    assert as_user(app, people, "mentee").post(url, data={"course": course}).status_code == 403
    # Sari, paired with the same mentor, sees nothing of it.
    with app.app_context():
        pid = db.session.scalar(select(MentoringProgramme.id))
    sign_in(client, people["hr"][1])
    pair_http(client, pid, people["mentor"][1], [people["mentee2"][1]])
    sari = as_user(app, people, "mentee2")
    with app.app_context():
        other = db.session.scalar(select(Mentorship.id).where(Mentorship.id != pairing))
    assert "Catatan baru" not in sari.get(f"/mentoring/pairings/{other}").get_data(as_text=True)
    assert sari.get(f"/mentoring/pairings/{pairing}").status_code == 403


def test_an_unpublished_course_cannot_be_suggested(app, people, pairing):
    """Is a course code that is not in the catalog refused?"""
    response = as_user(app, people, "mentor").post(
        f"/mentoring/pairings/{pairing}/suggestions", data={"course": "TIDAK-ADA"}
    )
    assert response.status_code == 400
    assert "tidak diterbitkan" in response.get_data(as_text=True)


# --- pages ------------------------------------------------------------------------------------


def test_my_mentoring_lists_pairings_or_says_there_are_none(app, people, pairing):
    """Do the mentor and mentee see the pairing, the dashboard section, and others an empty state?"""
    for who in ("mentor", "mentee"):
        client = as_user(app, people, who)
        assert "Mentoring CPNS" in client.get("/mentoring/").get_data(as_text=True)
        assert 'id="mentoring-heading"' in client.get("/my").get_data(as_text=True)
    third = as_user(app, people, "third")
    assert "tidak sedang dalam pasangan" in third.get("/mentoring/").get_data(as_text=True)
    assert 'id="mentoring-heading"' not in third.get("/my").get_data(as_text=True)


def test_pages_read_in_english(app, people, pairing):
    """With English chosen, does the pairing page speak English?"""
    client = as_user(app, people, "mentee")
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    assert "Log a session" in page and "Suggested courses" in page


def test_hr_creates_and_edits_a_programme(app, client, people):
    """Can HR create a programme, is a duplicate name refused with the text kept, and can it be
    edited?"""
    sign_in(client, people["hr"][1])
    data = {"name": "Mentoring 2026", "starts_on": "2026-01-01", "description": "Untuk CPNS"}
    assert client.post("/mentoring/programmes/new", data=data).status_code == 302
    again = client.post("/mentoring/programmes/new", data=data)
    assert again.status_code == 400 and "sudah ada" in again.get_data(as_text=True)
    assert 'value="Mentoring 2026"' in again.get_data(as_text=True)
    with app.app_context():
        pid = db.session.scalar(select(MentoringProgramme.id))
    bad = client.post(
        f"/mentoring/programmes/{pid}/edit",
        data={"name": "Mentoring 2026", "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
    )
    assert bad.status_code == 400
    data["name"] = "Mentoring CPNS 2026"
    assert client.post(f"/mentoring/programmes/{pid}/edit", data=data).status_code == 302
    assert "Mentoring CPNS 2026" in client.get("/mentoring/programmes").get_data(as_text=True)


def test_empty_lists_say_so(app, client, people):
    """Do the programme list and the activity report have empty states?"""
    sign_in(client, people["hr"][1])
    assert "Belum ada program" in client.get("/mentoring/programmes").get_data(as_text=True)
    activity = client.get("/mentoring/activity").get_data(as_text=True)
    assert "Tidak ada pasangan" in activity


# --- HR: activity per unit --------------------------------------------------------------------


def test_activity_per_unit_and_its_csv(app, client, people, pairing):
    """Does HR see per unit the pairings, sessions by status and confirmed hours and JP, in the
    page and in a logged CSV export, with sub-units counted under their parent?"""
    mentee = as_user(app, people, "mentee")
    mentor = as_user(app, people, "mentor")
    for topic, minutes, start in (
        ("Satu", "90", "08:00"),
        ("Dua", "45", "10:00"),
        ("Tiga", "30", "11:00"),
    ):
        log(mentee, pairing, topic=topic, minutes=minutes, start=start)
    with app.app_context():
        ids = {
            t: i for t, i in db.session.execute(select(MentoringSession.topic, MentoringSession.id))
        }
    confirm(mentor, app, ids["Satu"])
    confirm(mentor, app, ids["Dua"])
    mentor.post(f"/mentoring/sessions/{ids['Tiga']}/decline", data={"reason": "Batal"})
    log(mentor, pairing, topic="Empat", minutes="60", start="14:00")
    sign_in(client, people["hr"][1])
    since, until = (today() - timedelta(days=30)).isoformat(), today().isoformat()
    with app.app_context():
        kota = accounts.find_unit("KOTA").id
    page = client.get(f"/mentoring/activity?since={since}&until={until}&unit={kota}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<th scope="row">Dinas Kesehatan</th>' in text
    export = client.post(
        "/mentoring/activity/export/csv", data={"since": since, "until": until, "unit": kota}
    )
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        {
            "Kode unit": "DINKES",
            "Unit kerja": "Dinas Kesehatan",
            "Pasangan aktif": "1",
            "Sesi dikonfirmasi": "2",
            "Sesi menunggu": "1",
            "Sesi ditolak": "1",
            "Jam dikonfirmasi": "2.25",
            "JP": "3",
        }
    ]
    with app.app_context():
        log_row = db.session.scalar(select(ExportLog))
        assert log_row.export_format == "mentoring-csv" and log_row.row_count == 1
        assert log_row.filters["unit_id"] == kota
        bkpsdm = accounts.find_unit("BKPSDM").id
    other = client.get(f"/mentoring/activity?since={since}&until={until}&unit={bkpsdm}")
    assert '<th scope="row">Dinas Kesehatan' not in other.get_data(as_text=True)
    xlsx = client.post("/mentoring/activity/export/xlsx", data={"since": since, "until": until})
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_reports_page_links_to_mentoring(app, client, people):
    """Does HR find mentoring from the reports page?"""
    sign_in(client, people["hr"][1])
    assert "/mentoring/programmes" in client.get("/reports").get_data(as_text=True)


# --- Notifications -----------------------------------------------------------------------------


def unread(app, user_id) -> tuple[int, int]:
    """The header's counter and the number of unread rows (they must agree)."""
    from lms.notifications.models import Notification

    with app.app_context():
        counter = db.session.get(accounts.User, user_id).unread_notifications
        rows = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        return counter, rows


def test_each_side_hears_what_waits_for_them(app, people, pairing):
    """Is the mentee told of the pairing and of a session to confirm, and the mentor of the
    confirmation and a decline, each once, with the counter equal to the unread rows?"""
    mentor_id, mentee_id = people["mentor"][0], people["mentee"][0]
    assert unread(app, mentee_id) == (1, 1)  # paired
    assert unread(app, mentor_id) == (0, 0)
    mentor = as_user(app, people, "mentor")
    assert log(mentor, pairing).status_code == 302
    assert log(mentor, pairing).status_code == 302  # a double click: one session, one notice
    assert unread(app, mentee_id) == (2, 2)
    mentee = as_user(app, people, "mentee")
    mentee.post("/language", data={"locale": "en", "next": "/my"})
    page = mentee.get("/notifications").get_data(as_text=True)
    assert "Rina Mentor logged a mentoring session “Rencana pengembangan diri”" in page
    assert "Rina Mentor is your mentor in “Mentoring CPNS”" in page
    session_id = only_session(app).id
    assert confirm(mentee, app, session_id).status_code == 302
    assert confirm(mentee, app, session_id).status_code in (302, 409)
    assert unread(app, mentor_id) == (1, 1)
    log(mentee, pairing, start="13:00", topic="Umpan balik")
    assert unread(app, mentor_id) == (2, 2)
    second = only_session(app).id
    mentor.post(f"/mentoring/sessions/{second}/decline", data={"reason": "Tidak sesuai jadwal"})
    assert unread(app, mentee_id) == (3, 3)  # paired, logged, declined (own log: no notice)


# --- What a review found ------------------------------------------------------------------------


def test_a_session_edited_after_it_was_shown_is_not_confirmed_unseen(app, people, pairing):
    """The mentee sees 15 minutes, the mentor then makes it 480: does the confirmation (of the
    15 minutes shown) fail, leaving the session pending for a fresh look?"""
    mentor = as_user(app, people, "mentor")
    log(mentor, pairing, minutes="15")
    s = only_session(app)
    with app.app_context():
        shown = services.SeenSession.of(db.session.get(MentoringSession, s.id)).token()
    response = mentor.post(f"/mentoring/sessions/{s.id}/edit", data=session_data(minutes="480"))
    assert response.status_code == 302
    mentee = as_user(app, people, "mentee")
    response = mentee.post(
        f"/mentoring/sessions/{s.id}/confirm", data={"seen": shown}, follow_redirects=True
    )
    assert "diubah" in " ".join(flashes(response))  # "changed in the meantime"
    assert only_session(app).status == "pending" and only_session(app).jp is None
    assert confirm(mentee, app, s.id).status_code == 302  # as it is shown now: 480 minutes
    assert only_session(app).jp == round(480 / 45, 2)


def test_a_former_mentor_no_longer_sees_progress_or_suggests(app, client, people, pairing, course):
    """After HR ends the pairing, does the mentor lose the live progress and the suggestions?"""
    sign_in(client, people["hr"][1])
    client.post(f"/mentoring/pairings/{pairing}/end")
    mentor = as_user(app, people, "mentor")
    page = mentor.get(f"/mentoring/pairings/{pairing}").get_data(as_text=True)
    assert "Kemajuan Budi Mentee" not in page and "/suggestions" not in page
    url = f"/mentoring/pairings/{pairing}/suggestions"
    mentor.post(url, data={"course": course, "note": "Masih boleh?"})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseSuggestion.id))) == 0


def test_overlapping_sessions_are_refused(app, people, pairing):
    """Can the same morning be logged twice, a minute apart, to count its hours twice?"""
    mentor = as_user(app, people, "mentor")
    assert log(mentor, pairing, start="08:00", minutes="120").status_code == 302
    again = log(mentor, pairing, start="08:01", minutes="120", topic="Lagi")
    assert again.status_code == 400 and "tumpang tindih" in again.get_data(as_text=True)
    assert log(mentor, pairing, start="10:00", minutes="30", topic="Sesudahnya").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(MentoringSession.id))) == 2


def test_a_declined_session_logged_again_is_not_reported_as_logged(app, people, pairing):
    """The same form sent again after the other side declined: is the clash said plainly?"""
    mentor = as_user(app, people, "mentor")
    log(mentor, pairing)
    s = only_session(app)
    as_user(app, people, "mentee").post(
        f"/mentoring/sessions/{s.id}/decline", data={"reason": "Tidak terjadi"}
    )
    again = log(mentor, pairing)
    assert again.status_code == 400 and "sudah dicatat" in again.get_data(as_text=True)
