"""What the browser tests do often: sign in through the form, and seed learning in the live app.

Seeding goes through the same services the views call, in the live server's own database, so a
test can start from "this person has completed a course" without clicking through it first.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from lms.extensions import db
from tests.conftest import correct_answers

LEARNER = ("198609262015051001", "belajar-asn-2026")
HR = ("199003142014032002", "arsip-pegawai-2026")  # HR who is also a learner
ADMIN = ("admin", "admin-portal-2026")


def sign_in(page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")


def submit(page, selector: str) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("domcontentloaded")


def answer(page, quiz: dict, correct: bool) -> None:
    """Fill every question shown, choosing right (or wrong) answers as the key says."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    for fieldset in page.locator("fieldset.question").all():
        name = fieldset.locator("input").first.get_attribute("name")
        q = by_key[name]
        if q["kind"] in ("single", "multiple"):
            picks = [o["id"] for o in q["options"] if o["correct"] == correct]
            for option_id in picks[:1] if q["kind"] == "single" else picks:
                fieldset.locator(f'input[value="{option_id}"]').check()
        elif q["kind"] == "true-false":
            value = "true" if q["answer"] == correct else "false"
            fieldset.locator(f'input[value="{value}"]').check()
        else:
            fieldset.locator("input[type=text]").fill(q["answers"][0] if correct else "tidak tahu")


def complete_course(app, login: str, code: str) -> str:
    """Enrol, read every module and pass the quiz as `login`; return the certificate number."""
    from lms.accounts.services import find_by_login
    from lms.catalog.services import published_course
    from lms.learning import services as learning
    from lms.quiz import services as quiz

    with app.app_context():
        user = find_by_login(login)
        course = published_course(code)
        done = learning.completion_for(user.id, course.id)
        if done is None:
            learning.enrol(user.id, course)
            for key in course.current_version.module_keys:
                learning.mark_done(user.id, course, key)
            attempt = quiz.start_attempt(user.id, course)
            answers = MultiDict(
                [
                    (k, v)
                    for k, vs in correct_answers(course.current_version.quiz).items()
                    for v in vs
                ]
            )
            _grade, done = quiz.submit_attempt(attempt, answers)
        number = done.certificate_no
        db.session.commit()
        return number


def open_attempt(app, login: str, code: str) -> tuple[int, int | None]:
    """Enrol `login` and leave a quiz attempt open; return (open attempt id, a submitted one).

    The submitted attempt is a failed first try (every answer wrong), so its result page shows
    the review without the correct answers.
    """
    from lms.accounts.services import find_by_login
    from lms.catalog.services import published_course
    from lms.learning import services as learning
    from lms.quiz import services as quiz

    with app.app_context():
        user = find_by_login(login)
        course = published_course(code)
        learning.enrol(user.id, course)
        status = quiz.quiz_status(user.id, course)
        submitted = next((a.id for a in status.attempts if a.is_submitted), None)
        if submitted is None:
            first = quiz.start_attempt(user.id, course)
            wrong = correct_answers(course.current_version.quiz, wrong=99)
            quiz.submit_attempt(first, MultiDict([(k, v) for k, vs in wrong.items() for v in vs]))
            submitted = first.id
        attempt = quiz.start_attempt(user.id, course)
        ids = attempt.id, submitted
        db.session.commit()
        return ids


def seed_history(app) -> dict:
    """HR (also a learner) completed PP-101, failed KM-101 once and has a KM-101 attempt open;
    an API token exists. Returns the ids the pages of that history are reached by."""
    from lms.accounts.services import find_by_login
    from lms.api.services import SCOPES, active_token_named, create_token
    from lms.learning.models import Completion
    from lms.quiz.models import QuizAttempt

    certificate = complete_course(app, HR[0], "PP-101")
    attempt, failed = open_attempt(app, HR[0], "KM-101")
    with app.app_context():
        hr = find_by_login(HR[0])
        completion = db.session.query(Completion).filter_by(certificate_no=certificate).one()
        passed = (
            db.session.query(QuizAttempt)
            .filter_by(user_id=hr.id, course_id=completion.course_id, passed=True)
            .first()
        )
        token = active_token_named("sistem-uji") or create_token("sistem-uji", list(SCOPES))[0]
        db.session.commit()
        return {
            "certificate": certificate, "attempt": attempt, "failed": failed,
            "passed": passed.id, "hr_id": hr.id, "token": token.id,
        }  # fmt: skip
