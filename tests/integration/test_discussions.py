"""Course discussions: who takes part, asking and answering, accepting, pinning, moderation."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from lms.authoring.models import CourseAuthor
from lms.clock import utcnow
from lms.discussions.models import DiscussionPost, DiscussionThread, PostReport
from lms.extensions import db
from tests.conftest import flashes, make_user, sign_in

CODE = "TES-101"
BASE = f"/courses/{CODE}/discussion"


@dataclass
class Person:
    user_id: int
    name: str
    client: FlaskClient


def person(app, *roles: str, name: str, enrol: bool = False, author: bool = False) -> Person:
    """A user with their own browser, signed in, reading the portal in English."""
    user_id, login = make_user(app, *roles, name=name)
    client = app.test_client()
    sign_in(client, login)
    client.post("/language", data={"locale": "en"})
    if enrol:
        assert client.post(f"/courses/{CODE}/enrol").status_code == 302
    if author:
        with app.app_context():
            db.session.add(CourseAuthor(course_id=1, user_id=user_id, is_owner=True))
            db.session.commit()
    return Person(user_id, name, client)


@pytest.fixture
def people(app, course):
    return {
        "asker": person(app, "learner", name="Ani Penanya", enrol=True),
        "helper": person(app, "learner", name="Budi Penjawab", enrol=True),
        "trainer": person(app, "trainer", name="Citra Pelatih", author=True),
        "admin": person(app, "admin", name="Dedi Admin"),
        "outsider": person(app, "learner", name="Eka Luar"),
        "hr": person(app, "hr", name="Fajar SDM"),
        "other_trainer": person(app, "trainer", name="Gita Pelatih Lain"),
    }


def key() -> str:
    return secrets.token_urlsafe(16)


def ask(who: Person, title="Bagaimana cara mengisi piagam proyek?", body="Mohon **bantuan**.",
        module="", form_key=None):  # fmt: skip
    return who.client.post(
        BASE,
        data={"title": title, "body": body, "module": module, "form_key": form_key or key()},
    )


def thread_id(response) -> int:
    return int(re.search(r"/threads/(\d+)", response.location).group(1))


def answer(who: Person, tid: int, body="Isi bagian tujuan dulu.", form_key=None):
    return who.client.post(
        f"{BASE}/threads/{tid}", data={"body": body, "form_key": form_key or key()}
    )


def post_ids(app, tid: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(DiscussionPost.id)
                .where(DiscussionPost.thread_id == tid)
                .order_by(DiscussionPost.id)
            )
        )


def text(response) -> str:
    return response.get_data(as_text=True)


def test_outsiders_get_404_on_every_route(app, people):
    """Do HR, other trainers and learners not enrolled get 404 on every discussion route?"""
    tid = thread_id(ask(people["asker"]))
    answer(people["helper"], tid)
    question, reply = post_ids(app, tid)
    urls = [
        ("GET", BASE),
        ("POST", BASE),
        ("GET", f"{BASE}/threads/{tid}"),
        ("POST", f"{BASE}/threads/{tid}"),
        ("GET", f"{BASE}/posts/{question}/edit"),
        ("POST", f"{BASE}/posts/{reply}/accept"),
        ("POST", f"{BASE}/threads/{tid}/pin"),
        ("GET", f"{BASE}/posts/{reply}/report"),
        ("POST", f"{BASE}/posts/{reply}/report"),
        ("GET", f"{BASE}/posts/{reply}/hide"),
        ("POST", f"{BASE}/posts/{reply}/unhide"),
        ("POST", f"{BASE}/posts/{reply}/keep"),
        ("GET", f"{BASE}/moderation"),
    ]
    for name in ("outsider", "hr", "other_trainer"):
        client = people[name].client
        for method, url in urls:
            response = client.open(url, method=method, data={"reason": "x", "body": "x"})
            assert response.status_code == 404, (name, method, url, response.status_code)
    # Learners who take part may not use the moderators' routes either (the same 404).
    for method, url in urls[6:7] + urls[9:]:
        assert people["helper"].client.open(url, method=method).status_code == 404, url
    # ...while the course's participants read the discussion.
    for name in ("asker", "helper", "trainer", "admin"):
        assert people[name].client.get(f"{BASE}/threads/{tid}").status_code == 200, name


def test_course_page_links_to_the_discussion_only_for_participants(app, people):
    """Does the course page show the discussion link to participants and hide it from others?"""
    for name, shown in [("asker", True), ("trainer", True), ("admin", True), ("outsider", False),
                        ("hr", False)]:  # fmt: skip
        page = text(people[name].client.get(f"/courses/{CODE}"))
        assert ("Course discussion" in page) is shown, name


def test_a_question_gets_an_answer_and_the_list_shows_it(app, people):
    """After asking and answering, does the list show the question, its author and 1 answer?"""
    response = ask(people["asker"], title="Apa itu WBS?")
    assert response.status_code == 302
    tid = thread_id(response)
    assert answer(people["helper"], tid, body="Struktur rincian kerja.").status_code == 302
    listing = text(people["trainer"].client.get(BASE))
    assert "Apa itu WBS?" in listing and "1 answer" in listing and "Ani Penanya" in listing
    page = text(people["asker"].client.get(f"{BASE}/threads/{tid}"))
    assert "<strong>bantuan</strong>" in page and "Struktur rincian kerja." in page
    assert "WIB" in page  # times in Asia/Jakarta


def test_the_list_is_empty_at_first_and_filters_by_module(app, people):
    """Is there an empty state, and does the module filter show only that module's questions?"""
    assert "No questions yet" in text(people["asker"].client.get(BASE))
    ask(people["asker"], title="Soal modul dua", module="modul-2")
    ask(people["asker"], title="Soal umum")
    filtered = text(people["asker"].client.get(f"{BASE}?module=modul-2"))
    assert "Soal modul dua" in filtered and "Soal umum" not in filtered
    everything = text(people["asker"].client.get(BASE))
    assert "Soal modul dua" in everything and "Soal umum" in everything


