"""Course statistics for trainers: counts, rates, medians, the hardest questions and module drop-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template, session
from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from lms.authoring.statistics import course_statistics
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion
from tests.conftest import (
    correct_answers,
    course_quiz,
    import_course,
    make_user,
    sign_in,
    write_course,
)

CODE = "TES-101"
START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def answer_form(quiz: dict, verdicts: str) -> MultiDict:
    """Answers from one letter per question, in quiz order: R right, W wrong, H half credit.

    H gives one of the two correct options of the multiple-choice question (q2): half its points.
    """
    right = correct_answers(quiz)
    wrong = correct_answers(quiz, wrong=len(quiz["questions"]))
    form = {}
    for q, verdict in zip(quiz["questions"], verdicts, strict=True):
        key = q["key"]
        form[key] = {"R": right[key], "W": wrong[key], "H": right[key][:1]}[verdict]
    return MultiDict(form)


def enrolled_learner(app, name: str, code: str = CODE):
    """A learner with their own signed-in client, enrolled through the course page."""
    user_id, login = make_user(app, "learner", name=name)
    client = app.test_client()
    sign_in(client, login)
    assert client.post(f"/courses/{code}/enrol").status_code == 302
    return user_id, client


def mark_done(client, *modules: str, code: str = CODE) -> None:
    for key in modules:
        assert client.post(f"/courses/{code}/modules/{key}/done").status_code == 302


def take_quiz(app, client, verdicts: str, code: str = CODE) -> None:
    url = client.post(f"/courses/{code}/quiz/start").location
    assert "/attempts/" in url
    response = client.post(url, data=answer_form(course_quiz(app, code), verdicts))
    assert response.status_code == 302


def took(app, user_id: int, duration: timedelta) -> None:
    """Set how long a learner took from enrolment to completion (the flows ran just now)."""
    with app.app_context():
        db.session.execute(
            update(Completion)
            .where(Completion.user_id == user_id)
            .values(enrolled_at=START, completed_at=START + duration)
        )
        db.session.commit()


def statistics(app, code: str = CODE):
    with app.app_context():
        return course_statistics(published_course(code))


def render(app, code: str = CODE, locale: str = "en") -> str:
    with app.test_request_context("/"):
        session["locale"] = locale
        course = published_course(code)
        return render_template(
            "authoring/statistics.html", course=course, stats=course_statistics(course)
        )


@pytest.fixture
def cohort(app, course):
    """Five learners on TES-101 (quiz: q1 single, q2 multiple, q3 true/false, q4 short).

    ani fails (q1, q2 wrong), retries and gets everything right; budi passes with q2 half right
    and q4 wrong; cici fails (q3, q4 wrong) after one module; dodi only enrolled; eka passes
    with q4 wrong. Ani, budi and eka complete in 1, 2 and 10 days.
    """
    ani, ani_client = enrolled_learner(app, "Ani")
    mark_done(ani_client, "modul-1", "modul-2")
    take_quiz(app, ani_client, "WWRR")
    take_quiz(app, ani_client, "RRRR")

    budi, budi_client = enrolled_learner(app, "Budi")
    mark_done(budi_client, "modul-1", "modul-2")
    take_quiz(app, budi_client, "RHRW")

    _, cici_client = enrolled_learner(app, "Cici")
    mark_done(cici_client, "modul-1")
    take_quiz(app, cici_client, "RRWW")

    enrolled_learner(app, "Dodi")

    eka, eka_client = enrolled_learner(app, "Eka")
    mark_done(eka_client, "modul-1", "modul-2")
    take_quiz(app, eka_client, "RRRW")

    took(app, ani, timedelta(days=1))
    took(app, budi, timedelta(days=2))
    took(app, eka, timedelta(days=10))
    return {"ani": ani, "budi": budi, "eka": eka}


def test_course_figures_count_enrolments_completions_and_attempts(app, cohort):
    """Does the trainer see how many enrolled, completed and passed, and the medians?"""
    stats = statistics(app)
    assert stats.enrolments == 5
    assert stats.completions == 3
    assert stats.completion_rate == 60.0
    assert stats.median_score == 75.0  # 100, 62.5 and 75
    assert stats.median_time_to_complete == timedelta(days=2)  # 1, 2 and 10 days
    assert stats.attempts == 5  # ani's retry counts as an attempt here
    assert stats.passed_attempts == 3
    assert stats.pass_rate == 60.0
    assert stats.version_number == 1


def test_questions_come_hardest_first_with_each_learner_counted_once(app, cohort):
    """Are questions ordered by how few got them right, using each learner's latest attempt only?"""
    stats = statistics(app)
    assert stats.quiz_learners == 4
    shown = [
        (q.key, q.answered, q.right_share, q.partly_share, q.average_credit)
        for q in stats.questions
    ]
    assert shown == [
        ("q4", 4, 25.0, 0.0, 25.0),  # only ani
        (
            "q2",
            4,
            75.0,
            25.0,
            87.5,
        ),  # budi half right; ties with q3 on 75%, comes first in the quiz
        ("q3", 4, 75.0, 0.0, 75.0),  # cici wrong
        ("q1", 4, 100.0, 0.0, 100.0),  # ani's first, wrong attempt is replaced by her retry
    ]
    q2 = stats.questions[1]
    assert q2.position == 2 and q2.kind == "multiple" and q2.label == "Pilih bilangan genap"
    assert q2.wrong_share == 0.0


