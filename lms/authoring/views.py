"""The trainer area: list, create, edit, preview, publish, compare, roll back and export courses.

Every route is for trainers (and admins); which course a trainer may touch is decided by
`_editable` (owner or co-author), so learners and HR are refused before any course is loaded.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.access import allow
from lms.accounts.models import TRAINER
from lms.authoring import services, statistics
from lms.authoring.forms import (
    AuthorForm,
    CourseForm,
    ImportForm,
    ModuleForm,
    NewModuleForm,
    PretestForm,
    PreviewForm,
    PublishForm,
    QuizForm,
    RevisionForm,
    RollbackForm,
    UploadForm,
    format_competencies,
    parse_competencies,
    parse_jp,
)
from lms.authoring.preview import preview
from lms.catalog import files as file_store
from lms.catalog.models import Course
from lms.catalog.snapshots import cache as snapshot_cache
from lms.content.diff import diff_packages
from lms.content.problems import N_, PackageInvalid
from lms.database import whole_number
from lms.errors import DomainError, translate
from lms.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/author")


def _editable(code: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.code == code)) or abort(404)
    if not services.can_edit(current_user, course):
        abort(403)
    return course


def _owned(code: str) -> Course:
    course = _editable(code)
    if not services.is_owner(current_user, course):
        abort(403)
    return course


def problem_rows(problems, line_offset: int = 0) -> list[dict]:
    """Problems as the templates show them: where, which line, and the message translated."""
    return [
        {
            "path": p.path,
            "line": (p.line - line_offset) if p.line and p.line > line_offset else p.line,
            "message": translate(p.template, p.params),
        }
        for p in problems
    ]


def _flash_error(exc: DomainError) -> None:
    flash(exc.message, "error")


@bp.get("/")
@allow(TRAINER)
def index():
    return render_template("authoring/index.html", courses=services.courses_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@allow(TRAINER)
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = services.create_course(
                current_user, _meta_from(form, form.code.data.strip()), form.introduction.data or ""
            )
        except DomainError as exc:
            form.code.errors.append(exc.message)
        else:
            flash(_("Course %(code)s created as a draft.", code=course.code), "success")
            return redirect(url_for(".course", code=course.code))
    return render_template("authoring/course_form.html", form=form, course=None)


def _meta_from(form: CourseForm, code: str) -> services.CourseMeta:
    return services.CourseMeta(
        code=code,
        title=form.title.data,
        summary=form.summary.data,
        category=form.category.data,
        jp=parse_jp(form.jp.data),
        competencies=parse_competencies(form.competencies.data),
        pass_mark=form.pass_mark.data,
        max_attempts=form.max_attempts.data,
    )


@bp.get("/courses/<code>")
@allow(TRAINER)
def course(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    problems = services.check_draft(course, draft, asset_url=_draft_asset_url)[1]
    return render_template(
        "authoring/course.html",
        course=course,
        draft=draft,
        meta=services.course_meta(draft)[0],
        modules=services.draft_modules(draft),
        problems=problem_rows(problems),
        unpublished=services.has_unpublished_changes(course, draft),
        is_owner=services.is_owner(current_user, course),
        new_module=NewModuleForm(revision=draft.revision, formdata=None),
        upload=UploadForm(revision=draft.revision, formdata=None),
        publish=PublishForm(revision=draft.revision, formdata=None),
        upload_limit=current_app.config["LMS_UPLOAD_MB"],
    )


def _draft_asset_url(code: str, name: str) -> str:
    return url_for("authoring.draft_file", code=code, name=name)


@bp.route("/courses/<code>/details", methods=["GET", "POST"])
@allow(TRAINER)
def details(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    meta, intro = services.course_meta(draft)
    if request.method == "GET":
        form = CourseForm(
            formdata=None,
            revision=draft.revision,
            code=course.code,
            title=meta.get("title", ""),
            summary=meta.get("summary", ""),
            category=meta.get("category"),
            jp=f"{meta.get('jp', '')}",
            competencies=format_competencies(meta.get("competencies")),
            pass_mark=meta.get("pass_mark"),
            max_attempts=meta.get("max_attempts"),
            introduction=intro,
        )
    else:
        form = CourseForm()
        form.code.data = course.code  # the code is the course's identity: never changed here
    if form.validate_on_submit():
        try:
            services.update_course_meta(
                draft,
                form.expected_revision,
                current_user,
                _meta_from(form, course.code),
                form.introduction.data or "",
            )
        except DomainError as exc:
            _flash_error(exc)
            return render_template("authoring/course_form.html", form=form, course=course), 409
        flash(_("Course details saved in the draft."), "success")
        return redirect(url_for(".course", code=code))
    return render_template("authoring/course_form.html", form=form, course=course)


@bp.post("/courses/<code>/modules")
@allow(TRAINER)
def add_module(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form = NewModuleForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".course", code=code))
    try:
        key = services.add_module(
            draft, _revision(form.revision.data), current_user, form.title.data, form.minutes.data
        )
    except DomainError as exc:
        _flash_error(exc)
        return redirect(url_for(".course", code=code))
    flash(_("Module added. Write its content now."), "success")
    return redirect(url_for(".module", code=code, key=key))


def _revision(value) -> int | None:
    return whole_number(value, low=0)


@bp.route("/courses/<code>/modules/<key>", methods=["GET", "POST"])
@allow(TRAINER)
def module(code: str, key: str):
    course = _editable(code)
    draft = services.draft_for(course)
    current = services.draft_module(draft, key) or abort(404)
    if request.method == "GET":
        form = ModuleForm(
            formdata=None,
            revision=draft.revision,
            base=services.file_hash(draft.files.get(current.filename)),
            title=current.title,
            minutes=current.minutes,
            body=current.body,
        )
    else:
        form = ModuleForm()
    status = 200
    if form.validate_on_submit() and request.form.get("action") != "preview":
        try:
            services.save_module(
                draft,
                form.expected_revision,
                current_user,
                key,
                form.title.data,
                form.minutes.data,
                form.body.data or "",
                base=form.base.data,
            )
        except DomainError as exc:
            _flash_error(exc)
            status = 409
        else:
            flash(_("Module saved in the draft."), "success")
            return redirect(url_for(".module", code=code, key=key))
    shown = preview(course, draft, "module", form.body.data or "")
    problems = services.check_draft(course, draft)[1]
    mine = [p for p in problems if p.path.endswith("/" + current.filename)]
    return render_template(
        "authoring/module.html",
        course=course,
        module=current,
        form=form,
        preview_html=shown["html"],
        problems=problem_rows(mine, current.body_line - 1),
    ), status


@bp.post("/courses/<code>/modules/<key>/move")
@allow(TRAINER)
def move_module(code: str, key: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form = RevisionForm()
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        services.move_module(draft, form.expected_revision, current_user, key, offset)
    except DomainError as exc:
        _flash_error(exc)
    else:
        flash(_("Module order changed."), "success")
    return redirect(url_for(".course", code=code) + "#modules")


@bp.route("/courses/<code>/modules/<key>/delete", methods=["GET", "POST"])
@allow(TRAINER)
def delete_module(code: str, key: str):
    course = _editable(code)
    draft = services.draft_for(course)
    current = services.draft_module(draft, key) or abort(404)
    form = RevisionForm(revision=draft.revision)
    if form.validate_on_submit():
        try:
            services.delete_module(draft, form.expected_revision, current_user, key)
        except DomainError as exc:
            _flash_error(exc)
        else:
            flash(_("Module %(title)s deleted from the draft.", title=current.title), "success")
        return redirect(url_for(".course", code=code) + "#modules")
    return render_template(
        "authoring/confirm.html",
        course=course,
        form=form,
        title=_("Delete module %(title)s?", title=current.title),
        message=_(
            "The module leaves the draft. Learners keep seeing it until you publish; "
            "their progress on other modules is kept."
        ),
        button=_("Delete the module"),
        back=url_for(".course", code=code),
    )


@bp.route("/courses/<code>/quiz", methods=["GET", "POST"])
@allow(TRAINER)
def quiz(code: str):
    return _quiz_editor(code, "quiz")


@bp.route("/courses/<code>/pretest", methods=["GET", "POST"])
@allow(TRAINER)
def pretest(code: str):
    return _quiz_editor(code, "pretest")


# The final quiz and the optional pre-test share the syntax, the editor and the preview.
_QUIZ_EDITORS = {
    "quiz": (QuizForm, services.save_quiz, N_("Quiz saved in the draft.")),
    "pretest": (PretestForm, services.save_pretest, N_("Pre-test saved in the draft.")),
}


def _quiz_editor(code: str, kind: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form_class, save, saved = _QUIZ_EDITORS[kind]
    if request.method == "GET":
        text = draft.files.get(f"{kind}.md")
        base = services.file_hash(text)
        form = form_class(formdata=None, revision=draft.revision, base=base, text=text or "")
    else:
        form = form_class()
    status = 200
    if form.validate_on_submit() and request.form.get("action") != "preview":
        try:
            save(draft, form.expected_revision, current_user, form.text.data or "", form.base.data)
        except DomainError as exc:
            _flash_error(exc)
            status = 409
        else:
            flash(translate(saved), "success")
            return redirect(url_for(f".{kind}", code=code))
    shown = preview(course, draft, kind, form.text.data or "")
    return render_template(
        "authoring/quiz.html",
        course=course,
        form=form,
        kind=kind,
        preview_html=shown["html"],
        problems=shown["problems"],
    ), status


@bp.post("/preview")
@allow(TRAINER)
def live_preview():
    """The editor's live preview: the same renderer and checks as publishing, nothing saved."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify(error=_("The preview request is not valid.")), 400
    course = _editable(form.course.data)
    draft = services.draft_for(course)
    return jsonify(preview(course, draft, form.kind.data, form.text.data or ""))


