"""HR's employee and unit import pages: upload, preview (nothing saved yet), confirm.

The rules live in lms.accounts.imports (services) and lms.accounts.importing (checking files).
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from lms.access import allow
from lms.accounts import importing, imports
from lms.accounts.forms import ImportForm
from lms.accounts.models import EMPLOYEES, HR, UNITS, EmployeeImport
from lms.imports.pages import ImportPages

bp = Blueprint("employees", __name__, url_prefix="/employees")

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


PAGES = ImportPages(
    model=EmployeeImport,
    form=ImportForm,
    upload_template="employees/import.html",
    preview=imports.preview_import,
    apply=imports.apply_import,
    recent=imports.recent_imports,
    max_bytes=importing.MAX_BYTES,
    headers=importing.HEADERS,
    template_headers=importing.TEMPLATE_HEADERS,
    template_filenames={EMPLOYEES: "pegawai.csv", UNITS: "unit-kerja.csv"},
    column_labels=COLUMN_LABELS,
    kind_labels={EMPLOYEES: _l("Employees"), UNITS: _l("Work units")},
    mono_columns=("nip", "code", "unit", "parent"),
    preview_endpoint=".preview",
    confirm_endpoint=".confirm",
    upload_endpoint=".import_file",
)


@bp.route("/import", methods=["GET", "POST"])
@allow(HR)
def import_file():
    return PAGES.upload_page()


@bp.route("/import/<int:import_id>")
@allow(HR)
def preview(import_id: int):
    return PAGES.preview_page(import_id)


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
@allow(HR)
def confirm(import_id: int):
    return PAGES.confirm(import_id)


@bp.route("/import/template/<kind>.csv")
@allow(HR)
def template(kind: str):
    return PAGES.template_file(kind)
