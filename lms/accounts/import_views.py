"""HR's employee and unit import pages: upload, preview (nothing saved yet), confirm.

The rules live in lms.accounts.imports (services) and lms.accounts.importing (checking files).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.access import allow
from lms.accounts import importing, imports
from lms.accounts.forms import ImportForm
from lms.accounts.models import EMPLOYEES, HR, EmployeeImport
from lms.errors import DomainError, translate
from lms.extensions import db

bp = Blueprint("employees", __name__, url_prefix="/employees")

SAMPLE_ROWS = 20
COLUMN_LABELS = {
    "nip": "NIP",
    "name": _l("Name"),
    "email": _l("Email"),
    "unit": _l("Work unit"),
    "jabatan": _l("Position (jabatan)"),
    "golongan": _l("Grade (golongan)"),
    "pangkat": _l("Rank (pangkat)"),
    "eselon": _l("Echelon (eselon)"),
    "code": _l("Code"),
    "parent": _l("Parent unit code"),
    "timezone": _l("Time zone"),
}


@bp.route("/import", methods=["GET", "POST"])
@allow(HR)
def import_file():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            started = imports.preview_import(
                form.kind.data,
                upload.filename or "",
                upload.stream.read(importing.MAX_BYTES + 1),
                created_by=current_user,
            )
        except imports.ImportFileInvalid as exc:
            form.file.errors.append(exc.message)
        else:
            return redirect(url_for("employees.preview", import_id=started.id))
    return render_template(
        "employees/import.html",
        form=form,
        recent=imports.recent_imports(),
    ), (200 if not form.errors else 400)


@bp.route("/import/<int:import_id>")
@allow(HR)
def preview(import_id: int):
    started = db.session.get(EmployeeImport, import_id) or abort(404)
    return _render_preview(started)


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
@allow(HR)
def confirm(import_id: int):
    started = db.session.get(EmployeeImport, import_id) or abort(404)
    try:
        counts = imports.apply_import(started.id, current_user)
    except DomainError as exc:
        db.session.rollback()  # the claim on the preview, and any partial write, are undone
        flash(exc.message, "error")
        return _render_preview(db.session.get(EmployeeImport, import_id)), 409
    flash(
        _(
            "Import saved: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
        ),
        "success",
    )
    return redirect(url_for("employees.preview", import_id=import_id))


@bp.route("/import/template/<kind>.csv")
@allow(HR)
def template(kind: str):
    if kind not in importing.KINDS:
        abort(404)
    # With a BOM, Excel opens the file as UTF-8.
    body = "\ufeff" + ",".join(importing.TEMPLATE_HEADERS[kind]) + "\r\n"
    filename = "pegawai.csv" if kind == EMPLOYEES else "unit-kerja.csv"
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _render_preview(started: EmployeeImport):
    problems = [
        {
            "row": p["row"],
            "column": COLUMN_LABELS.get(p["column"], p["column"]),
            "value": p["value"],
            "message": translate(p["template"], p["params"]),
        }
        for p in started.problems
    ]
    rows = started.rows[:SAMPLE_ROWS]
    columns = [name for name in importing.HEADERS[started.kind] if rows and name in rows[0]]
    return render_template(
        "imports/preview.html",
        started=started,
        problems=problems,
        rows=rows,
        columns=[(name, COLUMN_LABELS[name]) for name in columns],
        upload_url=url_for(".import_file"),
        confirm_url=url_for(".confirm", import_id=started.id),
        kind_label=_("Employees") if started.kind == "employees" else _("Work units"),
        mono_columns=("nip", "code", "unit", "parent"),
    )
