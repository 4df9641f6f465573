"""Quiz pages: the quiz overview, an attempt's form, submitting it and its result.

The pre-test has its own overview and start; its attempt and result pages are the final quiz's.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import allow
from lms.accounts.models import LEARNER
from lms.catalog import services as catalog
from lms.errors import DomainError, translate
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.views import announce_completion
from lms.quiz import services
from lms.quiz.grading import InvalidSubmission
from lms.quiz.models import QuizAttempt

bp = Blueprint("quiz", __name__)


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # another learner's attempt does not exist for this user
    return attempt


@bp.route("/courses/<code>/quiz")
@allow(LEARNER)
def overview(code: str):
    course = catalog.published_course(code) or abort(404)
    if learning.enrolment_for(current_user.id, course.id) is None:
        flash(_("Enrol in this course before taking its quiz."), "info")
        return redirect(url_for("catalog.course", code=code))
    return render_template(
        "quiz/overview.html",
        course=course,
        version=course.current_version,
        status=services.quiz_status(current_user.id, course),
        progress=learning.progress_for(current_user.id, course.current_version),
    )


@bp.route("/courses/<code>/quiz/start", methods=["POST"])
@allow(LEARNER)
def start(code: str):
    course = catalog.published_course(code) or abort(404)
    try:
        attempt = services.start_attempt(current_user.id, course)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("quiz.overview", code=code))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@allow(LEARNER)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    version = attempt.course_version
    if attempt.is_submitted:
        if request.method == "POST":
            flash(translate(services.AttemptAlreadySubmitted.template), "error")
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    status = 200
    if request.method == "POST":
        before = learning.completion_for(current_user.id, attempt.course_id)
        try:
            _grade, completion = services.submit_attempt(attempt, request.form)
        except InvalidSubmission as exc:
            flash(translate(exc.template, exc.params), "error")
            status = 400  # the form is shown again with what the learner chose
        except DomainError as exc:
            flash(exc.message, "error")
            if attempt.is_pretest:  # closed: the pre-test page says why
                return redirect(url_for("quiz.pretest", code=attempt.course.code))
            return redirect(url_for("quiz.result", attempt_id=attempt.id))
        else:
            if attempt.is_pretest:
                flash(_("Your pre-test has been submitted and scored."), "success")
            else:
                flash(_("Your answers have been submitted and graded."), "success")
            announce_completion(completion, before)
            return redirect(url_for("quiz.result", attempt_id=attempt.id))
    return render_template(
        "quiz/attempt.html",
        attempt=attempt,
        version=version,
        course=attempt.course,
        questions=services.questions_for_display(version, attempt),
        given=request.form if request.method == "POST" else None,
    ), status


@bp.route("/attempts/<int:attempt_id>/result")
@allow(LEARNER)
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
    course = attempt.course
    if attempt.is_pretest:
        return _pretest_result(attempt, course)
    status = services.quiz_status(current_user.id, course)
    reveal = attempt.passed or status.passed or status.left == 0
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        version=attempt.course_version,
        course=course,
        items=services.review(attempt.course_version, attempt, reveal),
        reveal=reveal,
        status=status,
        completion=learning.completion_for(current_user.id, course.id),
        progress=learning.progress_for(current_user.id, course.current_version)
        if course.current_version
        else None,
    )


def _pretest_result(attempt: QuizAttempt, course):
    reveal = services.pretest_review_open(current_user.id, course)
    return render_template(
        "quiz/pretest_result.html",
        attempt=attempt,
        version=attempt.course_version,
        course=course,
        items=services.review(attempt.course_version, attempt, True) if reveal else None,
    )


@bp.route("/courses/<code>/pretest")
@allow(LEARNER)
def pretest(code: str):
    course = catalog.published_course(code) or abort(404)
    if learning.enrolment_for(current_user.id, course.id) is None:
        flash(_("Enrol in this course before taking its quiz."), "info")
        return redirect(url_for("catalog.course", code=code))
    status = services.pretest_status(current_user.id, course) or abort(404)
    return render_template(
        "quiz/pretest.html", course=course, version=course.current_version, pretest=status
    )


@bp.route("/courses/<code>/pretest/start", methods=["POST"])
@allow(LEARNER)
def start_pretest(code: str):
    course = catalog.published_course(code) or abort(404)
    try:
        attempt = services.start_pretest(current_user.id, course)
    except (services.NoPretest, services.QuizNotEnrolled) as exc:
        flash(exc.message, "error")
        return redirect(url_for("catalog.course", code=code))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("quiz.pretest", code=code))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
