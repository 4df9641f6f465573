"""Competency pages: the dictionary, HR's requirements and imports, profiles, training needs.

The dashboard's "recommended for you" comes from a template global, so the learning views need
not know this feature exists. The rules live in lms.competency.services and .rules.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.access import SIGNED_IN, allow
from lms.accounts.importing import MAX_BYTES
from lms.accounts.models import HR, Unit, User
from lms.competency import importing, imports, needs, profiles, services
from lms.competency.dictionary import KINDS
from lms.competency.forms import (
    CompetencyForm,
    CompetencyImportForm,
    RequirementForm,
    UnitFilterForm,
)
from lms.competency.models import (
    COMPETENCIES,
    REQUIREMENTS,
    Competency,
    CompetencyImport,
    PositionRequirement,
)
from lms.database import record_on_read
from lms.errors import DomainError, translate
from lms.extensions import db
from lms.imports.pages import ImportPages
from lms.learning.views import verification_url
from lms.reports.tables import TABLE_FORMATS

bp = Blueprint("competency", __name__)

KIND_LABELS = {
    "managerial": _l("Managerial"),
    "socio-cultural": _l("Socio-cultural"),
    "technical": _l("Technical"),
}
COLUMN_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "description": _l("Description"),
    **{f"level_{n}": _l("Level %(level)d", level=n) for n in range(1, 6)},
    "jabatan": _l("Position (jabatan)"),
    "level": _l("Required level"),
}


@bp.app_template_global()
def competency_kind_label(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind or "", "–"))


@bp.app_template_global()
def recommended_for_you() -> profiles.Recommendations | None:
    """For the dashboard: the signed-in person's gaps and the courses that close them."""
    if not current_user.is_authenticated:
        return None
    return profiles.recommendations_for(current_user)


# --- The dictionary ---------------------------------------------------------------------------


@bp.route("/competencies")
@allow(SIGNED_IN)
def dictionary():
    entries = services.dictionary()
    groups = [(kind, [c for c in entries if c.kind == kind]) for kind in KINDS]
    return render_template("competency/dictionary.html", groups=groups)


def _competency_form_page(form, item: Competency | None):
    return render_template("competency/form.html", form=form, item=item), (
        400 if form.errors else 200
    )


@bp.route("/competencies/new", methods=["GET", "POST"])
@allow(HR)
def new_competency():
    form = CompetencyForm()
    if form.validate_on_submit():
        try:
            item = services.add_technical(
                form.code.data, form.name.data, form.description.data, form.levels()
            )
        except DomainError as exc:
            form.code.errors.append(exc.message)
        else:
            flash(_("Competency %(code)s added.", code=item.code), "success")
            return redirect(url_for(".dictionary", _anchor=item.code))
    return _competency_form_page(form, None)


@bp.route("/competencies/<code>/edit", methods=["GET", "POST"])
@allow(HR)
def edit_competency(code: str):
    item = services.competency(code) or abort(404)
    if not item.editable:
        flash(translate(services.NotEditable.template, {"code": item.code}), "info")
        return redirect(url_for(".dictionary", _anchor=item.code))
    form = CompetencyForm(obj=item)
    form.code.data = item.code  # the code never changes
    if request.method == "GET":
        for n in range(1, 6):
            getattr(form, f"level_{n}").data = item.level_text(n)
    if form.validate_on_submit():
        services.update_technical(item, form.name.data, form.description.data, form.levels())
        flash(_("Competency %(code)s saved.", code=item.code), "success")
        return redirect(url_for(".dictionary", _anchor=item.code))
    return _competency_form_page(form, item)


# --- Position requirements --------------------------------------------------------------------


def _requirement_form() -> RequirementForm:
    form = RequirementForm()
    form.competency.choices = [
        SelectChoice(c.code, f"{c.code} · {c.name}") for c in services.dictionary()
    ]
    return form


@bp.route("/competencies/requirements", methods=["GET", "POST"])
@allow(HR)
def requirements():
    form = _requirement_form()
    if request.method == "GET" and request.args.get("jabatan"):
        form.jabatan.data = request.args["jabatan"]
    if form.validate_on_submit():
        try:
            _created, changed = services.set_requirement(
                form.jabatan.data, form.competency.data, form.level.data, current_user
            )
        except DomainError as exc:
            form.competency.errors.append(exc.message)
        else:
            if changed:
                flash(
                    _("%(jabatan)s now requires %(code)s at level %(level)d.",
                      jabatan=services.normalise_jabatan(form.jabatan.data),
                      code=form.competency.data, level=form.level.data),
                    "success",
                )  # fmt: skip
            else:
                flash(_("Nothing changed: that requirement was already set."), "info")
            return redirect(url_for(".requirements"))
    return render_template(
        "competency/requirements.html",
        form=form,
        positions=services.positions(),
        position_names=services.position_names(),
    ), (400 if form.errors else 200)


