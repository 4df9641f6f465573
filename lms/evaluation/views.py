"""Evaluation pages: the learner's form and "not now", the trainer's and HR's anonymous summaries.

The dashboard prompt and the course page link come from two template globals, so the learning
and catalog views need not know this feature exists.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.access import allow
from lms.accounts.models import HR, LEARNER, TRAINER
from lms.authoring.services import can_edit
from lms.catalog.models import Course
from lms.errors import DomainError
from lms.evaluation import services
from lms.evaluation.forms import EvaluationForm
from lms.extensions import db

bp = Blueprint("evaluation", __name__)


def _course_or_404(code: str) -> Course:
    return db.session.scalar(select(Course).where(Course.code == code)) or abort(404)


def _refused(exc: DomainError):
    # 404 like someone else's certificate: there is no evaluation here for this learner.
    return render_template("errors/error.html", status=404, description=exc.message), 404


@bp.route("/courses/<code>/evaluation", methods=["GET", "POST"])
@allow(LEARNER)
def evaluate(code: str):
    course = _course_or_404(code)
    try:
        existing = services.evaluation_of_completed(current_user.id, course)
    except services.NotCompleted as exc:
        return _refused(exc)
    if existing is not None and existing.answered:
        if request.method == "POST":  # a double click or a second tab: the first answer stands
            return redirect(url_for(".evaluate", code=code))
        return render_template("evaluation/thanks.html", course=course)
    form = EvaluationForm()
    if form.validate_on_submit():
        try:
            services.submit(current_user.id, course, form.ratings(), form.comment.data)
        except DomainError as exc:
            flash(exc.message, "info")
            return redirect(url_for(".evaluate", code=code))
        flash(_("Thank you! Your evaluation helps the trainers improve this course."), "success")
        return redirect(url_for("learning.dashboard"))
    return render_template(
        "evaluation/form.html", course=course, form=form, min_responses=services.MIN_RESPONSES
    )


@bp.post("/courses/<code>/evaluation/dismiss")
@allow(LEARNER)
def dismiss(code: str):
    course = _course_or_404(code)
    try:
        services.dismiss(current_user.id, course)
    except services.NotCompleted as exc:
        return _refused(exc)
    flash(_("We will not ask again. You can still evaluate the course from its page."), "info")
    return redirect(url_for("learning.dashboard"))


@bp.get("/author/courses/<code>/evaluation")
@allow(TRAINER)
def course_summary(code: str):
    course = _course_or_404(code)
    if not can_edit(current_user, course):
        abort(403)
    return render_template(
        "evaluation/summary.html", course=course, summary=services.summary(course), for_hr=False
    )


@bp.get("/reports/evaluations")
@allow(HR)
def report_index():
    return render_template(
        "evaluation/report_index.html",
        lines=services.overview(),
        min_responses=services.MIN_RESPONSES,
    )


@bp.get("/reports/evaluations/<code>")
@allow(HR)
def report_course(code: str):
    course = _course_or_404(code)
    return render_template(
        "evaluation/summary.html", course=course, summary=services.summary(course), for_hr=True
    )


@bp.app_template_global()
def pending_evaluations() -> list[services.PendingEvaluation]:
    """For the dashboard: completed courses the signed-in learner has not answered or dismissed."""
    if not current_user.is_authenticated:
        return []
    return services.pending(current_user.id)


@bp.app_template_global()
def course_evaluation(course_id: int):
    """For the course page: the signed-in learner's evaluation of the course, if any."""
    if not current_user.is_authenticated:
        return None
    return services.evaluation_for(current_user.id, course_id)