def test_the_module_page_links_to_its_discussion(app, people):
    """Does a module page offer "Discuss this module" with the module chosen?"""
    page = text(people["asker"].client.get(f"/courses/{CODE}/modules/modul-1"))
    assert f"{BASE}?module=modul-1" in page and "Discuss this module" in page


def test_limits_refuse_long_text_and_keep_what_was_typed(app, people):
    """Are a 201-character title and a 10,001-character body refused, with the text kept?"""
    long_title = "Judul " + "x" * 195
    response = ask(people["asker"], title=long_title, body="Isi yang saya ketik sendiri.")
    assert response.status_code == 400
    page = text(response)
    assert "200 characters or fewer" in page
    assert long_title in page and "Isi yang saya ketik sendiri." in page
    response = ask(people["asker"], title="Judul wajar", body="y" * 10_001)
    assert response.status_code == 400 and "10000 characters or fewer" in text(response)
    assert "y" * 10_001 in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(DiscussionThread.id))) == 0
    # An answer over the limit is refused the same way, on the thread page.
    tid = thread_id(ask(people["asker"]))
    response = answer(people["helper"], tid, body="z" * 10_001)
    assert response.status_code == 400 and "z" * 10_001 in text(response)
    assert len(post_ids(app, tid)) == 1


def test_a_double_submit_creates_one_post(app, people):
    """Does sending the same form twice (a double click) create one question and one answer?"""
    form_key = key()
    first, second = ask(people["asker"], form_key=form_key), ask(people["asker"], form_key=form_key)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    tid = thread_id(first)
    answer_key = key()
    answer(people["helper"], tid, form_key=answer_key)
    answer(people["helper"], tid, form_key=answer_key)
    assert len(post_ids(app, tid)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count(DiscussionThread.id))) == 1


def test_a_form_without_its_key_is_shown_again_with_the_text(app, people):
    """Is a form whose one-time key is missing refused with a message and the text kept?"""
    response = people["asker"].client.post(BASE, data={"title": "Judul saya", "body": "Isi saya"})
    assert response.status_code == 400
    page = text(response)
    assert "The form has expired" in page and "Judul saya" in page and "Isi saya" in page


