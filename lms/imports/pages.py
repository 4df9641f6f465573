"""The pages every staged import shares: upload and check, preview, confirm, the CSV template.

Each feature declares an `ImportPages` (its table, rules, columns and labels) and keeps its own
routes and access decisions, which call these; the templates are imports/upload.html's macros and
imports/preview.html.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.errors import DomainError, translate
from lms.extensions import db
from lms.imports.services import ImportCounts

SAMPLE_ROWS = 20  # valid rows shown in a preview


@dataclass(frozen=True)
class ImportPages:
    model: type  # the import table (EmployeeImport, CompetencyImport)
    form: type[FlaskForm]  # a `kind` select and a `file` field
    upload_template: str
    preview: Callable  # (kind, filename, data, created_by) -> staged import
    apply: Callable[[int, object], ImportCounts]
    recent: Callable[[], list]
    max_bytes: int
    headers: Mapping[str, Sequence[str]]  # kind -> the columns a file may have, in order
    template_headers: Mapping[str, Sequence[str]]  # kind -> the header row of the CSV template
    template_filenames: Mapping[str, str]  # kind -> download name of the CSV template
    column_labels: Mapping[str, str]
    kind_labels: Mapping[str, str]
    mono_columns: tuple[str, ...]
    preview_endpoint: str  # blueprint-relative, e.g. ".preview"
    confirm_endpoint: str
    upload_endpoint: str

    def upload_page(self):
        form = self.form()
        if form.validate_on_submit():
            upload = form.file.data
            try:
                staged = self.preview(
                    form.kind.data,
                    upload.filename or "",
                    upload.stream.read(self.max_bytes + 1),
                    current_user,
                )
            except DomainError as exc:
                form.file.errors.append(exc.message)
            else:
                return redirect(url_for(self.preview_endpoint, import_id=staged.id))
        page = render_template(self.upload_template, form=form, recent=self.recent(), pages=self)
        return page, (400 if form.errors else 200)

    def preview_page(self, import_id: int):
        return self._render_preview(db.session.get(self.model, import_id) or abort(404))

    def confirm(self, import_id: int):
        staged = db.session.get(self.model, import_id) or abort(404)
        try:
            counts = self.apply(staged.id, current_user)
        except DomainError as exc:
            db.session.rollback()  # the claim on the preview, and any partial write, are undone
            flash(exc.message, "error")
            return self._render_preview(db.session.get(self.model, import_id)), 409
        flash(
            _(
                "Import saved: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
            ),
            "success",
        )
        return redirect(url_for(self.preview_endpoint, import_id=import_id))

    def template_file(self, kind: str) -> Response:
        if kind not in self.template_headers:
            abort(404)
        # With a BOM, Excel opens the file as UTF-8.
        body = "\ufeff" + ",".join(self.template_headers[kind]) + "\r\n"
        return Response(
            body,
            mimetype="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{self.template_filenames[kind]}"'
            },
        )

    def kind_label(self, kind: str) -> str:
        return str(self.kind_labels.get(kind, kind))

    def _render_preview(self, staged):
        problems = [
            {
                "row": p["row"],
                "column": self.column_labels.get(p["column"], p["column"]),
                "value": p["value"],
                "message": translate(p["template"], p["params"]),
            }
            for p in staged.problems
        ]
        rows = staged.rows[:SAMPLE_ROWS]
        columns = [name for name in self.headers[staged.kind] if rows and name in rows[0]]
        return render_template(
            "imports/preview.html",
            started=staged,
            problems=problems,
            rows=rows,
            columns=[(name, self.column_labels[name]) for name in columns],
            upload_url=url_for(self.upload_endpoint),
            confirm_url=url_for(self.confirm_endpoint, import_id=staged.id),
            kind_label=self.kind_label(staged.kind),
            mono_columns=self.mono_columns,
        )