@bp.post("/courses/<code>/files")
@allow(TRAINER)
def upload(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for(".course", code=code) + "#files")
    limit = int(current_app.config["LMS_UPLOAD_MB"] * 1024 * 1024)
    upload = form.file.data
    try:
        name = services.add_asset(
            draft, form.expected_revision, current_user, upload.filename, upload.read(), limit
        )
    except PackageInvalid as exc:
        for row in problem_rows(exc.problems):
            flash(row["message"], "error")
    except DomainError as exc:
        _flash_error(exc)
    else:
        flash(
            _("%(name)s uploaded. Refer to it in Markdown as assets/%(name)s.", name=name),
            "success",
        )
    return redirect(url_for(".course", code=code) + "#files")


@bp.get("/courses/<code>/draft-files/<name>")
@allow(TRAINER)
def draft_file(code: str, name: str):
    course = _editable(code)
    asset = services.draft_for(course).assets.get(name) or abort(404)
    return file_store.send_asset(name, asset)


@bp.route("/courses/<code>/draft-files/<name>/delete", methods=["GET", "POST"])
@allow(TRAINER)
def delete_file(code: str, name: str):
    course = _editable(code)
    draft = services.draft_for(course)
    if name not in draft.assets:
        abort(404)
    form = RevisionForm(revision=draft.revision)
    if form.validate_on_submit():
        try:
            services.delete_asset(draft, form.expected_revision, current_user, name)
        except DomainError as exc:
            _flash_error(exc)
        else:
            flash(_("%(name)s removed from the draft.", name=name), "success")
        return redirect(url_for(".course", code=code) + "#files")
    return render_template(
        "authoring/confirm.html",
        course=course,
        form=form,
        title=_("Remove %(name)s?", name=name),
        message=_(
            "Pages of the draft that show this file will report a missing file until you "
            "change them. Published versions keep their copy."
        ),
        button=_("Remove the file"),
        back=url_for(".course", code=code) + "#files",
    )