def test_only_one_answer_is_accepted_and_it_can_change(app, people):
    """Can the asker accept one answer, then another instead, and never have two marked?"""
    tid = thread_id(ask(people["asker"]))
    answer(people["helper"], tid, body="Jawaban pertama")
    answer(people["trainer"], tid, body="Jawaban kedua")
    _question, first, second = post_ids(app, tid)
    client = people["asker"].client
    assert client.post(f"{BASE}/posts/{first}/accept").status_code == 302
    page = text(client.get(f"{BASE}/threads/{tid}"))
    assert page.count("✓ Accepted answer") == 1
    client.post(f"{BASE}/posts/{second}/accept")
    with app.app_context():
        assert db.session.get(DiscussionThread, tid).accepted_post_id == second
    page = text(client.get(f"{BASE}/threads/{tid}"))
    assert page.count("✓ Accepted answer") == 1
    assert "Answered" in text(client.get(BASE))
    # The trainer may change it too; another learner may not.
    assert people["trainer"].client.post(f"{BASE}/posts/{first}/accept").status_code == 302
    assert people["helper"].client.post(f"{BASE}/posts/{second}/accept").status_code == 404
    with app.app_context():
        assert db.session.get(DiscussionThread, tid).accepted_post_id == first
    # Accepting the accepted answer again removes the mark.
    people["trainer"].client.post(f"{BASE}/posts/{first}/accept")
    with app.app_context():
        assert db.session.get(DiscussionThread, tid).accepted_post_id is None


def test_trainers_pin_a_question_to_the_top(app, people):
    """Does a pinned question come first even when another has newer activity?"""
    older = thread_id(ask(people["asker"], title="Pertanyaan lama"))
    ask(people["helper"], title="Pertanyaan baru")
    listing = text(people["asker"].client.get(BASE))
    assert listing.index("Pertanyaan baru") < listing.index("Pertanyaan lama")
    assert people["trainer"].client.post(f"{BASE}/threads/{older}/pin").status_code == 302
    listing = text(people["asker"].client.get(BASE))
    assert listing.index("Pertanyaan lama") < listing.index("Pertanyaan baru")
    assert "Pinned" in listing
    people["trainer"].client.post(f"{BASE}/threads/{older}/pin")
    listing = text(people["asker"].client.get(BASE))
    assert listing.index("Pertanyaan baru") < listing.index("Pertanyaan lama")


def test_a_post_is_reported_once_per_person(app, people):
    """Can a participant report a post once, with a reason, and see it in the trainer's queue?"""
    tid = thread_id(ask(people["asker"]))
    question = post_ids(app, tid)[0]
    client = people["helper"].client
    assert client.get(f"{BASE}/posts/{question}/report").status_code == 200
    refused = client.post(f"{BASE}/posts/{question}/report", data={"reason": ""})
    assert refused.status_code == 400 and "Give a reason." in text(refused)
    done = client.post(f"{BASE}/posts/{question}/report", data={"reason": "Berisi NIP orang lain"})
    assert done.status_code == 302
    again = client.post(f"{BASE}/posts/{question}/report", data={"reason": "Sekali lagi"}, follow_redirects=True)  # fmt: skip
    assert "already reported" in text(again)
    with app.app_context():
        assert db.session.scalar(select(func.count(PostReport.id))) == 1
    assert "You reported this post." in text(client.get(f"{BASE}/threads/{tid}"))
    queue = text(people["trainer"].client.get(f"{BASE}/moderation"))
    assert "Berisi NIP orang lain" in queue and "Budi Penjawab" in queue
    # Keeping the post closes its reports: the queue is empty again.
    people["trainer"].client.post(f"{BASE}/posts/{question}/keep")
    assert "No reported posts" in text(people["trainer"].client.get(f"{BASE}/moderation"))


