"""In-app notifications: who is told what, the unread count in the header, reading them."""

from __future__ import annotations

import re
import secrets
import threading

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.authoring.models import CourseAuthor
from lms.extensions import db
from lms.notifications import services
from lms.notifications.models import Notification
from tests.conftest import make_user, sign_in

CODE = "TES-101"
BASE = f"/courses/{CODE}/discussion"
# The header link with one unread notification: the count is visible text, then "unread".
UNREAD_ONE = 'badge-count">1</span><span class="visually-hidden"> unread</span>'


def browser(app, user_id_login, english=True):
    client = app.test_client()
    sign_in(client, user_id_login[1])
    if english:
        client.post("/language", data={"locale": "en"})
    return client


@pytest.fixture
def cast(app, course):
    """An asker and a helper enrolled in the course, and its trainer, each signed in."""
    asker, helper, trainer = (
        make_user(app, "learner", name="Ani Penanya"),
        make_user(app, "learner", name="Budi Penjawab"),
        make_user(app, "trainer", name="Citra Pelatih"),
    )
    with app.app_context():
        db.session.add(CourseAuthor(course_id=1, user_id=trainer[0], is_owner=True))
        db.session.commit()
    clients = {name: browser(app, u) for name, u in
               [("asker", asker), ("helper", helper), ("trainer", trainer)]}  # fmt: skip
    for name in ("asker", "helper"):
        assert clients[name].post(f"/courses/{CODE}/enrol").status_code == 302
    ids = {"asker": asker[0], "helper": helper[0], "trainer": trainer[0]}
    return ids, clients


def counts(app, user_id) -> tuple[int, int]:
    """(the counter on the user row, the number of unread notification rows)."""
    with app.app_context():
        counter = db.session.get(User, user_id).unread_notifications
        unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        return counter, unread


def ask(client, title="Bagaimana mengisi piagam?"):
    response = client.post(
        BASE, data={"title": title, "body": "Mohon bantuan.", "form_key": secrets.token_urlsafe(16)}
    )
    assert response.status_code == 302
    return int(re.search(r"/threads/(\d+)", response.location).group(1))


def answer(client, tid, body="Isi tujuan dulu."):
    response = client.post(
        f"{BASE}/threads/{tid}", data={"body": body, "form_key": secrets.token_urlsafe(16)}
    )
    assert response.status_code == 302
    return response


def test_the_trainer_is_told_of_a_new_question(app, cast):
    """Does a new question notify the course's trainer, and show in their header and list?"""
    ids, clients = cast
    ask(clients["asker"], title="Apa itu WBS?")
    assert counts(app, ids["trainer"]) == (1, 1)
    page = clients["trainer"].get("/notifications").get_data(as_text=True)
    assert UNREAD_ONE in page
    assert "New question in Kursus Uji TES-101: “Apa itu WBS?”." in page
    assert counts(app, ids["asker"]) == (0, 0)  # the asker is not told of their own question


def test_an_answer_by_someone_else_notifies_the_asker_but_their_own_does_not(app, cast):
    """Is the asker told when another person answers, and not when they answer themselves?"""
    ids, clients = cast
    tid = ask(clients["asker"])
    answer(clients["asker"], tid, body="Tambahan dari saya sendiri.")
    assert counts(app, ids["asker"]) == (0, 0)
    answer(clients["helper"], tid)
    assert counts(app, ids["asker"]) == (1, 1)
    page = clients["asker"].get("/my").get_data(as_text=True)
    assert UNREAD_ONE in page
    listing = clients["asker"].get("/notifications").get_data(as_text=True)
    assert "Budi Penjawab answered your question “Bagaimana mengisi piagam?”." in listing


def test_opening_a_notification_marks_it_read_and_goes_to_the_answer(app, cast):
    """Does opening one lead to the answer, lower the count by one, and only once?"""
    ids, clients = cast
    tid = ask(clients["asker"])
    answer(clients["helper"], tid)
    answer(clients["trainer"], tid)
    assert counts(app, ids["asker"]) == (2, 2)
    with app.app_context():
        first = db.session.scalar(
            select(Notification.id).where(Notification.user_id == ids["asker"]).limit(1)
        )
    opened = clients["asker"].post(f"/notifications/{first}")
    assert opened.status_code == 302
    assert opened.location.startswith(f"{BASE}/threads/{tid}#post-")
    assert counts(app, ids["asker"]) == (1, 1)
    clients["asker"].post(f"/notifications/{first}")  # a second tab: nothing changes
    assert counts(app, ids["asker"]) == (1, 1)
    assert UNREAD_ONE in clients["asker"].get("/my").get_data(as_text=True)


def test_mark_all_as_read_sets_the_count_to_zero(app, cast):
    """After "mark all as read", is the count 0, and the header without a number?"""
    ids, clients = cast
    tid = ask(clients["asker"])
    answer(clients["helper"], tid)
    answer(clients["trainer"], tid)
    assert clients["asker"].post("/notifications/read").status_code == 302
    assert counts(app, ids["asker"]) == (0, 0)
    page = clients["asker"].get("/my").get_data(as_text=True)
    assert "badge-count" not in page and ">Notifications</a>" in page
    listing = clients["asker"].get("/notifications").get_data(as_text=True)
    assert "Mark all as read" not in listing and "answered your question" in listing


