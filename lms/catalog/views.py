"""Catalog pages: search and filter published courses, and a course's own page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from lms.access import SIGNED_IN, allow
from lms.catalog import files, services
from lms.content.vocabulary import CATEGORIES
from lms.learning import services as learning
from lms.quiz import services as quiz

bp = Blueprint("catalog", __name__)


@bp.route("/courses")
@allow(SIGNED_IN)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    category = request.args.get("category") or None
    competency = request.args.get("competency") or None
    if category not in CATEGORIES:
        category = None
    courses = services.search_catalog(q, category, competency)
    enrolled = learning.enrolled_course_ids(current_user.id)
    return render_template(
        "catalog/index.html",
        courses=courses,
        q=q,
        category=category,
        competency=competency,
        competencies=services.competencies_in_catalog(),
        enrolled=enrolled,
    )


@bp.route("/courses/<code>")
@allow(SIGNED_IN)
def course(code: str):
    course = services.published_course(code) or abort(404)
    version = course.current_version
    enrolment = learning.enrolment_for(current_user.id, course.id)
    progress = learning.progress_for(current_user.id, version) if enrolment else None
    return render_template(
        "catalog/course.html",
        course=course,
        version=version,
        enrolment=enrolment,
        progress=progress,
        completion=learning.completion_for(current_user.id, course.id) if enrolment else None,
        quiz_status=quiz.quiz_status(current_user.id, course) if enrolment else None,
        pretest=quiz.pretest_status(current_user.id, course) if enrolment else None,
    )


@bp.route("/courses/<code>/files/<name>")
@allow(SIGNED_IN)
def course_file(code: str, name: str):
    """An image or attachment of the course's published version."""
    course = services.published_course(code) or abort(404)
    asset = (course.current_version.assets or {}).get(name) or abort(404)
    return files.send_asset(name, asset)