@bp.route("/competencies/requirements/<int:requirement_id>/delete", methods=["POST"])
@allow(HR)
def delete_requirement(requirement_id: int):
    requirement = db.session.get(PositionRequirement, requirement_id) or abort(404)
    services.delete_requirement(requirement)
    flash(
        _("%(jabatan)s no longer requires %(code)s.",
          jabatan=requirement.jabatan, code=requirement.competency_code),
        "success",
    )  # fmt: skip
    return redirect(url_for(".requirements"))


# --- Imports ----------------------------------------------------------------------------------


IMPORT_PAGES = ImportPages(
    model=CompetencyImport,
    form=CompetencyImportForm,
    upload_template="competency/import.html",
    preview=imports.preview_import,
    apply=imports.apply_import,
    recent=imports.recent_imports,
    max_bytes=MAX_BYTES,
    headers=importing.HEADERS,
    template_headers=importing.TEMPLATE_HEADERS,
    template_filenames={
        COMPETENCIES: "kompetensi-teknis.csv",
        REQUIREMENTS: "syarat-jabatan.csv",
    },
    column_labels=COLUMN_LABELS,
    kind_labels={
        COMPETENCIES: _l("Technical competencies"),
        REQUIREMENTS: _l("Position requirements"),
    },
    mono_columns=("code",),
    preview_endpoint=".import_preview",
    confirm_endpoint=".import_confirm",
    upload_endpoint=".import_file",
)


@bp.route("/competencies/import", methods=["GET", "POST"])
@allow(HR)
def import_file():
    return IMPORT_PAGES.upload_page()


@bp.route("/competencies/import/<int:import_id>")
@allow(HR)
def import_preview(import_id: int):
    return IMPORT_PAGES.preview_page(import_id)


@bp.route("/competencies/import/<int:import_id>/confirm", methods=["POST"])
@allow(HR)
def import_confirm(import_id: int):
    return IMPORT_PAGES.confirm(import_id)


@bp.route("/competencies/import/template/<kind>.csv")
@allow(HR)
def import_template(kind: str):
    return IMPORT_PAGES.template_file(kind)


# --- Profiles ---------------------------------------------------------------------------------


def _profile(person: User) -> profiles.Profile:
    return profiles.profile_of(
        person,
        jp_target=current_app.config["LMS_JP_TARGET"],
        default_zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )


def _json_download(document: dict, person: User) -> Response:
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    name = f"profil-kompetensi-{person.login or person.id}.json"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.route("/my/profile")
@allow(SIGNED_IN)
def my_profile():
    return render_template("competency/profile.html", profile=_profile(current_user), own=True)


@bp.route("/my/profile.json")
@allow(SIGNED_IN)
def my_profile_json():
    document = profiles.profile_document(_profile(current_user), verification_url)
    return _json_download(document, current_user)


@bp.route("/reports/employees/<int:user_id>/profile")
@allow(HR)
def employee_profile(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    return render_template("competency/profile.html", profile=_profile(person), own=False)


@bp.route("/reports/employees/<int:user_id>/profile.json")
@allow(HR)
def employee_profile_json(user_id: int):
    record_on_read()  # the download is logged: this GET writes the audit entry
    person = db.session.get(User, user_id) or abort(404)
    profile = _profile(person)
    profiles.log_profile_export(
        person, actor=current_user.login, user_id=current_user.id, rows=len(profile.lines)
    )
    return _json_download(profiles.profile_document(profile, verification_url), person)


# --- Training needs ---------------------------------------------------------------------------


def _unit_form() -> UnitFilterForm:
    form = UnitFilterForm(request.args if request.method == "GET" else request.form)
    units = db.session.scalars(select(Unit).order_by(Unit.name))
    form.unit.choices = [SelectChoice(0, _("All units"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    return form


@bp.route("/reports/training-needs")
@allow(HR)
def training_needs():
    form = _unit_form()
    if not form.validate():
        return render_template("competency/training_needs.html", form=form, needs=None), 400
    found = needs.training_needs(form.unit.data or None)
    return render_template(
        "competency/training_needs.html",
        form=form,
        needs=found,
        formats=TABLE_FORMATS,
    )


@bp.route("/reports/training-needs/export/<fmt>", methods=["POST"])
@allow(HR)
def training_needs_export(fmt: str):
    if fmt not in TABLE_FORMATS:
        abort(404)
    form = _unit_form()
    if not form.validate():
        abort(400)
    started = needs.export_training_needs(
        fmt, form.unit.data or None, actor=current_user.login, channel="web",
        user_id=current_user.id,
    )  # fmt: skip
    return started.response()
