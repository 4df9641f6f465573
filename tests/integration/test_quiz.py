"""Quiz integrity through HTTP: hidden answers, shuffling, attempt limits, forged and double submits."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.quiz.models import QuizAttempt
from tests.conftest import correct_answers, course_quiz, flashes, make_user, sign_in


def enrol_and_start(client, code="TES-101") -> str:
    assert client.post(f"/courses/{code}/enrol").status_code == 302
    response = client.post(f"/courses/{code}/quiz/start")
    assert response.status_code == 302 and "/attempts/" in response.location
    return response.location


def test_correct_answers_never_reach_the_browser_before_submission(app, client, course, learner):
    """Can a learner find out which option is correct from the attempt page's HTML?"""
    url = enrol_and_start(client)
    html = client.get(url).get_data(as_text=True)
    quiz = course_quiz(app, course)
    for q in quiz["questions"]:
        for option in q.get("options", []):
            assert option["id"] in html  # every option is offered ...
        assert q["explanation_html"] == "" or q["explanation_html"] not in html
    # ... and nothing marks the right ones or carries the accepted short answer.
    assert "correct" not in html.lower()
    assert "2,5" not in html
    assert "Jakarta masih ibu kota" not in html


def test_order_is_shuffled_per_attempt_and_fixed_within_it(app, client, course):
    """Is the question order fixed for one attempt (reloads) and drawn anew across learners?"""
    orders = set()
    for _ in range(6):
        _, login = make_user(app, "learner")
        c = app.test_client()
        sign_in(c, login)
        url = enrol_and_start(c)
        first = re.findall(r'name="(q\d+)"', c.get(url).get_data(as_text=True))
        again = re.findall(r'name="(q\d+)"', c.get(url).get_data(as_text=True))
        assert first == again
        orders.add(tuple(dict.fromkeys(first)))
    assert len(orders) > 1


def test_forged_option_is_refused_and_nothing_is_graded(app, client, course, learner):
    """Does a submission with a made-up option id get a clear message and leave the attempt open?"""
    url = enrol_and_start(client)
    form = correct_answers(course_quiz(app, course))
    form["q1"] = ["o-made-up-id"]
    response = client.post(url, data=MultiDict(form))
    assert response.status_code == 400
    assert "menerima pilihan yang bukan miliknya" in " ".join(flashes(response))
    with app.app_context():
        attempt = db.session.query(QuizAttempt).one()
        assert attempt.submitted_at is None and attempt.score is None


def test_missing_answers_keep_what_the_learner_chose(app, client, course, learner):
    """When a question is left empty, is the form shown again with the other answers kept?"""
    url = enrol_and_start(client)
    form = correct_answers(course_quiz(app, course))
    chosen = form["q1"][0]
    del form["q3"]
    form["q4"] = ["2,5"]
    response = client.post(url, data=MultiDict(form))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 soal belum dijawab" in " ".join(flashes(response))
    assert re.search(rf'value="{chosen}" checked', html)
    assert 'value="2,5"' in html


def test_double_submit_is_graded_once(app, client, course, learner):
    """Does submitting the same attempt twice keep the first grade and say so?"""
    url = enrol_and_start(client)
    quiz = course_quiz(app, course)
    first = client.post(url, data=MultiDict(correct_answers(quiz, wrong=4)))
    assert first.status_code == 302
    second = client.post(url, data=MultiDict(correct_answers(quiz)), follow_redirects=True)
    assert "sudah dikirim" in " ".join(flashes(second))
    with app.app_context():
        attempt = db.session.query(QuizAttempt).one()
        assert attempt.score == 0.0 and attempt.passed is False


def test_max_attempts_is_enforced(app, client, course, learner):
    """After max_attempts failed attempts, can the learner start another?"""
    quiz = course_quiz(app, course)
    client.post("/courses/TES-101/enrol")
    for _ in range(2):
        url = client.post("/courses/TES-101/quiz/start").location
        client.post(url, data=MultiDict(correct_answers(quiz, wrong=4)))
    response = client.post("/courses/TES-101/quiz/start", follow_redirects=True)
    assert "telah menggunakan seluruh 2 percobaan" in " ".join(flashes(response))
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 2
    result = client.get(f"{url}/result").get_data(as_text=True)
    assert "Jawaban yang benar" in result or "jawaban benar" in result  # revealed: no attempt left


def test_result_shows_feedback_and_explanations_but_not_the_key_while_attempts_remain(
    app, client, course, learner
):
    """After a failed attempt with attempts left, does the learner get verdicts and explanations only?"""
    url = enrol_and_start(client)
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, course), wrong=4)))
    html = client.get(f"{url}/result").get_data(as_text=True)
    assert "Jakarta masih ibu kota" in html  # explanation
    assert "Salah" in html  # verdict per question
    assert "tag-ok" not in html  # no 'correct answer' markers
    assert "Jawaban yang diterima" not in html


def test_another_learners_attempt_is_not_found(app, client, course, learner):
    """Can a learner open or submit someone else's attempt by guessing its number?"""
    url = enrol_and_start(client)
    _, other = make_user(app, "learner")
    intruder = app.test_client()
    sign_in(intruder, other)
    assert intruder.get(url).status_code == 404
    assert intruder.get(f"{url}/result").status_code == 404
    assert (
        intruder.post(url, data=MultiDict(correct_answers(course_quiz(app, course)))).status_code
        == 404
    )


def test_quiz_needs_enrolment(app, client, course, learner):
    """Can a learner start the quiz of a course they have not enrolled in?"""
    response = client.post("/courses/TES-101/quiz/start", follow_redirects=True)
    assert (
        "Daftarlah" in " ".join(flashes(response))
        or "daftar" in " ".join(flashes(response)).lower()
    )
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 0


def test_no_new_attempt_after_passing(app, client, course, learner):
    """Once passed, does 'start' refuse a new attempt instead of creating one?"""
    url = enrol_and_start(client)
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, course))))
    response = client.post("/courses/TES-101/quiz/start", follow_redirects=True)
    assert "sudah lulus" in " ".join(flashes(response))
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 1
