"""Course evaluation: the learner's invitation, form and "not now"; the anonymous summaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from lms.accounts.models import Unit
from lms.authoring.models import CourseAuthor
from lms.catalog.services import published_course
from lms.evaluation import services
from lms.evaluation.models import CourseEvaluation
from lms.extensions import db
from tests.conftest import correct_answers, course_quiz, flashes, make_user, sign_in

CODE = "TES-101"
FORM_URL = f"/courses/{CODE}/evaluation"
DISMISS_URL = f"/courses/{CODE}/evaluation/dismiss"
PROMPT = "How was your course?"
BELOW_THRESHOLD = "appear once at least 3 learners have answered"
UNIT_NAME = "Dinas Komunikasi dan Informatika"


@dataclass
class Person:
    user_id: int
    login: str
    name: str
    client: FlaskClient


def signed_in(app, *roles: str, name: str, unit: str | None = None) -> Person:
    """A user with their own browser, signed in, who reads the portal in English."""
    user_id, login = make_user(app, *roles, name=name, unit=unit)
    client = app.test_client()
    sign_in(client, login)
    client.post("/language", data={"locale": "en"})
    return Person(user_id, login, name, client)


def complete(app, person: Person) -> None:
    """Enrol, mark both modules done and pass the quiz: the course's completion rule."""
    client = person.client
    assert client.post(f"/courses/{CODE}/enrol").status_code == 302
    for key in ("modul-1", "modul-2"):
        assert client.post(f"/courses/{CODE}/modules/{key}/done").status_code == 302
    url = client.post(f"/courses/{CODE}/quiz/start").location
    response = client.post(url, data=MultiDict(correct_answers(course_quiz(app, CODE))))
    assert response.status_code == 302


def completed_learner(app, name: str, unit: str | None = None) -> Person:
    person = signed_in(app, "learner", name=name, unit=unit)
    complete(app, person)
    return person


def answer(relevance=4, quality=4, clarity=4, applicability=4, comment="") -> dict:
    form = {"relevance": relevance, "quality": quality, "clarity": clarity}
    form |= {"applicability": applicability, "comment": comment}
    return {k: str(v) for k, v in form.items() if v is not None}


def evaluations(app) -> list[CourseEvaluation]:
    with app.app_context():
        rows = db.session.scalars(select(CourseEvaluation).order_by(CourseEvaluation.id)).all()
        db.session.expunge_all()
        return rows


def text(response) -> str:
    return response.get_data(as_text=True)