def test_someone_elses_notification_is_404(app, cast):
    """Can a user open (and so mark read) another user's notification? No: 404."""
    ids, clients = cast
    ask(clients["asker"])
    with app.app_context():
        theirs = db.session.scalar(select(Notification.id))
    assert clients["helper"].post(f"/notifications/{theirs}").status_code == 404
    assert counts(app, ids["trainer"]) == (1, 1)


def test_the_list_is_empty_at_first_and_pages_newest_first(app, cast):
    """Is there an empty state, and are 25 notifications split over pages, newest first?"""
    ids, clients = cast
    page = clients["helper"].get("/notifications").get_data(as_text=True)
    assert "You have no notifications yet" in page
    with app.app_context():
        for i in range(25):
            services.notify(ids["helper"], "test.kind", "/my", n=i)
        db.session.commit()
    first = clients["helper"].get("/notifications").get_data(as_text=True)
    assert "Page 1 of 2" in first
    shown = [int(n) for n in re.findall(r'action="/notifications/(\d+)"', first)]
    assert len(shown) == 20 and shown == sorted(shown, reverse=True)
    second = clients["helper"].get("/notifications?page=2").get_data(as_text=True)
    assert len(re.findall(r'action="/notifications/(\d+)"', second)) == 5
    assert counts(app, ids["helper"]) == (25, 25)


def test_two_notifications_created_at_once_both_count(app, cast):
    """When two requests notify the same user at the same moment, does the count say 2?"""
    ids, _clients = cast
    barrier = threading.Barrier(2)
    errors = []

    def notify_once(n):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                db.session.get(User, ids["asker"])  # on PostgreSQL both read the old count
                services.notify(ids["asker"], "test.kind", "/my", n=n)
                db.session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=notify_once, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert counts(app, ids["asker"]) == (2, 2)


def test_the_signal_is_sent_after_the_commit_and_not_for_a_rollback(app, cast):
    """Is notification_created (the email hook) sent once saved, and never for a rollback?"""
    ids, _clients = cast
    received = []

    def receiver(sender, notification):
        received.append(notification)

    services.notification_created.connect(receiver)
    try:
        with app.app_context():
            services.notify(ids["asker"], "test.kind", "/my")
            assert received == []  # not before the commit
            db.session.rollback()
            services.notify(ids["asker"], "test.kind", "/my", n=1)
            db.session.commit()
    finally:
        services.notification_created.disconnect(receiver)
    assert [(n.user_id, n.kind, n.url, n.params) for n in received] == [
        (ids["asker"], "test.kind", "/my", {"n": 1})
    ]
    assert counts(app, ids["asker"]) == (1, 1)


def test_a_notification_never_leads_to_another_site(app, cast):
    """Does notify refuse a full address or a protocol-relative one?"""
    ids, _clients = cast
    with app.app_context():
        for url in ("https://jahat.example/", "//jahat.example/", "javascript:alert(1)", "my"):
            with pytest.raises(ValueError):
                services.notify(ids["asker"], "test.kind", url)


def test_an_unknown_kind_still_shows_a_message(app, cast):
    """Does a kind nobody registered show a general message rather than an error?"""
    ids, clients = cast
    with app.app_context():
        services.notify(ids["helper"], "mentoring.unknown", "/my", who="x")
        db.session.commit()
    page = clients["helper"].get("/notifications").get_data(as_text=True)
    assert "You have a new notification." in page


def test_the_header_counts_in_indonesian(app, cast):
    """Does the header read "Notifikasi" with the count in Indonesian by default?"""
    user_id, login = make_user(app, "learner", name="Hana")
    with app.app_context():
        services.notify(user_id, "test.kind", "/my")
        services.notify(user_id, "test.kind", "/my")
        db.session.commit()
    client = app.test_client()
    sign_in(client, login)
    page = client.get("/my").get_data(as_text=True)
    badge = (
        '<span class="badge badge-count">2</span><span class="visually-hidden"> belum dibaca</span>'
    )
    assert ">Notifikasi " + badge in page


def test_an_accepted_answer_notifies_its_author(app, cast):
    """When the asker accepts someone's answer, is that answer's author told?"""
    ids, clients = cast
    tid = ask(clients["asker"])
    answer(clients["helper"], tid)
    with app.app_context():
        from lms.discussions.models import DiscussionPost

        reply = db.session.scalar(
            select(DiscussionPost.id).where(
                ~DiscussionPost.is_question, DiscussionPost.thread_id == tid
            )
        )
    assert clients["asker"].post(f"{BASE}/posts/{reply}/accept").status_code == 302
    assert counts(app, ids["helper"]) == (1, 1)
    listing = clients["helper"].get("/notifications").get_data(as_text=True)
    assert "Your answer to “Bagaimana mengisi piagam?” was marked as accepted." in listing


def test_the_header_count_costs_no_query(app, cast):
    """Does a page cost the same number of queries with unread notifications as without?"""
    from sqlalchemy import event

    ids, clients = cast
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    clients["helper"].get("/notifications")  # warm up
    event.listen(engine, "before_cursor_execute", record)
    try:
        clients["helper"].get("/notifications")
        without = len(statements)
        with app.app_context():
            services.notify(ids["helper"], "test.kind", "/my")
            db.session.commit()
        statements.clear()
        page = clients["helper"].get("/notifications").get_data(as_text=True)
        with_unread = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert UNREAD_ONE in page
    assert with_unread == without
