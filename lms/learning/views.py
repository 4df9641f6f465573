"""Learner pages: enrol, read a module, mark it done, the dashboard and certificates."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.access import SIGNED_IN, allow
from lms.accounts.models import ADMIN, HR, LEARNER
from lms.catalog import services as catalog
from lms.catalog import snapshots
from lms.errors import DomainError
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Completion
from lms.presentation import number

bp = Blueprint("learning", __name__)


def _course_or_404(code: str):
    return catalog.published_course(code) or abort(404)


def announce_completion(completion, before) -> None:
    """Flash the good news once: when this request wrote the completion."""
    if completion is not None and before is None:
        flash(_("Congratulations! You have completed this course and earned %(jp)s JP.",
                jp=number(completion.jp)), "success")  # fmt: skip


@bp.route("/courses/<code>/enrol", methods=["POST"])
@allow(LEARNER)
def enrol(code: str):
    course = _course_or_404(code)
    _enrolment, created = services.enrol(current_user.id, course)
    if created:
        flash(_("You are enrolled in %(title)s. Start with the first module.",
                title=course.current_version.title), "success")  # fmt: skip
    else:
        flash(_("You are already enrolled in this course."), "info")
    return redirect(url_for("catalog.course", code=course.code))


@bp.route("/courses/<code>/modules/<key>")
@allow(LEARNER)
def module(code: str, key: str):
    # The busiest page: content comes from the per-process snapshot of the published version,
    # the learner's state from one query.
    version = snapshots.published_snapshot(code) or abort(404)
    module = version.modules.get(key) or abort(404)
    enrolled, done = services.learner_state(current_user.id, version.course_id)
    if not enrolled:
        flash(_("Enrol in this course to read its modules."), "info")
        return redirect(url_for("catalog.course", code=code))
    outline = version.outline
    index = module.position - 1
    previous = outline[index - 1] if index > 0 else None
    following = outline[index + 1] if index + 1 < len(outline) else None
    return render_template(
        "learning/module.html",
        version=version,
        module=module,
        module_href=outline[index]["href"],
        progress=services.progress_for(current_user.id, version, done),
        next=following,
        fragments=snapshots.module_fragments(version, module, previous, following),
    )


@bp.route("/courses/<code>/modules/<key>/done", methods=["POST"])
@allow(LEARNER)
def mark_done(code: str, key: str):
    course = _course_or_404(code)
    before = services.completion_for(current_user.id, course.id)
    try:
        completion = services.mark_done(current_user.id, course, key)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("catalog.course", code=code))
    outline = course.current_version.outline
    keys = [m["key"] for m in outline]
    index = keys.index(key)
    flash(_("Module “%(title)s” marked as done.", title=outline[index]["title"]), "success")
    announce_completion(completion, before)
    following = keys[index + 1] if index + 1 < len(keys) else None
    if following and completion is None:
        return redirect(url_for("learning.module", code=code, key=following))
    return redirect(url_for("catalog.course", code=code))


@bp.route("/my")
@allow(SIGNED_IN)
def dashboard():
    in_progress, completed = services.dashboard(current_user.id)
    year = datetime.now(get_timezone()).year
    jp_year = services.jp_in_year(current_user.id, year, str(get_timezone()))
    return render_template(
        "learning/dashboard.html",
        in_progress=in_progress,
        completed=completed,
        year=year,
        jp_year=jp_year,
        jp_target=current_app.config["LMS_JP_TARGET"],
    )


@bp.route("/certificates/<number>")
@allow(SIGNED_IN)
def certificate(number: str):
    completion = db.session.scalar(select(Completion).where(Completion.certificate_no == number))
    if completion is None or not (
        completion.user_id == current_user.id or current_user.has_role(HR, ADMIN)
    ):
        abort(404)  # others' certificates do not exist as far as this user can tell
    return render_template("learning/certificate.html", completion=completion)
