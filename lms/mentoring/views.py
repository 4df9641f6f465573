"""Mentoring pages: HR's programmes and pairings, everyone's "My mentoring", the pairing page
(sessions, confirmation, the mentee's progress for the mentor, suggestions), HR's activity report.

Every pairing route goes through `_pairing_or_403`, i.e. services.check_may_see.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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
from flask_babel import format_date, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.access import SIGNED_IN, allow
from lms.accounts.models import HR, Unit
from lms.competency.profiles import person_zone, recommendations_for
from lms.errors import translate
from lms.extensions import db
from lms.learning.services import dashboard, jp_in_year
from lms.mentoring import services
from lms.mentoring.forms import (
    ActivityFilterForm,
    ConfirmForm,
    DeclineForm,
    PairingForm,
    ProgrammeForm,
    SessionForm,
    SuggestionForm,
)
from lms.mentoring.models import PENDING, MentoringProgramme, MentoringSession, Mentorship
from lms.presentation import number
from lms.reports.tables import TABLE_FORMATS

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


@bp.app_template_global()
def has_mentoring() -> bool:
    """For the dashboard only: whether to show its Mentoring section (one cheap query)."""
    return current_user.is_authenticated and services.has_mentoring(current_user.id)


@bp.app_template_filter("calendar_day")
def calendar_day(value) -> str:
    """A calendar date (no time, so no zone) in the reader's language: 23 November 2026."""
    return format_date(value, format="long") if value is not None else ""