def test_modules_show_how_many_enrolled_learners_got_how_far(app, cohort):
    """Does the trainer see where learners stop: each module's learners who marked it done?"""
    modules = statistics(app).modules
    assert [(m.position, m.key, m.title, m.done, m.done_share) for m in modules] == [
        (1, "modul-1", "Modul 1", 4, 80.0),
        (2, "modul-2", "Modul 2", 3, 60.0),
    ]


def test_median_time_of_an_even_number_of_completions_is_the_mean_of_the_middle_two(app, course):
    """With completions after 1 day and 2½ days, is the median time 1 day 18 hours?"""
    for name, duration in (("Ani", timedelta(days=1)), ("Budi", timedelta(days=2, hours=12))):
        user_id, client = enrolled_learner(app, name)
        mark_done(client, "modul-1", "modul-2")
        take_quiz(app, client, "RRRW" if name == "Ani" else "RRRR")
        took(app, user_id, duration)
    stats = statistics(app)
    assert stats.completions == 2
    assert stats.median_time_to_complete == timedelta(days=1, hours=18)
    assert stats.median_score == 87.5  # 75 and 100


def test_course_nobody_enrolled_in_has_empty_figures(app, course):
    """A course nobody has enrolled in: zero counts, no rates or medians, nothing answered?"""
    stats = statistics(app)
    counts = (stats.enrolments, stats.completions, stats.attempts, stats.passed_attempts)
    assert counts == (0, 0, 0, 0)
    assert stats.completion_rate is None and stats.pass_rate is None
    assert stats.median_score is None and stats.median_time_to_complete is None
    assert stats.quiz_learners == 0
    assert [q.key for q in stats.questions] == ["q1", "q2", "q3", "q4"]  # in quiz order
    assert all(
        q.answered == 0 and q.right_share is None and q.average_credit is None
        for q in stats.questions
    )
    assert [(m.done, m.done_share) for m in stats.modules] == [(0, None), (0, None)]