def test_the_database_refuses_a_second_report_by_the_same_person(app, people):
    """Is "once per person" a unique constraint, not only a check in the code?"""
    from sqlalchemy.exc import IntegrityError

    tid = thread_id(ask(people["asker"]))
    question = post_ids(app, tid)[0]
    with app.app_context():
        db.session.add(
            PostReport(post_id=question, reporter_id=people["helper"].user_id, reason="a")
        )
        db.session.commit()
        db.session.add(
            PostReport(post_id=question, reporter_id=people["helper"].user_id, reason="b")
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_hidden_posts_are_hidden_from_learners_and_shown_to_moderators(app, people):
    """After a trainer hides an answer with a reason, do learners see only a note, moderators all?"""
    tid = thread_id(ask(people["asker"]))
    answer(people["helper"], tid, body="Hubungi saya di nomor pribadi 0812-RAHASIA")
    reply = post_ids(app, tid)[1]
    trainer = people["trainer"].client
    no_reason = trainer.post(f"{BASE}/posts/{reply}/hide", data={"reason": ""})
    assert no_reason.status_code == 400
    assert trainer.post(f"{BASE}/posts/{reply}/hide", data={"reason": "Data pribadi"}).status_code == 302  # fmt: skip
    for name in ("asker", "helper"):
        page = text(people[name].client.get(f"{BASE}/threads/{tid}"))
        assert "0812-RAHASIA" not in page and "Hidden by a moderator." in page, name
        assert "Data pribadi" not in page
        if name == "asker":  # (the helper's own name is in his header)
            assert "Budi Penjawab" not in page  # nor who wrote it
    for name in ("trainer", "admin"):
        page = text(people[name].client.get(f"{BASE}/threads/{tid}"))
        assert "0812-RAHASIA" in page and "Data pribadi" in page and "Hidden from learners" in page
        assert "Budi Penjawab" in page
    assert "0 answers" in text(people["asker"].client.get(BASE))
    assert trainer.post(f"{BASE}/posts/{reply}/unhide").status_code == 302
    assert "0812-RAHASIA" in text(people["asker"].client.get(f"{BASE}/threads/{tid}"))


def test_a_hidden_question_hides_its_title_from_learners(app, people):
    """Is a hidden question's title replaced in the list for learners, but not for moderators?"""
    tid = thread_id(ask(people["asker"], title="Judul yang tidak pantas"))
    question = post_ids(app, tid)[0]
    people["admin"].client.post(f"{BASE}/posts/{question}/hide", data={"reason": "Tidak pantas"})
    listing = text(people["helper"].client.get(BASE))
    assert "Judul yang tidak pantas" not in listing and "Ani Penanya" not in listing
    assert "Judul yang tidak pantas" not in text(people["helper"].client.get(f"{BASE}/threads/{tid}"))  # fmt: skip
    listing = text(people["trainer"].client.get(BASE))
    assert "Judul yang tidak pantas" in listing and "Ani Penanya" in listing


def test_a_hidden_post_stays_hidden_on_its_report_and_edit_pages(app, people):
    """Can a learner read a hidden answer through its Report page, or a hidden question's title
    in the breadcrumbs of the report and edit pages?"""
    tid = thread_id(ask(people["asker"], title="Judul yang tidak pantas"))
    answer(people["helper"], tid, body="Nomor KTP saya 3171-RAHASIA")
    question, reply = post_ids(app, tid)[:2]
    trainer = people["trainer"].client
    trainer.post(f"{BASE}/posts/{reply}/hide", data={"reason": "Data pribadi"})
    trainer.post(f"{BASE}/posts/{question}/hide", data={"reason": "Tidak pantas"})
    learner = people["asker"].client
    assert learner.get(f"{BASE}/posts/{reply}/report").status_code == 404
    assert learner.post(f"{BASE}/posts/{reply}/report", data={"reason": "x"}).status_code == 404
    edit = text(people["helper"].client.get(f"{BASE}/posts/{reply}/edit"))
    assert "Judul yang tidak pantas" not in edit
    answer(people["helper"], tid, body="Jawaban lain yang masih tampil.")
    visible = post_ids(app, tid)[2]
    report = text(learner.get(f"{BASE}/posts/{visible}/report"))
    assert "Jawaban lain" in report and "Judul yang tidak pantas" not in report
    own = text(people["helper"].client.get(f"{BASE}/posts/{visible}/edit"))
    assert "Jawaban lain" in own and "Judul yang tidak pantas" not in own
    assert "3171-RAHASIA" in text(trainer.get(f"{BASE}/posts/{reply}/report"))  # moderators


HOSTILE = """\
<script>alert('s')</script>
<img src="x" onerror="alert('e')">
[klik](javascript:alert('j'))
<iframe src="https://jahat.example/"></iframe>
![gambar](data:image/svg+xml;base64,PHN2Zz4=)
<a href="data:text/html,<b>x</b>">data</a>
<p onclick="alert('c')">paragraf</p>
"""


def test_hostile_markdown_is_made_harmless(app, people):
    """Are scripts, event handlers, javascript: and data: links and iframes removed from posts?"""
    tid = thread_id(ask(people["asker"], body=HOSTILE))
    answer(people["helper"], tid, body=HOSTILE)
    with app.app_context():
        stored = list(db.session.scalars(select(DiscussionPost.body_html)))
    page = text(people["trainer"].client.get(f"{BASE}/threads/{tid}"))
    posts = "".join(re.findall(r'<div class="content">(.*?)</div>', page, re.DOTALL))
    for html in [*stored, posts]:
        lowered = html.lower()
        for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "data:", "alert("):
            assert bad not in lowered, (bad, html)
    assert "paragraf" in posts