def _field_error(form, exc: services.MentoringError) -> None:
    """Put the service's message next to the field it is about, else above the form."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message] if target.errors else [exc.message]
    else:
        flash(exc.message, "error")


def _default_zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# --- everyone: my pairings ---------------------------------------------------------------------


@bp.get("/")
@allow(SIGNED_IN)
def index():
    return render_template("mentoring/index.html", lines=services.pairings_of(current_user.id))


# --- HR: programmes and pairings ---------------------------------------------------------------


@bp.get("/programmes")
@allow(HR)
def programmes():
    return render_template("mentoring/programmes.html", lines=services.programmes())


def _programme_or_404(programme_id: int) -> MentoringProgramme:
    return db.session.get(MentoringProgramme, programme_id) or abort(404)


def _programme_form_page(form, programme):
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("mentoring/programme_form.html", form=form, programme=programme), status


@bp.route("/programmes/new", methods=["GET", "POST"])
@allow(HR)
def new_programme():
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = services.create_programme(
                form.name.data, form.description.data, form.starts_on.data, form.ends_on.data,
                current_user,
            )  # fmt: skip
        except services.MentoringError as exc:
            _field_error(form, exc)
        else:
            flash(_("Programme %(name)s created. Now pair mentors with mentees.",
                    name=programme.name), "success")  # fmt: skip
            return redirect(url_for(".programme", programme_id=programme.id))
    return _programme_form_page(form, None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@allow(HR)
def edit_programme(programme_id: int):
    programme = _programme_or_404(programme_id)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            services.update_programme(
                programme, form.name.data, form.description.data, form.starts_on.data,
                form.ends_on.data,
            )  # fmt: skip
        except services.MentoringError as exc:
            _field_error(form, exc)
        else:
            flash(_("Programme %(name)s saved.", name=programme.name), "success")
            return redirect(url_for(".programme", programme_id=programme.id))
    return _programme_form_page(form, programme)


def _programme_page(programme, form, problems=(), status=200):
    return render_template(
        "mentoring/programme.html",
        programme=programme,
        lines=services.programme_pairings(programme.id),
        form=form,
        problems=problems,
        translate=translate,
    ), status


@bp.get("/programmes/<int:programme_id>")
@allow(HR)
def programme(programme_id: int):
    programme = _programme_or_404(programme_id)
    form = PairingForm()
    form.starts_on.data = max(programme.starts_on, datetime.now(get_timezone()).date())
    if programme.ends_on and form.starts_on.data > programme.ends_on:
        form.starts_on.data = programme.starts_on
    form.ends_on.data = programme.ends_on
    return _programme_page(programme, form)


@bp.post("/programmes/<int:programme_id>/pairings")
@allow(HR)
def pair(programme_id: int):
    programme = _programme_or_404(programme_id)
    form = PairingForm()
    if not form.validate_on_submit():
        return _programme_page(programme, form, status=400)
    try:
        created = services.pair(
            programme, form.mentor.data, form.mentees.data, form.starts_on.data,
            form.ends_on.data, current_user,
        )  # fmt: skip
    except services.PairingRefused as exc:
        form.mentees.errors = [exc.message]
        return _programme_page(programme, form, problems=exc.problems, status=400)
    except services.MentoringError as exc:
        _field_error(form, exc)
        return _programme_page(programme, form, status=400)
    flash(
        ngettext("%(num)d pairing created.", "%(num)d pairings created.", len(created)), "success"
    )
    return redirect(url_for(".programme", programme_id=programme.id))


def _pairing_or_403(mentorship_id: int) -> Mentorship:
    mentorship = db.session.get(Mentorship, mentorship_id) or abort(404)
    try:
        services.check_may_see(current_user, mentorship)
    except services.NotAllowed:
        abort(403)
    return mentorship


@bp.route("/pairings/<int:mentorship_id>/end", methods=["GET", "POST"])
@allow(HR)
def end_pairing(mentorship_id: int):
    mentorship = _pairing_or_403(mentorship_id)
    back = url_for(".programme", programme_id=mentorship.programme_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if services.end_pairing(mentorship):
            names = {"mentor": mentorship.mentor.name, "mentee": mentorship.mentee.name}
            flash(_("The pairing of %(mentor)s and %(mentee)s has ended. Its sessions are kept.",
                    **names), "success")  # fmt: skip
        else:
            flash(_("This pairing had already ended."), "info")
        return redirect(back)
    return render_template(
        "mentoring/end_pairing.html", mentorship=mentorship, form=form, back=back
    )


# --- the pairing page --------------------------------------------------------------------------


def _mentee_progress(mentorship: Mentorship) -> dict:
    """What the mentor sees of the mentee: courses, JP this year, gaps and recommendations."""
    mentee = mentorship.mentee
    zone = person_zone(mentee, _default_zone())
    year = datetime.now(get_timezone()).year
    in_progress, completed = dashboard(mentee.id)
    return {
        "in_progress": in_progress,
        "completed": completed,
        "year": year,
        "jp_year": jp_in_year(mentee.id, year, zone),
        "recommended": recommendations_for(mentee),
    }


def _suggestion_form() -> SuggestionForm:
    form = SuggestionForm()
    form.course.choices = [SelectChoice("", _("Choose a course"))] + [
        SelectChoice(code, f"{title} ({code})") for code, title in services.published_courses()
    ]
    return form


def _pairing_page(mentorship, session_form=None, suggestion_form=None, status=200):
    is_mentor = services.may_suggest(current_user, mentorship)
    is_participant = services.is_participant(current_user, mentorship)
    return render_template(
        "mentoring/pairing.html",
        mentorship=mentorship,
        sessions=services.sessions_of(mentorship.id),
        suggestions=services.suggestions_of(mentorship.id),
        is_mentor=is_mentor,
        is_participant=is_participant,
        session_form=session_form or SessionForm(formdata=None),
        suggestion_form=(suggestion_form or _suggestion_form()) if is_mentor else None,
        decide_form=ConfirmForm(formdata=None),
        progress=_mentee_progress(mentorship) if is_mentor else None,
        seen_token=lambda session: services.SeenSession.of(session).token(),
        jp_minutes=current_app.config["LMS_JP_MINUTES"],
    ), status


@bp.get("/pairings/<int:mentorship_id>")
@allow(SIGNED_IN)
def pairing(mentorship_id: int):
    return _pairing_page(_pairing_or_403(mentorship_id))


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
        form.day.data, form.start.data, form.minutes.data, form.topic.data or "",
        form.notes.data or "",
    )  # fmt: skip


@bp.post("/pairings/<int:mentorship_id>/sessions")
@allow(SIGNED_IN)
def log_session(mentorship_id: int):
    mentorship = _pairing_or_403(mentorship_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.log_session(
                mentorship, current_user, _session_input(form),
                zone=person_zone(current_user, _default_zone()),
            )  # fmt: skip
        except services.MentoringError as exc:
            _field_error(form, exc)
        else:
            other = (
                mentorship.mentee if current_user.id == mentorship.mentor_id else mentorship.mentor
            )
            flash(_("Session logged. It counts once %(name)s confirms it.", name=other.name),
                  "success")  # fmt: skip
            return redirect(url_for(".pairing", mentorship_id=mentorship.id, _anchor="sessions"))
    return _pairing_page(mentorship, session_form=form, status=400)


def _session_or_403(session_id: int) -> MentoringSession:
    session = db.session.get(MentoringSession, session_id) or abort(404)
    _pairing_or_403(session.mentorship_id)
    return session


def _back_to(session: MentoringSession):
    return redirect(url_for(".pairing", mentorship_id=session.mentorship_id, _anchor="sessions"))


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
def edit_session(session_id: int):
    session = _session_or_403(session_id)
    if session.logged_by_id != current_user.id:
        flash(services.NotYourSession().message, "error")
        return _back_to(session)
    if session.status != PENDING:
        flash(services.AlreadyDecided().message, "info")
        return _back_to(session)
    zone = person_zone(current_user, _default_zone())
    form = SessionForm()
    if request.method == "GET":
        local = session.started_at.astimezone(ZoneInfo(zone))
        form.day.data, form.start.data = local.date(), local.time().replace(second=0)
        form.minutes.data, form.topic.data, form.notes.data = (
            session.minutes, session.topic, session.notes,
        )  # fmt: skip
    elif form.validate_on_submit():
        try:
            services.edit_session(session, current_user, _session_input(form), zone=zone)
        except services.MentoringError as exc:
            _field_error(form, exc)
        else:
            flash(_("Session saved."), "success")
            return _back_to(session)
    status = 400 if request.method == "POST" else 200
    return render_template("mentoring/session_form.html", session=session, form=form), status


@bp.post("/sessions/<int:session_id>/delete")
@allow(SIGNED_IN)
def delete_session(session_id: int):
    session = _session_or_403(session_id)
    mentorship_id = session.mentorship_id
    try:
        services.delete_session(session, current_user)
    except services.MentoringError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Session deleted."), "success")
    return redirect(url_for(".pairing", mentorship_id=mentorship_id, _anchor="sessions"))


@bp.post("/sessions/<int:session_id>/confirm")
@allow(SIGNED_IN)
def confirm_session(session_id: int):
    session = _session_or_403(session_id)
    try:
        seen = services.SeenSession.parse(request.form.get("seen"))
        if seen is None:
            raise services.SessionChanged()  # a form without what it showed: decide again
        services.confirm_session(
            session, current_user, jp_minutes=current_app.config["LMS_JP_MINUTES"], seen=seen
        )
    except services.MentoringError as exc:
        flash(exc.message, "info")
    else:
        flash(
            _("Session confirmed: %(jp)s JP for the mentee.", jp=number(session.jp, 2)), "success"
        )
    return _back_to(session)


@bp.post("/sessions/<int:session_id>/decline")
@allow(SIGNED_IN)
def decline_session(session_id: int):
    session = _session_or_403(session_id)
    form = DeclineForm()
    try:
        if not form.validate_on_submit():
            raise services.MentoringError(form.reason.errors[0] if form.reason.errors else None)
        services.decline_session(session, current_user, form.reason.data)
    except services.MentoringError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Session declined."), "success")
    return _back_to(session)


@bp.post("/pairings/<int:mentorship_id>/suggestions")
@allow(SIGNED_IN)
def suggest(mentorship_id: int):
    mentorship = _pairing_or_403(mentorship_id)
    if not services.may_suggest(current_user, mentorship):
        abort(403)  # HR and the mentee see suggestions; only the mentor makes them
    form = _suggestion_form()
    if form.validate_on_submit():
        try:
            changed = services.suggest_course(
                mentorship, current_user, form.course.data, form.note.data
            )
        except services.MentoringError as exc:
            _field_error(form, exc)
        else:
            flash(_("Course suggested to %(name)s.", name=mentorship.mentee.name) if changed
                  else _("Nothing changed: you had suggested this course already."),
                  "success" if changed else "info")  # fmt: skip
            return redirect(url_for(".pairing", mentorship_id=mentorship.id, _anchor="suggestions"))
    return _pairing_page(mentorship, suggestion_form=form, status=400)


# --- HR: activity per unit ---------------------------------------------------------------------


def _activity_form() -> ActivityFilterForm:
    form = ActivityFilterForm(request.args if request.method == "GET" else request.form)
    units = db.session.scalars(select(Unit).order_by(Unit.name))
    form.unit.choices = [SelectChoice(0, _("All units"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    return form


def _activity_filter(form: ActivityFilterForm) -> services.ActivityFilter:
    zone = str(get_timezone())
    default = services.ActivityFilter.this_year(zone)
    return services.ActivityFilter(
        since=form.since.data or default.since,
        until=form.until.data or default.until,
        unit_id=form.unit.data or None,
        zone=zone,
    )


@bp.get("/activity")
@allow(HR)
def activity():
    form = _activity_form()
    if not form.validate():
        return render_template("mentoring/activity.html", form=form, activity=None), 400
    f = _activity_filter(form)
    if not form.since.data and not form.until.data:
        form.since.data, form.until.data = f.since, f.until
    return render_template(
        "mentoring/activity.html",
        form=form,
        activity=services.activity_per_unit(f),
        formats=TABLE_FORMATS,
    )


@bp.post("/activity/export/<fmt>")
@allow(HR)
def activity_export(fmt: str):
    if fmt not in TABLE_FORMATS:
        abort(404)
    form = _activity_form()
    if not form.validate():
        abort(400)
    started = services.export_activity(
        fmt, _activity_filter(form), actor=current_user.login, channel="web",
        user_id=current_user.id,
    )  # fmt: skip
    return started.response()