def checked(html: str, name: str) -> str | None:
    """The value of the checked radio button of a group, as the browser would show it."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and re.search(r"\schecked[\s>=]", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


@pytest.fixture
def unit(app):
    with app.app_context():
        db.session.add(Unit(code="DISKOMINFO", name=UNIT_NAME))
        db.session.commit()
    return "DISKOMINFO"


@pytest.fixture
def trainer(app, course) -> Person:
    person = signed_in(app, "trainer", name="Pelatih Kursus")
    with app.app_context():
        course_id = published_course(CODE).id
        db.session.add(CourseAuthor(course_id=course_id, user_id=person.user_id, is_owner=True))
        db.session.commit()
    return person


@pytest.fixture
def hr(app) -> Person:
    return signed_in(app, "hr", name="Petugas Kepegawaian")


# --- the learner ------------------------------------------------------------------------------


def test_completing_a_course_brings_the_invitation(app, course):
    """Does a learner who completes a course find an invitation to evaluate it on the dashboard?"""
    ani = signed_in(app, "learner", name="Ani Lestari")
    ani.client.post(f"/courses/{CODE}/enrol")
    assert PROMPT not in text(ani.client.get("/my"))
    complete(app, ani)
    dashboard = text(ani.client.get("/my"))
    assert PROMPT in dashboard
    assert f'href="{FORM_URL}"' in dashboard and f'action="{DISMISS_URL}"' in dashboard
    assert f'href="{FORM_URL}"' in text(ani.client.get(f"/courses/{CODE}"))
    form = ani.client.get(FORM_URL)
    assert form.status_code == 200 and 'name="relevance"' in text(form)


def test_submitting_records_the_evaluation_and_the_prompt_goes(app, course):
    """Is an answer recorded once, thanked for, and no longer asked for?"""
    ani = completed_learner(app, "Ani Lestari")
    response = ani.client.post(FORM_URL, data=answer(5, 4, 3, 2, "Contoh kasusnya membantu."))
    assert response.status_code == 302 and response.location.endswith("/my")
    dashboard = ani.client.get("/my", follow_redirects=True)
    assert any("Thank you" in message for message in flashes(dashboard))
    assert PROMPT not in text(dashboard)
    [row] = evaluations(app)
    assert (row.relevance, row.quality, row.clarity, row.applicability) == (5, 4, 3, 2)
    assert row.comment == "Contoh kasusnya membantu." and row.answered_at is not None
    course_page = text(ani.client.get(f"/courses/{CODE}"))
    assert (
        "You have evaluated this course" in course_page and f'href="{FORM_URL}"' not in course_page
    )
    thanks = text(ani.client.get(FORM_URL))
    assert "You have evaluated this course" in thanks and 'name="relevance"' not in thanks


def test_dismissing_hides_the_prompt_but_the_course_page_still_offers_it(app, course):
    """Does "No, thanks" stop the prompt for good, while the learner may still answer later?"""
    ani = completed_learner(app, "Ani Lestari")
    response = ani.client.post(DISMISS_URL)
    assert response.status_code == 302 and response.location.endswith("/my")
    assert PROMPT not in text(ani.client.get("/my"))
    assert ani.client.post(DISMISS_URL).status_code == 302  # twice: still one row
    [row] = evaluations(app)
    assert row.dismissed_at is not None and row.answered_at is None and row.relevance is None
    assert f'href="{FORM_URL}"' in text(ani.client.get(f"/courses/{CODE}"))
    ani.client.post(FORM_URL, data=answer(comment="Nanti saja ternyata."))
    [row] = evaluations(app)
    assert row.answered_at is not None and row.dismissed_at is None and row.relevance == 4
    ani.client.post(DISMISS_URL)  # dismissing after answering changes nothing
    [row] = evaluations(app)
    assert row.answered_at is not None and row.comment == "Nanti saja ternyata."


@pytest.mark.parametrize("progress", ["not enrolled", "enrolled", "all modules done"])
def test_a_learner_without_completion_is_refused(app, course, progress):
    """Can a learner evaluate (or dismiss) a course they have not completed?"""
    budi = signed_in(app, "learner", name="Budi Santoso")
    if progress != "not enrolled":
        budi.client.post(f"/courses/{CODE}/enrol")
    if progress == "all modules done":
        for key in ("modul-1", "modul-2"):
            budi.client.post(f"/courses/{CODE}/modules/{key}/done")
    for response in (
        budi.client.get(FORM_URL),
        budi.client.post(FORM_URL, data=answer()),
        budi.client.post(DISMISS_URL),
    ):
        assert response.status_code == 404
        assert "Only learners who have completed this course can evaluate it." in text(response)
    assert evaluations(app) == []
    assert PROMPT not in text(budi.client.get("/my"))


def test_an_unknown_course_is_not_found(app, course):
    ani = completed_learner(app, "Ani Lestari")
    assert ani.client.get("/courses/NOPE-1/evaluation").status_code == 404


@pytest.mark.parametrize(
    "field,value",
    [("relevance", "0"), ("clarity", "6"), ("quality", None), ("applicability", "lima")],
)
def test_a_bad_rating_is_named_and_the_rest_is_kept(app, course, field, value):
    """Does a rating of 0 or 6, or none, get a message on that question, keeping the rest?"""
    ani = completed_learner(app, "Ani Lestari")
    data = answer(comment="Materi kedua kurang jelas.") | {"quality": "2"}
    data.pop(field)
    if value is not None:
        data[field] = value
    response = ani.client.post(FORM_URL, data=data)
    html = text(response)
    assert response.status_code == 200
    assert f'<p class="error" id="{field}-error">Choose a rating from 1 to 5.</p>' in html
    assert html.count('class="error"') == 1
    assert "Materi kedua kurang jelas." in html
    for other in ("relevance", "quality", "clarity", "applicability"):
        if other != field:
            assert checked(html, other) == data[other], other
    assert checked(html, field) is None
    assert evaluations(app) == []


def test_missing_ratings_are_each_named(app, course):
    ani = completed_learner(app, "Ani Lestari")
    html = text(ani.client.post(FORM_URL, data={"comment": "Hanya komentar."}))
    assert html.count("Choose a rating from 1 to 5.") == 4
    assert "Hanya komentar." in html
    assert evaluations(app) == []


def test_a_too_long_comment_is_refused_and_kept(app, course):
    """Is a comment over 2,000 characters refused with a message, and the text kept to shorten?"""
    ani = completed_learner(app, "Ani Lestari")
    long_text = "Materi bagus. " * 143  # 2,002 characters, 2,001 once trimmed
    html = text(ani.client.post(FORM_URL, data=answer(comment=long_text)))
    assert 'id="comment-error"' in html and "2000 characters or fewer" in html
    assert long_text.strip() in html
    assert checked(html, "relevance") == "4"
    assert evaluations(app) == []


def test_a_comment_of_exactly_the_limit_counts_line_breaks_once(app, course):
    ani = completed_learner(app, "Ani Lestari")
    comment = "\r\n".join(["x" * 99] * 20)  # 20 lines: 1,980 characters and 19 line breaks
    assert len(comment.replace("\r\n", "\n")) == 1999
    ani.client.post(FORM_URL, data=answer(comment=comment + "y"))
    [row] = evaluations(app)
    assert row.comment == comment.replace("\r\n", "\n") + "y"


def test_a_double_submit_keeps_the_first_answer(app, course):
    """Does a second submit (double click, second tab) neither add a row nor change the answer?"""
    ani = completed_learner(app, "Ani Lestari")
    first = ani.client.post(FORM_URL, data=answer(5, 5, 5, 5, "Pertama."))
    second = ani.client.post(FORM_URL, data=answer(1, 1, 1, 1, "Kedua."))
    assert first.status_code == 302 and second.status_code == 302
    assert second.location.endswith(FORM_URL)
    assert "You have evaluated this course" in text(ani.client.get(second.location))
    [row] = evaluations(app)
    assert (row.relevance, row.comment) == (5, "Pertama.")


def test_the_service_refuses_a_second_answer_and_the_database_a_bad_rating(app, course):
    """Below the forms: is one answer per learner and a 1..5 rating enforced by the rules too?"""
    ani = completed_learner(app, "Ani Lestari")
    ratings = dict.fromkeys(("relevance", "quality", "clarity", "applicability"), 3)
    with app.app_context():
        course_row = published_course(CODE)
        services.submit(ani.user_id, course_row, ratings, None)
        with pytest.raises(services.AlreadyEvaluated):
            services.submit(ani.user_id, course_row, ratings, None)
        with pytest.raises(services.InvalidEvaluation):
            services.submit(ani.user_id, course_row, ratings | {"clarity": 6}, None)
        db.session.commit()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            row = db.session.scalar(select(CourseEvaluation))
            row.clarity = 6
            db.session.flush()
        db.session.rollback()
    assert [r.clarity for r in evaluations(app)] == [3]


# --- what trainers and HR see -----------------------------------------------------------------


COHORT = [
    # name, (relevance, quality, clarity, applicability), comment
    ("Siti Rahmawati", (5, 4, 3, 5), "Zona contoh di modul 2 sangat membantu pekerjaan saya."),
    ("Agus Prasetyo", (4, 4, 2, 3), "Apakah ada lanjutan kursus ini?"),
    ("Dewi Kartika", (5, 2, 3, 4), ""),
    ("Bambang Wijaya", (2, 5, 3, 4), "Kuisnya terlalu mudah."),
]


@pytest.fixture
def cohort(app, course, unit) -> list[Person]:
    """Four learners of one unit who completed TES-101 and answered, in COHORT's order."""
    people = []
    for name, ratings, comment in COHORT:
        person = completed_learner(app, name, unit=unit)
        response = person.client.post(FORM_URL, data=answer(*ratings, comment=comment))
        assert response.status_code == 302
        people.append(person)
    return people