def test_the_author_edits_within_a_day_and_the_post_is_marked(app, people):
    """Can the author edit (rendered again, marked "edited"), others not, and not after a day?"""
    tid = thread_id(ask(people["asker"], title="Judul awal", body="Isi awal"))
    question = post_ids(app, tid)[0]
    client = people["asker"].client
    form = text(client.get(f"{BASE}/posts/{question}/edit"))
    assert "Judul awal" in form and "Isi awal" in form
    response = client.post(f"{BASE}/posts/{question}/edit", data={"title": "Judul baru", "body": "Isi *baru*"})  # fmt: skip
    assert response.status_code == 302
    page = text(client.get(f"{BASE}/threads/{tid}"))
    assert "Judul baru" in page and "<em>baru</em>" in page and "edited" in page
    assert people["helper"].client.get(f"{BASE}/posts/{question}/edit").status_code == 404
    with app.app_context():
        db.session.execute(
            update(DiscussionPost)
            .where(DiscussionPost.id == question)
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    late = client.post(f"{BASE}/posts/{question}/edit", data={"title": "Lagi", "body": "Lagi"})
    assert late.status_code == 302
    assert any("24 hours" in f for f in flashes(client.get(late.location)))
    with app.app_context():
        assert db.session.get(DiscussionPost, question).body == "Isi *baru*"


def test_a_burst_of_posts_is_stopped_with_a_clear_message(app, people):
    """Does the fourth post in a minute get a 429 page that explains and keeps the text?"""
    app.config["LMS_DISCUSSION_LIMIT"] = "3 per minute"
    tid = thread_id(ask(people["helper"]))
    for i in range(2):
        assert answer(people["helper"], tid, body=f"Jawaban {i}").status_code == 302
    blocked = answer(people["helper"], tid, body="Jawaban yang tertahan")
    assert blocked.status_code == 429
    page = text(blocked)
    assert "Too many posts in a short time" in page and "Jawaban yang tertahan" in page
    assert len(post_ids(app, tid)) == 3
    # Another person is not affected.
    assert answer(people["asker"], tid).status_code == 302


def test_pages_read_in_indonesian_by_default(app, people):
    """Does the discussion speak Indonesian to someone who did not choose English?"""
    _user_id, login = make_user(app, "learner", name="Hana")
    client = app.test_client()
    sign_in(client, login)
    client.post(f"/courses/{CODE}/enrol")
    page = text(client.get(BASE))
    assert "Diskusi" in page and "Ajukan pertanyaan" in page


def test_an_unknown_module_is_refused_in_indonesian(app, people):
    """Is a question for a module the course does not have refused with a message, text kept?"""
    _user_id, login = make_user(app, "learner", name="Indah")
    client = app.test_client()
    sign_in(client, login)
    client.post(f"/courses/{CODE}/enrol")
    response = client.post(
        BASE, data={"title": "Judul", "body": "Isi saya", "module": "tidak-ada", "form_key": key()}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Isi saya" in page and "Periksa isian yang ditandai" in page
    assert "Not a valid choice" not in page
