"""HR's assignment pages (create with a preview, update, cancel, progress, overdue list and its
export) and the learner's "Assigned training" on the dashboard (a template global)."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.access import allow
from lms.accounts.models import HR, Unit
from lms.assignments import services
from lms.assignments.forms import AssignmentForm, ConfirmForm, OverdueFilterForm, UpdateForm
from lms.assignments.models import JABATAN, PEOPLE, UNIT, Assignment
from lms.assignments.status import STATUS_ORDER
from lms.catalog.models import Course
from lms.clock import utcnow
from lms.competency.services import course_offers, dictionary
from lms.database import whole_number
from lms.errors import DomainError, translate
from lms.extensions import db
from lms.reports.tables import TABLE_FORMATS

bp = Blueprint("assignments", __name__, url_prefix="/assignments")

PEOPLE_PER_PAGE = 100


def _default_zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _today():
    return datetime.now(get_timezone()).date()


@bp.app_template_filter("calendar_date")
def calendar_date(day) -> str:
    """A calendar day (a due date) in the reader's language: "23 November 2026"."""
    return format_date(day, format="long") if day else ""


@bp.app_template_global()
def assigned_training():
    """For the dashboard: (to do, done) assigned courses of the signed-in person."""
    if not current_user.is_authenticated:
        return [], []
    lines = services.learner_assignments(current_user, _default_zone(), utcnow())
    return [x for x in lines if not x.status.done], [x for x in lines if x.status.done]


@bp.app_template_global()
def assigned_due(course_id: int):
    """For the course page: the person's earliest due date for this course, or None."""
    if not current_user.is_authenticated:
        return None
    return services.assigned_due(current_user.id, course_id)


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm()
    form.course.choices = [SelectChoice(0, "–")] + [
        SelectChoice(c.id, f"{c.current_version.title} ({c.code})")
        for c in services.published_courses()
    ]
    form.unit.choices = [SelectChoice(0, "–")] + [SelectChoice(u.id, u.name) for u in _units()]
    form.competency.choices = [SelectChoice("", "–")] + [
        SelectChoice(c.code, f"{c.code} · {c.name}") for c in dictionary()
    ]
    return form


def _prefill(form: AssignmentForm) -> None:
    """From a link (the training-needs report): course, unit, competency and reason."""
    args = request.args
    competency = args.get("competency", "")
    if competency and competency in {choice.value for choice in form.competency.choices}:
        form.competency.data = competency
    course_id = _course_id(args.get("course"), competency)
    if course_id:
        form.course.data = course_id
    unit = whole_number(args.get("unit"))
    if unit:
        form.unit.data = unit
        form.target.data = UNIT
    if args.get("reason"):
        form.reason.data = args["reason"][:500]


def _course_id(code: str | None, competency: str) -> int | None:
    if code:
        return next((c.id for c in services.published_courses() if c.code == code), None)
    offers = course_offers()
    if competency:
        # The course that develops the competency furthest, fewest JP first.
        fitting = [o for o in offers if competency in o.levels]
        best = min(fitting, key=lambda o: (-o.levels[competency], o.jp, o.title), default=None)
        return best.course_id if best else None
    return None


def _target(form: AssignmentForm) -> services.Target | None:
    """The form's target; None (with the reasons on the people field) when a line is bad."""
    kind = form.target.data
    if kind == PEOPLE:
        ids, problems = services.parse_people(form.people.data)
        for p in problems:
            form.people.errors.append(
                _("Line %(line)d (%(value)s): %(reason)s", line=p.line, value=p.value,
                  reason=translate(p.template, {"count": services.MAX_PEOPLE_LINES}))
            )  # fmt: skip
        if problems:
            return None
        return services.Target(PEOPLE, user_ids=ids)
    if kind == UNIT:
        return services.Target(
            UNIT, unit_id=form.unit.data, include_subunits=form.include_subunits.data,
            include_later=form.include_later.data,
        )  # fmt: skip
    return services.Target(
        JABATAN, jabatan=form.jabatan.data, include_later=form.include_later.data
    )


def _form_page(form, *, reach=None, duplicate=None):
    page = render_template(
        "assignments/new.html",
        form=form,
        reach=reach,
        duplicate=duplicate,
        jabatan_values=services.jabatan_values(),
    )
    return page, (400 if form.errors else 200)