def test_averages_and_distribution_over_several_learners(app, cohort):
    """Are the averages and the count of each rating right over four learners?"""
    with app.app_context():
        summary = services.summary(published_course(CODE))
    assert summary.shown and (summary.responses, summary.completions) == (4, 4)
    by_key = {q.key: q for q in summary.questions}
    assert by_key["relevance"].average == pytest.approx(4.0)
    assert by_key["relevance"].counts == (0, 1, 0, 1, 2)
    assert by_key["quality"].average == pytest.approx(3.75)
    assert by_key["quality"].counts == (0, 1, 0, 2, 1)
    assert by_key["clarity"].average == pytest.approx(2.75)
    assert by_key["clarity"].counts == (0, 1, 3, 0, 0)
    assert by_key["applicability"].average == pytest.approx(4.0)
    assert by_key["applicability"].counts == (0, 0, 1, 2, 1)
    assert len(summary.comments) == 3  # the empty comment is not a comment


def test_the_pages_show_the_figures_and_comments(app, cohort, trainer, hr):
    """Do the trainer's and HR's pages show the averages, the distribution and every comment?"""
    for person, url in ((trainer, f"/author/courses/{CODE}/evaluation"),
                        (hr, f"/reports/evaluations/{CODE}")):  # fmt: skip
        response = person.client.get(url)
        html = text(response)
        assert response.status_code == 200, url
        assert "3.8 of 5" in html and "2.8 of 5" in html  # 3.75 and 2.75, one decimal
        row = re.search(r"<th scope=\"row\">Clarity</th>(.*?)</tr>", html, re.S).group(1)
        assert re.findall(r"<td>(\d+)</td>", row) == ["0", "1", "3", "0", "0"]
        for _name, _ratings, comment in COHORT:
            if comment:
                assert comment in html
    overview = text(hr.client.get("/reports/evaluations"))
    assert f'href="/reports/evaluations/{CODE}"' in overview
    assert "<td>3.8</td>" in overview  # quality 3.75, shown with one decimal


