"""Discussion pages: a course's threads, a thread with its answers, editing, reports, moderation.

Every route is open to signed-in users at the access layer and then asks `discussion_for`, the
one participation rule. Whatever is not for this user answers 404, always: a discussion they do
not take part in (as for a course that does not exist, so nothing of it is revealed), a
moderator's action asked by someone who is not one, a post that is not theirs to edit. 403 stays
what it means elsewhere in the portal: "your role may not use this page" (the access table).
"""

from __future__ import annotations

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
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user

from lms.access import SIGNED_IN, allow
from lms.database import whole_number
from lms.discussions import services
from lms.discussions.forms import AnswerForm, AskForm, EditForm, ReasonForm
from lms.discussions.services import Participation
from lms.errors import DomainError
from lms.extensions import limiter

bp = Blueprint("discussions", __name__, url_prefix="/courses/<code>/discussion")


def _participation(code: str) -> Participation:
    try:
        return services.discussion_for(current_user._get_current_object(), code)
    except services.NotParticipant:
        abort(404)


def _moderator(code: str) -> Participation:
    part = _participation(code)
    if not part.moderator:
        abort(404)
    return part


def _thread(part: Participation, thread_id: int):
    return services.thread_in(part.course, thread_id) or abort(404)


def _post(part: Participation, post_id: int):
    return services.post_in(part.course, post_id) or abort(404)


def _poster_key() -> str:
    return f"discussion-post:{current_user.get_id()}"


def _posted(response) -> bool:
    return response.status_code == 302  # only posts saved count toward the limit


# Per person and shared by asking, answering and editing, across workers (LMS_REDIS_URL):
# enough for a conversation, not for a flood.
_limit = limiter.shared_limit(
    lambda: current_app.config.get("LMS_DISCUSSION_LIMIT", "6 per minute;40 per hour"),
    scope="discussion-posts",
    key_func=_poster_key,
    methods=["POST"],
    deduct_when=_posted,
)


@bp.errorhandler(RateLimitExceeded)
def too_fast(exc):
    # The typed text is shown back so nothing is lost while the person waits.
    text = request.form.get("body") or ""
    return render_template("discussions/too_fast.html", text=text), 429


