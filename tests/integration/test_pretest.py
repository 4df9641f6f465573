"""The pre-test through HTTP: offered before the first module, one attempt, the final quiz's
integrity rules, never counted for completion, and the gain HR and trainers see."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.accounts import services as accounts
from lms.authoring.models import CourseAuthor
from lms.authoring.services import draft_for
from lms.catalog.models import CourseVersion
from lms.catalog.services import published_course
from lms.extensions import db
from lms.learning.models import Completion, Enrolment
from lms.quiz.models import FINAL, PRETEST, QuizAttempt
from tests.conftest import (
    DEFAULT_QUIZ,
    correct_answers,
    course_quiz,
    flashes,
    import_course,
    make_user,
    sign_in,
    write_course,
)

# The same four questions as the final quiz, as trainers often do to measure the gain.
PRETEST_TEXT = DEFAULT_QUIZ.replace("title: Kuis Uji", "title: Tes Awal")
INVITATION = "Take the pre-test first?"


def english(client):
    client.post("/language", data={"locale": "en"})
    return client


def with_pretest(app, tmp_path, code="TES-101", **options) -> str:
    folder = write_course(tmp_path / code.lower(), code=code, **options)
    (folder / "pretest.md").write_text(PRETEST_TEXT)
    import_course(app, folder)
    return code


@pytest.fixture
def course(app, tmp_path):
    """TES-101 with two modules, the default four-question quiz and the same as pre-test."""
    return with_pretest(app, tmp_path)


@pytest.fixture
def learner(app, client):
    user_id, login = make_user(app, "learner", name="Budi Peserta")
    sign_in(client, login)
    english(client)
    client.get("/my")  # shows (and so clears) the welcome message
    return user_id


def pretest_quiz(app, code="TES-101") -> dict:
    with app.app_context():
        return published_course(code).current_version.pretest


def start_pretest(client, code="TES-101") -> str:
    response = client.post(f"/courses/{code}/pretest/start")
    assert response.status_code == 302 and "/attempts/" in response.location, response.location
    return response.location


def take_pretest(app, client, wrong=2, code="TES-101") -> str:
    url = start_pretest(client, code)
    response = client.post(url, data=MultiDict(correct_answers(pretest_quiz(app, code), wrong)))
    assert response.status_code == 302 and response.location.endswith("/result")
    return response.location


def pretest_attempts(app, user_id) -> list[QuizAttempt]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(QuizAttempt).where(
                    QuizAttempt.user_id == user_id, QuizAttempt.kind == PRETEST
                )
            )
        )


# --- Offered before the first module, never blocking ------------------------------------------


def test_the_pretest_is_offered_before_the_first_module_until_taken(app, client, course, learner):
    """Is an enrolled learner invited on the course page and the first module, and no longer
    once they have taken it?"""
    assert INVITATION not in client.get("/courses/TES-101").get_data(as_text=True)  # not enrolled
    client.post("/courses/TES-101/enrol")
    page = client.get("/courses/TES-101").get_data(as_text=True)
    assert INVITATION in page and 'href="/courses/TES-101/pretest"' in page
    assert INVITATION in client.get("/courses/TES-101/modules/modul-1").get_data(as_text=True)
    assert INVITATION not in client.get("/courses/TES-101/modules/modul-2").get_data(as_text=True)

    result = take_pretest(app, client, wrong=2)

    page = client.get("/courses/TES-101").get_data(as_text=True)
    assert INVITATION not in page
    assert "Pre-test (optional)" in page and "Score: 50" in page
    assert INVITATION not in client.get("/courses/TES-101/modules/modul-1").get_data(as_text=True)
    overview = client.get("/courses/TES-101/pretest").get_data(as_text=True)
    assert (
        "with a score of 50" in overview and result.removeprefix("http://portal.test") in overview
    )


def test_a_course_without_pretest_invites_nobody(app, client, tmp_path, learner):
    import_course(app, write_course(tmp_path / "plain", code="TES-202"))
    client.post("/courses/TES-202/enrol")
    assert INVITATION not in client.get("/courses/TES-202").get_data(as_text=True)
    assert INVITATION not in client.get("/courses/TES-202/modules/modul-1").get_data(as_text=True)
    assert client.get("/courses/TES-202/pretest").status_code == 404
    response = client.post("/courses/TES-202/pretest/start")
    assert response.status_code == 302 and response.location.endswith("/courses/TES-202")
    assert pretest_attempts(app, learner) == []


def test_skipping_the_pretest_blocks_nothing_and_the_final_quiz_closes_it(
    app, client, course, learner
):
    """Can a learner skip the pre-test, finish the course, and is the pre-test then withdrawn?"""
    client.post("/courses/TES-101/enrol")
    for key in ("modul-1", "modul-2"):
        assert client.post(f"/courses/TES-101/modules/{key}/done").status_code == 302
    url = client.post("/courses/TES-101/quiz/start").location
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, "TES-101"))))
    with app.app_context():
        assert db.session.scalar(select(func.count(Completion.id))) == 1

    assert INVITATION not in client.get("/courses/TES-101").get_data(as_text=True)
    response = client.post("/courses/TES-101/pretest/start")
    assert response.status_code == 302 and response.location.endswith("/courses/TES-101/pretest")
    assert "you have already taken the final quiz" in " ".join(flashes(client.get("/my")))
    assert pretest_attempts(app, learner) == []


def test_an_open_pretest_cannot_be_submitted_after_a_final_attempt(app, client, course, learner):
    """Started the pre-test, then went to the final quiz: is the late pre-test refused?"""
    client.post("/courses/TES-101/enrol")
    pretest_url = start_pretest(client)
    final_url = client.post("/courses/TES-101/quiz/start").location
    client.post(final_url, data=MultiDict(correct_answers(course_quiz(app, "TES-101"), wrong=4)))
    response = client.post(pretest_url, data=MultiDict(correct_answers(pretest_quiz(app))))
    assert response.status_code == 302 and response.location.endswith("/courses/TES-101/pretest")
    (attempt,) = pretest_attempts(app, learner)
    assert attempt.submitted_at is None and attempt.score is None


# --- One attempt ------------------------------------------------------------------------------


def test_the_pretest_has_one_attempt_and_a_second_start_is_refused(app, client, course, learner):
    """Does starting again resume the open attempt, and after submitting refuse a new one?"""
    client.post("/courses/TES-101/enrol")
    first = start_pretest(client)
    assert start_pretest(client) == first  # not submitted yet: the same attempt again
    client.post(first, data=MultiDict(correct_answers(pretest_quiz(app), wrong=1)))

    response = client.post("/courses/TES-101/pretest/start")
    assert response.location.endswith("/courses/TES-101/pretest")
    assert "it has one attempt" in " ".join(flashes(client.get("/my")))
    again = client.post(first, data=MultiDict(correct_answers(pretest_quiz(app))))
    assert again.status_code == 302
    (attempt,) = pretest_attempts(app, learner)
    assert attempt.score == 75.0  # the first grade stands


def test_a_new_version_keeps_the_first_pretest_score(app, client, tmp_path, learner):
    """After the course is revised (pre-test changed too), is the learner not asked again?"""
    folder = write_course(tmp_path / "v", code="TES-101")
    (folder / "pretest.md").write_text(PRETEST_TEXT)
    import_course(app, folder)
    client.post("/courses/TES-101/enrol")
    take_pretest(app, client, wrong=3)
    (folder / "pretest.md").write_text(PRETEST_TEXT.replace("Tes Awal", "Tes Awal Versi 2"))
    assert import_course(app, folder)[0].version_number == 2

    assert INVITATION not in client.get("/courses/TES-101").get_data(as_text=True)
    assert "Score: 25" in client.get("/courses/TES-101").get_data(as_text=True)
    assert client.post("/courses/TES-101/pretest/start").location.endswith("/pretest")
    assert len(pretest_attempts(app, learner)) == 1


# --- Not counted for completion -----------------------------------------------------------------


def test_the_pretest_never_completes_a_course_nor_uses_final_attempts(app, client, tmp_path):
    """A perfect pre-test with every module done: no completion, and the one final attempt is
    still there to take."""
    with_pretest(app, tmp_path, code="ONE-1", max_attempts=1)
    _, login = make_user(app, "learner")
    sign_in(client, login)
    english(client)
    client.post("/courses/ONE-1/enrol")
    for key in ("modul-1", "modul-2"):
        client.post(f"/courses/ONE-1/modules/{key}/done")
    result = take_pretest(app, client, wrong=0, code="ONE-1")

    page = client.get(result).get_data(as_text=True)
    assert "Score: 100" in page
    assert "Passed" not in page and "Not passed" not in page and "Course completed" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Completion.id))) == 0
    overview = client.get("/courses/ONE-1/quiz").get_data(as_text=True)
    assert "0 of 1" in overview and "Start attempt 1" in overview

    url = client.post("/courses/ONE-1/quiz/start").location
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, "ONE-1"), wrong=1)))
    with app.app_context():
        completion = db.session.scalars(select(Completion)).one()
        assert completion.score == 75.0  # the final attempt's score, not the pre-test's 100
        kinds = dict(db.session.execute(select(QuizAttempt.kind, QuizAttempt.number)).all())
        assert kinds == {PRETEST: 1, FINAL: 1}


# --- Integrity, as the final quiz -------------------------------------------------------------


def test_pretest_answers_never_reach_the_browser_before_submitting(app, client, course, learner):
    client.post("/courses/TES-101/enrol")
    html = client.get(start_pretest(client)).get_data(as_text=True)
    assert "<h1>Pre-test</h1>" in html
    for q in pretest_quiz(app)["questions"]:
        for option in q.get("options", []):
            assert option["id"] in html
    assert "correct" not in html.lower()
    assert "2,5" not in html
    assert "Jakarta masih ibu kota" not in html


def test_pretest_order_is_shuffled_per_attempt(app, course):
    orders = set()
    for _ in range(6):
        _, login = make_user(app, "learner")
        c = app.test_client()
        sign_in(c, login)
        c.post("/courses/TES-101/enrol")
        url = start_pretest(c)
        first = re.findall(r'name="(q\d+)"', c.get(url).get_data(as_text=True))
        assert first == re.findall(r'name="(q\d+)"', c.get(url).get_data(as_text=True))
        orders.add(tuple(dict.fromkeys(first)))
    assert len(orders) > 1


def test_a_forged_or_final_quiz_option_id_is_refused_in_the_pretest(app, client, course, learner):
    """Does the pre-test refuse a made-up option id, and one that belongs to the final quiz?"""
    client.post("/courses/TES-101/enrol")
    url = start_pretest(client)
    for forged in ("o-made-up-id", course_quiz(app, "TES-101")["questions"][0]["options"][0]["id"]):
        form = correct_answers(pretest_quiz(app))
        form["q1"] = [forged]
        response = client.post(url, data=MultiDict(form))
        assert response.status_code == 400
        assert "is not one of its own" in " ".join(flashes(response))
    (attempt,) = pretest_attempts(app, learner)
    assert attempt.submitted_at is None and attempt.score is None


def test_another_learners_pretest_is_not_found(app, client, course, learner):
    client.post("/courses/TES-101/enrol")
    url = start_pretest(client)
    _, login = make_user(app, "learner")
    other = app.test_client()
    sign_in(other, login)
    path = url.removeprefix("http://portal.test")
    assert other.get(path).status_code == 404
    assert other.get(path + "/result").status_code == 404


def test_explanations_wait_until_the_final_quiz_is_over(app, client, course, learner):
    """After the pre-test: the score only; the answers and explanations once the final is passed."""
    client.post("/courses/TES-101/enrol")
    result = take_pretest(app, client, wrong=1)
    page = client.get(result).get_data(as_text=True)
    assert "Score: 75" in page
    assert "Jakarta masih ibu kota" not in page and "tag-ok" not in page
    assert "once you have finished the final quiz" in page

    url = client.post("/courses/TES-101/quiz/start").location
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, "TES-101"))))
    page = client.get(result).get_data(as_text=True)
    assert "Jakarta masih ibu kota" in page and "tag-ok" in page


# --- Gain in the HR report, the trainer's statistics and the exports ----------------------------


@pytest.fixture
def gain_world(app, tmp_path):
    """AAA-1 has a pre-test, BBB-1 none. Units DINKES and DPMPTSP.

    ani (DINKES): pre 40, completed AAA-1 with 90 -> +50
    budi (DINKES): pre 70, completed AAA-1 with 80 -> +10
    cici (DPMPTSP): pre 50, completed AAA-1 with 65 -> +15
    dodi (DPMPTSP): pre 30, no completion -> not counted
    eka (DPMPTSP): no pre-test, completed AAA-1 with 100 -> not counted
    """
    with_pretest(app, tmp_path, code="AAA-1")
    import_course(app, write_course(tmp_path / "b", code="BBB-1"))
    with app.app_context():
        accounts.ensure_unit("DINKES", "Dinas Kesehatan")
        accounts.ensure_unit("DPMPTSP", "Dinas PTSP")
        db.session.commit()
    people = {
        "ani": make_user(app, "learner", name="Ani", unit="DINKES")[0],
        "budi": make_user(app, "learner", name="Budi", unit="DINKES")[0],
        "cici": make_user(app, "learner", name="Cici", unit="DPMPTSP")[0],
        "dodi": make_user(app, "learner", name="Dodi", unit="DPMPTSP")[0],
        "eka": make_user(app, "learner", name="Eka", unit="DPMPTSP")[0],
    }
    when = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with app.app_context():
        course = published_course("AAA-1")
        for n, (who, pre, final) in enumerate(
            [("ani", 40, 90), ("budi", 70, 80), ("cici", 50, 65), ("dodi", 30, None),
             ("eka", None, 100)]
        ):  # fmt: skip
            user_id = people[who]
            db.session.add(Enrolment(user_id=user_id, course_id=course.id, enrolled_at=when))
            if pre is not None:
                db.session.add(pretest_row(user_id, course, pre, when))
            if final is not None:
                db.session.add(final_row(user_id, course, final, when))
                db.session.add(
                    Completion(
                        user_id=user_id, course_id=course.id,
                        course_version_id=course.current_version_id, score=float(final), jp=2.0,
                        enrolled_at=when, completed_at=when, certificate_no=f"2026-GAIN-{n:04d}",
                    )
                )  # fmt: skip
        db.session.commit()
    return people


def pretest_row(user_id, course, score, when) -> QuizAttempt:
    return QuizAttempt(
        user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
        kind=PRETEST, number=1, layout=[], responses={}, results={}, score=float(score),
        passed=None, started_at=when, submitted_at=when,
    )  # fmt: skip


def final_row(user_id, course, score, when) -> QuizAttempt:
    return QuizAttempt(
        user_id=user_id, course_id=course.id, course_version_id=course.current_version_id,
        kind=FINAL, number=1, layout=[], responses={}, results={}, score=float(score),
        passed=True, started_at=when, submitted_at=when,
    )  # fmt: skip


def table_row(html: str, label: str) -> str:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return next(r for r in rows if label in r)


def test_the_report_shows_the_gain_per_course_and_unit_with_n(app, client, gain_world):
    """Does HR see +25 (N = 3) for AAA-1, none for BBB-1, and the gain per unit?"""
    _, login = make_user(app, "hr")
    sign_in(client, login)
    english(client)
    html = client.get("/reports?since=2026-01-01&until=2026-12-31").get_data(as_text=True)
    assert "Gain from pre-test (N)" in html
    assert '+25 <span class="meta">(N = 3)</span>' in table_row(html, "(AAA-1)")
    # Pass rate counts final attempts only: the pre-tests (no pass, no fail) are not attempts.
    assert "100%" in table_row(html, "(AAA-1)")
    assert '+30 <span class="meta">(N = 2)</span>' in table_row(html, "Dinas Kesehatan")
    assert '+15 <span class="meta">(N = 1)</span>' in table_row(html, "Dinas PTSP")

    # The filter applies: completions of another year leave nobody to count.
    html = client.get("/reports?since=2025-01-01&until=2025-12-31").get_data(as_text=True)
    assert "(N = " not in html


def test_the_trainers_statistics_show_the_gain(app, client, gain_world):
    user_id, login = make_user(app, "trainer")
    with app.app_context():
        db.session.add(CourseAuthor(course_id=published_course("AAA-1").id, user_id=user_id))
        db.session.commit()
    sign_in(client, login)
    english(client)
    html = client.get("/author/courses/AAA-1/statistics").get_data(as_text=True)
    assert "Pre-test to final quiz" in html
    assert re.search(r"Learners \(N\)</dt><dd>3<", html)
    assert re.search(r"Average gain</dt><dd>\+25<", html)
    assert re.search(r"Quiz attempts submitted</dt><dd>4<", html)  # final attempts only


def test_exports_are_unchanged_by_pretest_attempts(app, client, gain_world):
    """Are the xAPI and CSV exports byte for byte the same with or without pre-test attempts?"""
    _, login = make_user(app, "hr")
    sign_in(client, login)
    data = {"since": "2026-01-01", "until": "2026-12-31"}
    with_pretests = {
        f: client.post(f"/reports/export/{f}", data=data).data for f in ("xapi", "csv")
    }
    with app.app_context():
        db.session.execute(QuizAttempt.__table__.delete().where(QuizAttempt.kind == PRETEST))
        db.session.commit()
    for fmt, before in with_pretests.items():
        assert client.post(f"/reports/export/{fmt}", data=data).data == before, fmt
    statements = with_pretests["xapi"].decode().strip().splitlines()
    assert len(statements) == 4 + 4  # four completions, four final attempts


# --- Authoring and the zip round trip ---------------------------------------------------------


@pytest.fixture
def author(app, client, course):
    user_id, login = make_user(app, "trainer")
    with app.app_context():
        db.session.add(CourseAuthor(course_id=1, user_id=user_id, is_owner=True))
        db.session.commit()
    sign_in(client, login)
    english(client)
    client.get("/my")
    return client


def draft_revision(app) -> int:
    with app.app_context():
        return draft_for(published_course("TES-101")).revision


def test_trainers_edit_the_pretest_like_the_quiz(app, author):
    """Can a trainer open, check, save, publish and remove pretest.md in the browser?"""
    page = author.get("/author/courses/TES-101").get_data(as_text=True)
    assert 'href="/author/courses/TES-101/pretest"' in page
    page = author.get("/author/courses/TES-101/pretest").get_data(as_text=True)
    assert "Edit the pre-test" in page and "title: Tes Awal" in page
    assert 'data-preview-kind="pretest"' in page

    broken = "## Soal tanpa jawaban\n\n- [ ] a\n- [ ] b\n"
    response = author.post(
        "/author/courses/TES-101/pretest",
        data={"text": broken, "revision": draft_revision(app), "action": "preview"},
    )
    assert "question has no correct option" in response.get_data(as_text=True)
    preview = author.post(
        "/author/preview", data={"course": "TES-101", "kind": "pretest", "text": broken}
    ).get_json()
    assert preview["problems"][0]["line"] == 1

    new = PRETEST_TEXT.replace("Ibu kota Indonesia", "Ibu kota negara Indonesia")
    response = author.post(
        "/author/courses/TES-101/pretest", data={"text": new, "revision": draft_revision(app)}
    )
    assert response.status_code == 302
    assert "Pre-test saved in the draft." in flashes(author.get(response.location))
    author.post(
        "/author/courses/TES-101/publish", data={"note": "v2", "revision": draft_revision(app)}
    )
    with app.app_context():
        version = published_course("TES-101").current_version
        assert version.number == 2
        assert "Ibu kota negara" in version.pretest["questions"][0]["prompt_html"]

    author.post(
        "/author/courses/TES-101/pretest", data={"text": "", "revision": draft_revision(app)}
    )
    author.post(
        "/author/courses/TES-101/publish", data={"note": "v3", "revision": draft_revision(app)}
    )
    with app.app_context():
        version = published_course("TES-101").current_version
        assert version.number == 3 and version.pretest is None
        assert "pretest.md" not in version.source
        # NULL, not JSON null: "has no pre-test" is a plain SQL test.
        assert (
            db.session.scalar(
                select(func.count(CourseVersion.id)).where(CourseVersion.pretest.is_(None))
            )
            == 1
        )


def test_the_zip_round_trip_keeps_the_pretest(app, author):
    data = author.get("/author/courses/TES-101/versions/1/export.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("pretest.md").decode() == PRETEST_TEXT
    response = author.post(
        "/author/import",
        data={"file": (io.BytesIO(data), "TES-101.zip")},
        content_type="multipart/form-data",
    )
    assert "TES-101 is unchanged (version 1)." in flashes(author.get(response.location))
    # Without pretest.md the content differs: the import makes a version with no pre-test.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {n: archive.read(n) for n in archive.namelist() if n != "pretest.md"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    response = author.post(
        "/author/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "TES-101.zip"), "replace_draft": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert published_course("TES-101").current_version.pretest is None