def test_attempts_on_an_earlier_version_do_not_count_per_question(app, tmp_path):
    """After a new version, do per-question shares describe the new version only (unanswered last)?"""
    folder = write_course(tmp_path / "tes")
    import_course(app, folder)
    _, first = enrolled_learner(app, "Ani")
    mark_done(first, "modul-1")
    take_quiz(app, first, "WWWW")

    (folder / "02-modul-2.md").write_text("---\ntitle: Modul 2 revisi\nminutes: 12\n---\n\nBaru.\n")
    assert import_course(app, folder)[0].version_number == 2
    _, second = enrolled_learner(app, "Budi")
    take_quiz(app, second, "RRWR")

    stats = statistics(app)
    assert stats.version_number == 2
    assert (stats.enrolments, stats.attempts, stats.passed_attempts) == (2, 2, 1)
    assert stats.quiz_learners == 1  # Ani's attempt was on version 1
    assert [(q.key, q.answered, q.right_share) for q in stats.questions] == [
        ("q3", 1, 0.0),
        ("q1", 1, 100.0),
        ("q2", 1, 100.0),
        ("q4", 1, 100.0),
    ]
    assert [(m.title, m.done) for m in stats.modules] == [("Modul 1", 1), ("Modul 2 revisi", 0)]


def test_unanswered_questions_go_last(app, course):
    """If the latest results miss a question, does it go last with no shares, after harder ones?"""
    _, client = enrolled_learner(app, "Ani")
    take_quiz(app, client, "WRRR")
    with app.app_context():
        # The flows grade every question, so a question is added by hand to the stored quiz.
        version = published_course(CODE).current_version
        questions = [*version.quiz["questions"]]
        extra = {**questions[0], "key": "q5", "prompt_html": "<p>Soal baru</p>"}
        version.quiz = {**version.quiz, "questions": [*questions, extra]}
        db.session.commit()
    stats = statistics(app)
    assert [q.key for q in stats.questions] == ["q1", "q2", "q3", "q4", "q5"]
    last = stats.questions[-1]
    assert last.answered == 0
    assert last.right_share is last.partly_share is last.wrong_share is last.average_credit is None


def test_statistics_page_shows_the_figures(app, cohort):
    """Does the page show the course title, the figures and the questions hardest first?"""
    html = render(app)
    assert "Statistics: Kursus Uji TES-101" in html
    for text in ("60%", "75", "2 day(s)", "87.5%", "25%", "80%"):
        assert text in html, text
    questions = html[html.index('id="questions-heading"') :]
    assert questions.index("Berapa 1,5 + 1?") < questions.index("Pilih bilangan genap")
    assert questions.index("Pilih bilangan genap") < questions.index("Matahari terbit di timur.")
    assert questions.index("Matahari terbit di timur.") < questions.index(
        "Ibu kota Indonesia saat ini?"
    )
    assert "<progress" in html  # a bar per question, its percentage printed beside it
    assert "Nobody has enrolled" not in html


def test_statistics_page_in_indonesian_formats_numbers_the_indonesian_way(app, cohort):
    """Are decimals written with a comma for Indonesian users?"""
    html = render(app, locale="id")
    assert "87,5%" in html and "87.5%" not in html


def test_statistics_page_for_a_course_nobody_enrolled_in(app, course):
    """Does a course without learners get a clear empty state instead of empty tables?"""
    html = render(app)
    assert "Nobody has enrolled in this course yet." in html
    assert "<table" not in html


def test_question_markdown_is_shown_as_plain_escaped_text(app, tmp_path):
    """Is a prompt's Markdown shown as short plain text, with nothing a browser would run?"""
    long_tail = " ".join(["panjang"] * 40)
    quiz = (
        "## Apa arti **K3** & `<script>`?\n\n- [x] Ya\n- [ ] Tidak\n\n"
        f"## Soal {long_tail}\n\n- [x] Ya\n- [ ] Tidak\n"
    )
    import_course(app, write_course(tmp_path / "md", quiz=quiz))
    enrolled_learner(app, "Ani")
    stats = statistics(app)
    labels = {q.key: q.label for q in stats.questions}
    assert labels["q1"] == "Apa arti K3 & <script>?"
    assert len(labels["q2"]) == 120 and labels["q2"].endswith("…")
    html = render(app)
    assert "Apa arti K3 &amp; &lt;script&gt;?" in html
    assert "<script>" not in html