@bp.route("", methods=["GET", "POST"])
@allow(SIGNED_IN)
@_limit
def index(code: str):
    part = _participation(code)
    course = part.course
    modules = services.modules_of(course)
    module_key = request.args.get("module")
    module = next((m for m in modules if m[0] == module_key), None)
    form = AskForm()
    form.module.choices = [("", _("The whole course"))] + [(k, t) for k, t, _id in modules]
    if request.method == "GET" and module is not None:
        form.module.data = module[0]
    if form.validate_on_submit():
        try:
            thread = services.ask(
                part, form.title.data, form.body.data, form.module.data, form.form_key.data
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(
                _("Your question has been posted. The course's trainers have been told."), "success"
            )
            return redirect(url_for(".thread", code=code, thread_id=thread.id))
    page = whole_number(request.args.get("page"), 1)
    pagination, lines = services.thread_page(
        course, module[2] if module else None, page, part.moderator
    )
    return render_template(
        "discussions/index.html",
        part=part,
        course=course,
        modules=modules,
        module=module,
        module_titles={i: t for _k, t, i in modules},
        pagination=pagination,
        lines=lines,
        form=form.prepare(),
    ), (400 if form.errors else 200)


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@allow(SIGNED_IN)
@_limit
def thread(code: str, thread_id: int):
    part = _participation(code)
    thread = _thread(part, thread_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            post = services.answer(part, thread, form.body.data, form.form_key.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("Your answer has been posted."), "success")
            return redirect(services.thread_url(part.course, thread.id, post.id))
    posts = services.posts_of(thread)
    return render_template(
        "discussions/thread.html",
        part=part,
        course=part.course,
        thread=thread,
        question=posts[0] if posts else None,
        answers=posts[1:],
        reported=services.reported_by([p.id for p in posts], part.user_id),
        may_accept=services.may_accept(part, thread),
        may_edit=lambda post: services.may_edit(part, post),
        module_title=dict((i, t) for _k, t, i in services.modules_of(part.course)).get(
            thread.module_id
        ),
        form=form.prepare(),
    ), (400 if form.errors else 200)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
@_limit
def edit(code: str, post_id: int):
    part = _participation(code)
    post = _post(part, post_id)
    if post.author_id != part.user_id:
        abort(404)
    if not services.may_edit(part, post):
        flash(services.EditClosed().message, "info")
        return redirect(services.thread_url(part.course, post.thread_id, post.id))
    form = EditForm(data={"title": post.thread.title, "body": post.body})
    if not post.is_question:
        del form.title
    if form.validate_on_submit():
        title = form.title.data if post.is_question else None
        try:
            services.edit(part, post, title, form.body.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(services.thread_url(part.course, post.thread_id, post.id))
    return render_template(
        "discussions/edit.html", part=part, course=part.course, post=post, form=form,
        question_hidden=services.question_hidden(post.thread),
    ), (400 if form.errors else 200)  # fmt: skip


@bp.post("/posts/<int:post_id>/accept")
@allow(SIGNED_IN)
def accept(code: str, post_id: int):
    part = _participation(code)
    post = _post(part, post_id)
    try:
        marked = services.toggle_accept(part, post)
    except services.NotAllowed as exc:
        if not services.may_accept(part, post.thread):
            abort(404)
        flash(exc.message, "error")
    else:
        if marked:
            flash(_("The answer is marked as accepted."), "success")
        else:
            flash(_("The answer is no longer marked as accepted."), "info")
    return redirect(services.thread_url(part.course, post.thread_id, post.id))


@bp.post("/threads/<int:thread_id>/pin")
@allow(SIGNED_IN)
def pin(code: str, thread_id: int):
    part = _moderator(code)
    thread = _thread(part, thread_id)
    if services.toggle_pin(part, thread):
        flash(_("The question is pinned to the top of the discussion."), "success")
    else:
        flash(_("The question is no longer pinned."), "info")
    return redirect(url_for(".thread", code=code, thread_id=thread.id))


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@allow(SIGNED_IN)
def report(code: str, post_id: int):
    part = _participation(code)
    post = _post(part, post_id)
    if post.hidden and not part.moderator:
        abort(404)  # a hidden post is out of learners' sight, on this page too
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.report(part, post, form.reason.data)
        except services.InvalidPost as exc:
            form.reason.errors.append(exc.message)
        except DomainError as exc:
            flash(exc.message, "info")
            return redirect(services.thread_url(part.course, post.thread_id, post.id))
        else:
            flash(_("Thank you. The moderators will look at the post."), "success")
            return redirect(services.thread_url(part.course, post.thread_id, post.id))
    return render_template(
        "discussions/reason.html", part=part, course=part.course, post=post, form=form,
        action="report", question_hidden=services.question_hidden(post.thread),
    ), (400 if form.errors else 200)  # fmt: skip


@bp.route("/posts/<int:post_id>/hide", methods=["GET", "POST"])
@allow(SIGNED_IN)
def hide(code: str, post_id: int):
    part = _moderator(code)
    post = _post(part, post_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.hide(part, post, form.reason.data)
        except DomainError as exc:
            form.reason.errors.append(exc.message)
        else:
            flash(_("The post is hidden. Moderators can still read it."), "success")
            return redirect(services.thread_url(part.course, post.thread_id, post.id))
    return render_template(
        "discussions/reason.html", part=part, course=part.course, post=post, form=form,
        action="hide",
    ), (400 if form.errors else 200)  # fmt: skip


@bp.post("/posts/<int:post_id>/unhide")
@allow(SIGNED_IN)
def unhide(code: str, post_id: int):
    part = _moderator(code)
    post = _post(part, post_id)
    services.unhide(part, post)
    flash(_("The post is visible again."), "success")
    return redirect(services.thread_url(part.course, post.thread_id, post.id))


@bp.post("/posts/<int:post_id>/keep")
@allow(SIGNED_IN)
def keep(code: str, post_id: int):
    part = _moderator(code)
    post = _post(part, post_id)
    services.keep(part, post)
    flash(_("The reports are closed and the post stays visible."), "success")
    return redirect(url_for(".moderation", code=code))


@bp.get("/moderation")
@allow(SIGNED_IN)
def moderation(code: str):
    part = _moderator(code)
    return render_template(
        "discussions/moderation.html",
        part=part,
        course=part.course,
        queue=services.moderation_queue(part),
    )


@bp.app_template_global()
def discussion_open_to_me(course) -> bool:
    """For the course page: whether the signed-in user takes part in the course's discussion."""
    user = current_user._get_current_object()
    return services.participation(user, course) is not None