@bp.route("/")
@allow(HR)
def index():
    assignments = services.list_assignments()
    counts = services.assignment_counts(assignments, _default_zone(), utcnow())
    return render_template("assignments/index.html", assignments=assignments, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@allow(HR)
def new():
    form = _assignment_form()
    if request.method == "GET":
        _prefill(form)
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form)
    target = _target(form)
    if target is None:
        return _form_page(form)
    if request.form.get("action") != "save":
        return _form_page(form, reach=services.preview(target))
    course = db.session.get(Course, form.course.data) or abort(400)
    try:
        assignment = services.create_assignment(
            course, target, due_on=form.due_on.data, reason=form.reason.data,
            competency_code=form.competency.data or None, created_by=current_user, today=_today(),
        )  # fmt: skip
    except services.DuplicateAssignment as exc:
        existing = exc.existing
        if (existing.due_on, existing.reason) == (form.due_on.data, form.reason.data.strip()):
            flash(_("This assignment is already saved."), "info")  # a double click
            return redirect(url_for(".detail", assignment_id=existing.id))
        return _form_page(form, duplicate=existing)
    except services.DueInPast as exc:
        form.due_on.errors.append(exc.message)
        return _form_page(form)
    except DomainError as exc:
        form.target.errors.append(exc.message)
        return _form_page(form)
    flash(_("Assignment saved: it reaches %(count)d employees.", count=_reached(assignment)),
          "success")  # fmt: skip
    return redirect(url_for(".detail", assignment_id=assignment.id))


def _reached(assignment: Assignment) -> int:
    counts = services.assignment_counts([assignment], _default_zone(), utcnow())
    return counts[assignment.id].assigned


def _assignment_or_404(assignment_id: int) -> Assignment:
    return db.session.get(Assignment, assignment_id) or abort(404)


@bp.route("/<int:assignment_id>")
@allow(HR)
def detail(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    people = services.assignment_people(assignment, _default_zone(), utcnow())
    sort = request.args.get("sort", "status")
    if sort == "status":
        people.sort(key=lambda p: (p.status.sort_key, -p.status.days_overdue, p.name))
    page = whole_number(request.args.get("page"), 1)
    pages = max((len(people) + PEOPLE_PER_PAGE - 1) // PEOPLE_PER_PAGE, 1)
    if page > pages:
        abort(404)
    shown = people[(page - 1) * PEOPLE_PER_PAGE : page * PEOPLE_PER_PAGE]
    counts = services.assignment_counts([assignment], _default_zone(), utcnow())[assignment.id]
    return render_template(
        "assignments/detail.html", assignment=assignment, people=shown, total=len(people),
        page=page, pages=pages, sort=sort, counts=counts, statuses=STATUS_ORDER,
    )  # fmt: skip


@bp.route("/<int:assignment_id>/edit", methods=["GET", "POST"])
@allow(HR)
def edit(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    if not assignment.active:
        flash(translate(services.AlreadyCancelled.template), "info")
        return redirect(url_for(".detail", assignment_id=assignment.id))
    form = UpdateForm(obj=assignment)
    if form.validate_on_submit():
        try:
            changed = services.update_assignment(
                assignment, due_on=form.due_on.data, reason=form.reason.data, today=_today()
            )
        except DomainError as exc:
            form.due_on.errors.append(exc.message)
        else:
            if changed:
                flash(_("Due date and reason updated."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for(".detail", assignment_id=assignment.id))
    page = render_template("assignments/edit.html", assignment=assignment, form=form)
    return page, (400 if form.errors else 200)


@bp.route("/<int:assignment_id>/cancel", methods=["GET", "POST"])
@allow(HR)
def cancel(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel_assignment(assignment, current_user)
        except DomainError as exc:
            flash(exc.message, "info")
        else:
            flash(_("Assignment cancelled. Learners no longer see it; it stays here for the "
                    "record."), "success")  # fmt: skip
        return redirect(url_for(".detail", assignment_id=assignment.id))
    return render_template("assignments/cancel.html", assignment=assignment, form=form)


def _overdue_form() -> OverdueFilterForm:
    form = OverdueFilterForm(request.args if request.method == "GET" else request.form)
    form.unit.choices = [SelectChoice(0, _("All units"))] + [
        SelectChoice(u.id, u.name) for u in _units()
    ]
    form.course.choices = [SelectChoice(0, _("All courses"))] + [
        SelectChoice(c.id, f"{c.current_version.title} ({c.code})")
        for c in services.published_courses()
    ]
    return form


def _overdue_filter(form: OverdueFilterForm) -> services.OverdueFilter:
    return services.OverdueFilter(
        unit_id=form.unit.data or None, course_id=form.course.data or None
    )


@bp.route("/overdue")
@allow(HR)
def overdue():
    form = _overdue_form()
    if not form.validate():
        return render_template("assignments/overdue.html", form=form, lines=None), 400
    lines = services.overdue_lines(_overdue_filter(form), _default_zone(), utcnow())
    return render_template(
        "assignments/overdue.html", form=form, lines=lines, formats=TABLE_FORMATS
    )


@bp.route("/overdue/export/<fmt>", methods=["POST"])
@allow(HR)
def overdue_export(fmt: str):
    if fmt not in TABLE_FORMATS:
        abort(404)
    form = _overdue_form()
    if not form.validate():
        abort(400)
    started = services.export_overdue(
        fmt, _overdue_filter(form), default_zone=_default_zone(), now=utcnow(),
        actor=current_user.login, user_id=current_user.id,
    )  # fmt: skip
    return started.response()