def test_the_pages_do_not_identify_learners(app, cohort, trainer, hr):
    """Can a trainer or HR tell who wrote what: any name, NIP, unit or date of an answer?"""
    pages = {
        "trainer": text(trainer.client.get(f"/author/courses/{CODE}/evaluation")),
        "hr": text(hr.client.get(f"/reports/evaluations/{CODE}")),
        "hr overview": text(hr.client.get("/reports/evaluations")),
    }
    with app.app_context():
        answered = [row.answered_at for row in db.session.scalars(select(CourseEvaluation))]
    for page, html in pages.items():
        for person in cohort:
            assert person.name not in html, (page, person.name)
            assert person.login not in html, (page, person.login)
        assert UNIT_NAME not in html and "DISKOMINFO" not in html, page
        for moment in answered:  # neither the day nor even the month of an answer
            for shown in (moment.strftime("%Y-%m-%d"), moment.strftime("%B %Y"), f"{moment:%d %B}"):
                assert shown not in html, (page, shown)


def test_comments_are_not_in_the_order_they_came_in(app, cohort, trainer):
    """Could the order of comments tell who wrote which (first to complete, first listed)?"""
    html = text(trainer.client.get(f"/author/courses/{CODE}/evaluation"))
    positions = [html.index(comment) for _n, _r, comment in COHORT if comment]
    # Came in as Z..., A..., K...; shown alphabetically: A..., K..., Z...
    assert positions[1] < positions[2] < positions[0]


