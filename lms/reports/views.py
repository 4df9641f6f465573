"""HR report pages: filter completions, see them by course and by unit, export exactly that set."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.access import allow
from lms.accounts.models import ADMIN, HR, Unit, User
from lms.catalog.models import Course, CourseCompetency, CourseVersion
from lms.content.vocabulary import BUILTIN_COMPETENCIES, CATEGORIES
from lms.database import whole_number
from lms.extensions import db
from lms.learning.models import Completion
from lms.mentoring.models import CONFIRMED, MentoringProgramme, MentoringSession, Mentorship
from lms.presentation import competency_label
from lms.reports import gain, services, summaries
from lms.reports.forms import CompletionFilterForm
from lms.reports.models import ExportLog
from lms.reports.queries import CompletionFilter

bp = Blueprint("reports", __name__, url_prefix="/reports")

LOG_PAGE_SIZE = 50
MOST_ACTIVE_PER_UNIT = 5
EMPLOYEES_PER_PAGE = 50


def _filter_form() -> CompletionFilterForm:
    form = CompletionFilterForm(request.args if request.method == "GET" else request.form)
    units = db.session.scalars(select(Unit).order_by(Unit.name))
    form.unit.choices = [SelectChoice(0, _("All units"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    courses = db.session.execute(
        select(Course.code, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(CourseVersion.title)
    )
    form.course.choices = [SelectChoice("", _("All courses"))] + [
        SelectChoice(code, f"{title} ({code})") for code, title in courses
    ]
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(code, _(name)) for code, name in CATEGORIES.items()
    ]
    in_catalog = set(db.session.scalars(select(CourseCompetency.code).distinct()))
    codes = list(BUILTIN_COMPETENCIES) + sorted(in_catalog - set(BUILTIN_COMPETENCIES))
    form.competency.choices = [SelectChoice("", _("All competencies"))] + [
        SelectChoice(c, f"{c} · {competency_label(c)}") for c in codes
    ]
    return form


def _to_filter(form: CompletionFilterForm) -> CompletionFilter:
    zone = str(get_timezone())
    default = CompletionFilter.this_year(zone)
    untouched = not any(request.values.get(k) for k in ("since", "until"))
    return CompletionFilter(
        since=default.since if untouched else form.since.data,
        until=default.until if untouched else form.until.data,
        unit_id=form.unit.data or None,
        course_code=form.course.data or None,
        category=form.category.data or None,
        competency=form.competency.data or None,
        zone=zone,
    )


COURSE_SORTS = {"title", "enrolments", "completions", "completion_rate", "pass_rate"}
COURSE_SORTS |= {"median_score"}
UNIT_SORTS = {"name", "employees", "enrolled", "completed", "completion_rate", "jp"}
UNIT_SORTS |= {"reached_target", "mentoring_sessions"}


def _sorted(lines: list, key: str, allowed: set[str]) -> list:
    """Sort a small summary table by a column; '-' first means descending; blanks go last."""
    name = key.lstrip("-")
    if name not in allowed:
        return lines
    present = [line for line in lines if getattr(line, name) is not None]
    missing = [line for line in lines if getattr(line, name) is None]
    present.sort(key=lambda line: getattr(line, name), reverse=key.startswith("-"))
    return present + missing


@bp.route("")
@allow(HR)
def index():
    form = _filter_form()
    if not form.validate():
        return render_template(
            "reports/index.html", form=form, filter=None, formats=services.FORMATS
        ), 400
    f = _to_filter(form)
    form.since.data, form.until.data = f.since, f.until  # show the period actually used
    target = current_app.config["LMS_JP_TARGET"]
    units = summaries.by_unit(f, target)
    courses = summaries.by_course(f)
    course_sort = request.args.get("course_sort", "-completions")
    unit_sort = request.args.get("unit_sort", "-jp")
    return render_template(
        "reports/index.html",
        form=form,
        filter=f,
        summary=summaries.summary(f),
        courses=_sorted(courses, course_sort, COURSE_SORTS),
        units=_sorted(units, unit_sort, UNIT_SORTS),
        course_sort=course_sort,
        unit_sort=unit_sort,
        unit_chart=[(u.name, u.completed) for u in units if u.employees or u.completed][:15],
        jp_spread=summaries.jp_distribution(f, target),
        course_gains=gain.by_course(f),
        unit_gains=gain.by_unit(f),
        jp_target=target,
        formats=services.FORMATS,
    )


@bp.route("/employees")
@allow(HR)
def employees():
    form = _filter_form()
    if not form.validate():
        return render_template("reports/employees.html", form=form, filter=None), 400
    f = _to_filter(form)
    form.since.data, form.until.data = f.since, f.until
    page = whole_number(request.args.get("page"), 1)
    sort = request.args.get("sort", "name")
    status = request.args.get("status")
    status = status if status in summaries.JP_STATUSES else None
    target = current_app.config["LMS_JP_TARGET"]
    lines, total = summaries.employees(
        f, sort=sort, page=page, per_page=EMPLOYEES_PER_PAGE, status=status, jp_target=target
    )
    return render_template(
        "reports/employees.html",
        form=form,
        filter=f,
        lines=lines,
        total=total,
        page=page,
        pages=max(1, -(-total // EMPLOYEES_PER_PAGE)),
        sort=sort,
        status=status,
        jp_target=target,
    )


@bp.route("/most-active")
@allow(HR)
def most_active():
    """The most active learners of each unit in the period, for recognition (can be hidden)."""
    if not current_app.config["LMS_RECOGNITION"]:
        abort(404)
    form = _filter_form()
    if not form.validate():
        return render_template("reports/most_active.html", form=form, lines=None), 400
    f = _to_filter(form)
    form.since.data, form.until.data = f.since, f.until
    lines = summaries.most_active(f, per_unit=MOST_ACTIVE_PER_UNIT)
    return render_template("reports/most_active.html", form=form, lines=lines, filter=f)


@bp.route("/employees/<int:user_id>")
@allow(HR)
def employee(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    history = db.session.execute(
        select(Completion, CourseVersion.title, Course.code)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.user_id == user_id)
        .order_by(Completion.completed_at.desc())
    ).all()
    # Every confirmed session, one line each: this page is the person's learning record.
    sessions = db.session.execute(
        select(MentoringSession, MentoringProgramme.name, User.name)
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .join(MentoringProgramme, MentoringProgramme.id == Mentorship.programme_id)
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id == user_id, MentoringSession.status == CONFIRMED)
        .order_by(MentoringSession.started_at.desc())
    ).all()
    zone = get_timezone()
    per_year: dict[int, float] = {}
    for completion, _title, _code in history:
        year = completion.completed_at.astimezone(zone).year
        per_year[year] = per_year.get(year, 0.0) + completion.jp
    for session, _programme, _mentor in sessions:
        year = session.started_at.astimezone(zone).year
        per_year[year] = per_year.get(year, 0.0) + (session.jp or 0.0)
    return render_template(
        "reports/employee.html",
        person=person,
        history=history,
        sessions=sessions,
        per_year=sorted(per_year.items(), reverse=True),
        jp_target=current_app.config["LMS_JP_TARGET"],
    )


@bp.route("/export/<fmt>", methods=["POST"])
@allow(HR)
def export(fmt: str):
    if fmt not in services.FORMATS:
        abort(404)
    form = _filter_form()
    if not form.validate():
        abort(400)
    try:
        started = services.start_export(
            fmt,
            _to_filter(form),
            actor=current_user.login,
            channel="web",
            user_id=current_user.id,
            portal_url=request.host_url.rstrip("/"),
            organiser=current_app.config["LMS_ORGANISER"],
        )
    except services.TooManyRowsForExcel as exc:
        flash(exc.message, "error")
        filters = {k: v for k, v in request.form.items() if k != "csrf_token" and v}
        return redirect(url_for(".index", **filters))
    # The audit entry is committed with the request (after_request), before the body streams;
    # the streaming itself only reads, so it must not hold SQLite's write lock.
    g.lms_reading_only = True
    response = Response(stream_with_context(started.body), mimetype=started.format.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{started.filename}"'
    return response


@bp.route("/audit")
@allow(ADMIN)
def audit():
    page = whole_number(request.args.get("page"), 1)
    pagination = db.paginate(
        select(ExportLog).order_by(ExportLog.at.desc(), ExportLog.id.desc()),
        page=page,
        per_page=LOG_PAGE_SIZE,
        error_out=False,
    )
    return render_template("reports/audit.html", pagination=pagination)