@bp.post("/courses/<code>/publish")
@allow(TRAINER)
def publish(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form = PublishForm()
    if not form.validate_on_submit() or form.expected_revision != draft.revision:
        flash(services.DraftConflict().message, "error")
        return redirect(url_for(".course", code=code))
    try:
        outcome = services.publish(course, draft, current_user, form.note.data)
    except services.DraftInvalid as exc:
        _flash_error(exc)
        return redirect(url_for(".course", code=code) + "#problems")
    snapshot_cache().forget(course.code)
    if outcome.created:
        flash(_("Version %(number)s published.", number=outcome.version_number), "success")
    else:
        flash(_("Nothing changed since version %(number)s.", number=outcome.version_number), "info")
    return redirect(url_for(".versions", code=code))


@bp.route("/courses/<code>/discard", methods=["GET", "POST"])
@allow(TRAINER)
def discard(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    form = RevisionForm(revision=draft.revision)
    if form.validate_on_submit():
        try:
            services.discard_draft(course, draft, form.expected_revision, current_user)
        except DomainError as exc:
            _flash_error(exc)
        else:
            flash(_("Draft changes discarded."), "success")
        return redirect(url_for(".course", code=code))
    return render_template(
        "authoring/confirm.html",
        course=course,
        form=form,
        title=_("Discard the draft changes?"),
        message=_(
            "The draft goes back to the published version. Changes that were not published "
            "are lost."
        ),
        button=_("Discard changes"),
        back=url_for(".course", code=code),
    )


@bp.get("/courses/<code>/versions")
@allow(TRAINER)
def versions(code: str):
    course = _editable(code)
    return render_template(
        "authoring/versions.html", course=course, versions=services.versions_of(course)
    )


@bp.get("/courses/<code>/diff")
@allow(TRAINER)
def diff(code: str):
    course = _editable(code)
    old = _side(course, request.args.get("from", ""))
    new = _side(course, request.args.get("to", "draft"))
    return render_template(
        "authoring/diff.html",
        course=course,
        old_label=old[0],
        new_label=new[0],
        changes=diff_packages(old[1], old[2], new[1], new[2]),
    )


def _side(course: Course, which: str) -> tuple[str, dict, dict]:
    if which == "draft":
        draft = services.draft_for(course)
        return _("Draft"), draft.files, draft.assets
    version = services.version(course, _revision(which) or 0) or abort(404)
    return _("Version %(number)s", number=version.number), version.source, version.assets or {}


@bp.route("/courses/<code>/versions/<int:version_number>/rollback", methods=["GET", "POST"])
@allow(TRAINER)
def rollback(code: str, version_number: int):
    number = version_number
    course = _editable(code)
    old = services.version(course, number) or abort(404)
    form = RollbackForm()
    if form.validate_on_submit():
        try:
            outcome = services.roll_back(course, number, current_user, form.note.data)
        except DomainError as exc:
            _flash_error(exc)
            return redirect(url_for(".versions", code=code))
        snapshot_cache().forget(course.code)
        flash(
            _(
                "The content of version %(old)s is published again as version %(new)s.",
                old=number,
                new=outcome.version_number,
            ),
            "success",
        )
        return redirect(url_for(".versions", code=code))
    draft = services.draft_for(course)
    return render_template(
        "authoring/confirm.html",
        course=course,
        form=form,
        title=_("Publish version %(number)s again?", number=old.number),
        message=_(
            "Its content becomes a new version that learners see at once; the draft is reset "
            "to it. Completions keep the version they were earned on."
        )
        + (
            " " + _("The draft has changes that were never published: they will be lost.")
            if services.has_unpublished_changes(course, draft)
            else ""
        ),
        button=_("Roll back"),
        back=url_for(".versions", code=code),
        note_field=form.note,
    )


@bp.get("/courses/<code>/export.zip")
@allow(TRAINER)
def export_draft(code: str):
    course = _editable(code)
    draft = services.draft_for(course)
    return _zip_response(services.export_archive(draft.files, draft.assets), f"{code}-draft.zip")


@bp.get("/courses/<code>/versions/<int:version_number>/export.zip")
@allow(TRAINER)
def export_version(code: str, version_number: int):
    number = version_number
    course = _editable(code)
    version = services.version(course, number) or abort(404)
    data = services.export_archive(version.source, version.assets or {})
    return _zip_response(data, f"{code}-v{number}.zip")


def _zip_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/import", methods=["GET", "POST"])
@allow(TRAINER)
def import_zip():
    form = ImportForm()
    problems: list[dict] = []
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        limit = int(current_app.config["LMS_UPLOAD_MB"] * 1024 * 1024)
        try:
            course, outcome = services.import_archive(
                current_user,
                upload.read(),
                upload.filename or "course.zip",
                form.note.data,
                form.replace_draft.data,
                limit,
            )
        except PackageInvalid as exc:
            problems = problem_rows(exc.problems)
            status = 422
        except DomainError as exc:
            _flash_error(exc)
            status = 409
        else:
            snapshot_cache().forget(course.code)
            if outcome.created:
                flash(
                    _(
                        "%(code)s imported and published as version %(number)s.",
                        code=course.code,
                        number=outcome.version_number,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(code)s is unchanged (version %(number)s).",
                        code=course.code,
                        number=outcome.version_number,
                    ),
                    "info",
                )
            return redirect(url_for(".course", code=course.code))
    return render_template("authoring/import.html", form=form, problems=problems), status


@bp.route("/courses/<code>/authors", methods=["GET", "POST"])
@allow(TRAINER)
def authors(code: str):
    course = _editable(code)
    owner = services.is_owner(current_user, course)
    form = AuthorForm()
    if request.method == "POST":
        if not owner:
            abort(403)
        if form.validate_on_submit():
            try:
                user = services.add_author(course, form.login.data)
            except DomainError as exc:
                form.login.errors.append(exc.message)
            else:
                flash(_("%(name)s can now edit this course.", name=user.name), "success")
                return redirect(url_for(".authors", code=code))
    return render_template(
        "authoring/authors.html",
        course=course,
        authors=services.authors_of(course),
        form=form,
        is_owner=owner,
    )


@bp.post("/courses/<code>/authors/<int:user_id>/remove")
@allow(TRAINER)
def remove_author(code: str, user_id: int):
    course = _owned(code)
    try:
        services.remove_author(course, user_id)
    except DomainError as exc:
        _flash_error(exc)
    else:
        flash(_("Co-author removed."), "success")
    return redirect(url_for(".authors", code=code))


@bp.route("/courses/<code>/archive", methods=["GET", "POST"])
@allow(TRAINER)
def archive(code: str):
    course = _owned(code)
    archived = not course.archived
    form = RevisionForm()
    if form.validate_on_submit():
        try:
            services.set_archived(course, archived)
        except DomainError as exc:
            _flash_error(exc)
        else:
            snapshot_cache().forget(course.code)
            flash(_("Course archived.") if archived else _("Course restored."), "success")
        return redirect(url_for(".course", code=code))
    if archived:
        title = _("Archive this course?")
        message = _(
            "Learners no longer find or open it; completions and reports keep it. "
            "You can restore it later."
        )
        button = _("Archive")
    else:
        title = _("Restore this course?")
        message = _("Learners find it in the catalog again.")
        button = _("Restore")
    return render_template(
        "authoring/confirm.html",
        course=course,
        form=form,
        title=title,
        message=message,
        button=button,
        back=url_for(".course", code=code),
    )


@bp.get("/courses/<code>/statistics")
@allow(TRAINER)
def statistics_page(code: str):
    course = _editable(code)
    if course.current_version is None:
        flash(_("Statistics appear once the course is published."), "info")
        return redirect(url_for(".course", code=code))
    return render_template(
        "authoring/statistics.html", course=course, stats=statistics.course_statistics(course)
    )