def test_below_the_threshold_nothing_is_shown(app, course, trainer, hr):
    """With two answers, are the figures and comments withheld so neither can be attributed?"""
    secret = "Saya satu-satunya dari bidang arsip yang ikut."
    first = completed_learner(app, "Rina Marlina")
    first.client.post(FORM_URL, data=answer(1, 1, 1, 1, secret))
    second = completed_learner(app, "Yusuf Hakim")
    second.client.post(FORM_URL, data=answer(5, 5, 5, 5))
    completed_learner(app, "Tono Sugiarto").client.post(DISMISS_URL)  # a dismissal is no answer
    for person, url in ((trainer, f"/author/courses/{CODE}/evaluation"),
                        (hr, f"/reports/evaluations/{CODE}")):  # fmt: skip
        html = text(person.client.get(url))
        assert BELOW_THRESHOLD in html
        assert "2 of 3 learners who completed the course have answered" in html
        assert secret not in html and " of 5" not in html and "<tbody>" not in html
    overview = text(hr.client.get("/reports/evaluations"))
    row = re.search(rf"/reports/evaluations/{CODE}.*?</tr>", overview, re.S).group(0)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["3", "2"]  # completions, answers: no average
    assert "Fewer than 3 answers" in row
    third = completed_learner(app, "Wati Susanti")
    third.client.post(FORM_URL, data=answer(3, 3, 3, 3))
    html = text(trainer.client.get(f"/author/courses/{CODE}/evaluation"))
    assert secret in html and "3 of 5" in html and BELOW_THRESHOLD not in html


def test_the_statistics_page_and_the_reports_link_to_the_evaluations(app, course, trainer, hr):
    stats = text(trainer.client.get(f"/author/courses/{CODE}/statistics"))
    assert f'href="/author/courses/{CODE}/evaluation"' in stats
    assert 'href="/reports/evaluations"' in text(hr.client.get("/reports"))
    page = hr.client.get(f"/reports/evaluations/{CODE}")
    assert page.status_code == 200 and BELOW_THRESHOLD in text(page)


# --- who may see the summaries ----------------------------------------------------------------


def test_a_trainer_who_is_not_an_author_is_refused(app, cohort, trainer):
    """Can a trainer read the evaluation of someone else's course?"""
    other = signed_in(app, "trainer", name="Pelatih Lain")
    assert other.client.get(f"/author/courses/{CODE}/evaluation").status_code == 403
    assert trainer.client.get(f"/author/courses/{CODE}/evaluation").status_code == 200
    admin = signed_in(app, "admin", name="Admin Portal")
    assert admin.client.get(f"/author/courses/{CODE}/evaluation").status_code == 200


@pytest.mark.parametrize(
    "url",
    [f"/author/courses/{CODE}/evaluation", "/reports/evaluations", f"/reports/evaluations/{CODE}"],
)
def test_learners_are_refused_the_summaries(app, cohort, url):
    """Can a learner (even one who answered) read the trainers' or HR's evaluation pages?"""
    assert cohort[0].client.get(url).status_code == 403


def test_hr_and_trainers_stay_on_their_own_side(app, cohort, trainer, hr):
    assert hr.client.get(f"/author/courses/{CODE}/evaluation").status_code == 403
    assert trainer.client.get("/reports/evaluations").status_code == 403
    assert trainer.client.get(f"/reports/evaluations/{CODE}").status_code == 403
    assert hr.client.get("/reports/evaluations/NOPE-1").status_code == 404
