"""Discussion rules: who takes part, asking and answering, accepting, pinning, reports, hiding.

`participation` is the one permission rule every discussion page uses. Services flush and never
commit; they raise DomainError subclasses the views turn into messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import ADMIN, User
from lms.authoring.models import CourseAuthor
from lms.catalog.models import Course, CourseModule
from lms.catalog.services import published_course
from lms.clock import utcnow
from lms.content import render_markdown
from lms.content.problems import N_
from lms.discussions.models import DiscussionPost, DiscussionThread, PostReport
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.notifications.services import notify, register_kind

TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 500
THREADS_PER_PAGE = 20
# An author may correct a post for a day; after that others have read and answered it as it was.
EDIT_WINDOW = timedelta(hours=24)

ANSWERED, NEW_QUESTION, ACCEPTED = "discussion.answer", "discussion.question", "discussion.accepted"
register_kind(ANSWERED, N_("%(author)s answered your question “%(title)s”."))
register_kind(NEW_QUESTION, N_("New question in %(course)s: “%(title)s”."))
register_kind(ACCEPTED, N_("Your answer to “%(title)s” was marked as accepted."))


class NotParticipant(DomainError):
    template = N_("This discussion is open only to the course's learners and trainers.")


class InvalidPost(DomainError):
    template = N_("The post could not be saved.")


class NotAllowed(DomainError):
    template = N_("You cannot do this in this discussion.")


class EditClosed(DomainError):
    template = N_("A post can be edited by its author for 24 hours, unless a moderator hid it.")


class AlreadyReported(DomainError):
    template = N_("You have already reported this post. The moderators will look at it.")


@dataclass(frozen=True)
class Participation:
    """The signed-in user's place in one course's discussion."""

    course: Course
    user_id: int
    moderator: bool  # the course's trainers and admins


def participation(user: User, course: Course) -> Participation | None:
    """Who takes part: learners enrolled in the course, its trainers, and admins (moderators).

    HR, trainers of other courses and learners not enrolled do not: the discussion is the
    course's classroom, not a public forum.
    """
    if not user.is_authenticated:
        return None
    if ADMIN in user.roles:
        return Participation(course, user.id, moderator=True)
    is_author = db.session.scalar(
        select(CourseAuthor.user_id).where(
            CourseAuthor.course_id == course.id, CourseAuthor.user_id == user.id
        )
    )
    if is_author is not None:
        return Participation(course, user.id, moderator=True)
    enrolled = db.session.scalar(
        select(Enrolment.id).where(Enrolment.course_id == course.id, Enrolment.user_id == user.id)
    )
    return Participation(course, user.id, moderator=False) if enrolled is not None else None


def discussion_for(user: User, code: str) -> Participation:
    """The user's participation in the discussion of the published course `code`.

    Raises NotParticipant for a course that does not exist as well as for one the user does not
    take part in, so that both look the same (the views answer 404).
    """
    course = published_course(code)
    found = participation(user, course) if course is not None else None
    if found is None:
        raise NotParticipant()
    return found


# --- reading -----------------------------------------------------------------------------------


def modules_of(course: Course) -> list[tuple[str, str, int]]:
    """(key, title, module id) of the course's current modules, in course order."""
    ids = dict(
        db.session.execute(
            select(CourseModule.key, CourseModule.id).where(CourseModule.course_id == course.id)
        ).all()
    )
    outline = course.current_version.outline if course.current_version else []
    return [(m["key"], m["title"], ids[m["key"]]) for m in outline if m["key"] in ids]


@dataclass(frozen=True)
class ThreadLine:
    thread: DiscussionThread
    answers: int
    question_hidden: bool


def thread_page(course: Course, module_id: int | None, page: int, moderator: bool):
    """Threads, pinned first then newest activity, and a ThreadLine (answers counted) for each.

    Learners count the answers they can read; moderators count hidden ones too.
    """
    stmt = (
        select(DiscussionThread)
        .options(selectinload(DiscussionThread.author))
        .where(DiscussionThread.course_id == course.id)
    )
    if module_id is not None:
        stmt = stmt.where(DiscussionThread.module_id == module_id)
    stmt = stmt.order_by(
        DiscussionThread.pinned.desc(),
        DiscussionThread.last_activity_at.desc(),
        DiscussionThread.id.desc(),
    )
    pagination = db.paginate(stmt, page=page, per_page=THREADS_PER_PAGE, error_out=False)
    ids = [t.id for t in pagination.items]
    counts: dict[int, int] = {}
    hidden: set[int] = set()
    if ids:
        visible = true() if moderator else DiscussionPost.hidden_at.is_(None)
        counts = dict(
            db.session.execute(
                select(DiscussionPost.thread_id, func.count(DiscussionPost.id))
                .where(DiscussionPost.thread_id.in_(ids), ~DiscussionPost.is_question, visible)
                .group_by(DiscussionPost.thread_id)
            ).all()
        )
        hidden = set(
            db.session.scalars(
                select(DiscussionPost.thread_id).where(
                    DiscussionPost.thread_id.in_(ids),
                    DiscussionPost.is_question,
                    DiscussionPost.hidden_at.is_not(None),
                )
            )
        )
    lines = [ThreadLine(t, counts.get(t.id, 0), t.id in hidden) for t in pagination.items]
    return pagination, lines


def thread_in(course: Course, thread_id: int) -> DiscussionThread | None:
    return db.session.scalar(
        select(DiscussionThread).where(
            DiscussionThread.id == thread_id, DiscussionThread.course_id == course.id
        )
    )


def posts_of(thread: DiscussionThread) -> list[DiscussionPost]:
    """The question, then its answers oldest first (the accepted one is marked, not moved)."""
    return list(
        db.session.scalars(
            select(DiscussionPost)
            .options(selectinload(DiscussionPost.author))
            .where(DiscussionPost.thread_id == thread.id)
            .order_by(DiscussionPost.is_question.desc(), DiscussionPost.id)
        )
    )


def question_hidden(thread: DiscussionThread) -> bool:
    """Whether a moderator hid the thread's question (its title is then hidden from learners)."""
    return (
        db.session.scalar(
            select(DiscussionPost.hidden_at).where(
                DiscussionPost.thread_id == thread.id, DiscussionPost.is_question.is_(True)
            )
        )
        is not None
    )


def post_in(course: Course, post_id: int) -> DiscussionPost | None:
    return db.session.scalar(
        select(DiscussionPost)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(DiscussionPost.id == post_id, DiscussionThread.course_id == course.id)
    )


def reported_by(post_ids: list[int], user_id: int) -> set[int]:
    """Which of these posts the user has already reported (the page then says so)."""
    if not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(PostReport.post_id).where(
                PostReport.post_id.in_(post_ids), PostReport.reporter_id == user_id
            )
        )
    )


def thread_url(course: Course, thread_id: int, post_id: int | None = None) -> str:
    path = f"/courses/{course.code}/discussion/threads/{thread_id}"
    return f"{path}#post-{post_id}" if post_id else path


# --- writing -----------------------------------------------------------------------------------


def _check_text(title: str | None, body: str) -> None:
    if title is not None and not (0 < len(title) <= TITLE_MAX):
        raise InvalidPost(N_("Give the question a title of at most 200 characters."))
    if not body or len(body) > BODY_MAX:
        raise InvalidPost(N_("Write the post in at most 10,000 characters."))


def _module_id(course: Course, key: str | None) -> int | None:
    if not key:
        return None
    for module_key, _title, module_id in modules_of(course):
        if module_key == key:
            return module_id
    raise InvalidPost(N_("Choose one of the course's modules."))


def _existing(author_id: int, form_key: str) -> DiscussionPost | None:
    return db.session.scalar(
        select(DiscussionPost).where(
            DiscussionPost.author_id == author_id, DiscussionPost.form_key == form_key
        )
    )


def ask(
    part: Participation, title: str, body: str, module_key: str | None, form_key: str
) -> DiscussionThread:
    """Open a thread with the question; the course's trainers are notified.

    A second submit of the same form (same form_key) returns the thread the first one opened.
    """
    _check_text(title, body)
    course = part.course
    module_id = _module_id(course, module_key)
    try:
        with db.session.begin_nested():
            thread = DiscussionThread(
                course_id=course.id, module_id=module_id, author_id=part.user_id, title=title
            )
            db.session.add(thread)
            db.session.flush()
            db.session.add(
                DiscussionPost(
                    thread_id=thread.id,
                    author_id=part.user_id,
                    is_question=True,
                    body=body,
                    body_html=render_markdown(body),
                    form_key=form_key,
                )
            )
    except IntegrityError:
        existing = _existing(part.user_id, form_key)
        if existing is None:
            raise
        return existing.thread
    trainers = db.session.scalars(
        select(CourseAuthor.user_id).where(
            CourseAuthor.course_id == course.id, CourseAuthor.user_id != part.user_id
        )
    )
    course_title = course.current_version.title if course.current_version else course.code
    for trainer_id in trainers:
        notify(trainer_id, NEW_QUESTION, thread_url(course, thread.id), course=course_title,
               title=title)  # fmt: skip
    return thread


def answer(
    part: Participation, thread: DiscussionThread, body: str, form_key: str
) -> DiscussionPost:
    """Add an answer; the asker is notified unless they answered themselves."""
    _check_text(None, body)
    try:
        with db.session.begin_nested():
            post = DiscussionPost(
                thread_id=thread.id,
                author_id=part.user_id,
                body=body,
                body_html=render_markdown(body),
                form_key=form_key,
            )
            db.session.add(post)
    except IntegrityError:
        existing = _existing(part.user_id, form_key)
        if existing is None:
            raise
        return existing
    thread.last_activity_at = utcnow()
    if thread.author_id != part.user_id:
        author = db.session.get(User, part.user_id)
        notify(
            thread.author_id,
            ANSWERED,
            thread_url(part.course, thread.id, post.id),
            author=author.name,
            title=thread.title,
        )
    return post


def may_edit(part: Participation, post: DiscussionPost) -> bool:
    return (
        post.author_id == part.user_id
        and not post.hidden
        and utcnow() - post.created_at <= EDIT_WINDOW
    )


def edit(part: Participation, post: DiscussionPost, title: str | None, body: str) -> None:
    """The author corrects their post: rendered again and marked as edited."""
    if not may_edit(part, post):
        raise EditClosed()
    _check_text(title if post.is_question else None, body)
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = utcnow()
    if post.is_question and title is not None:
        post.thread.title = title


def may_accept(part: Participation, thread: DiscussionThread) -> bool:
    """The course's trainers (and admins) decide, and so does the asker: it is their question."""
    return part.moderator or thread.author_id == part.user_id


def toggle_accept(part: Participation, post: DiscussionPost) -> bool:
    """Mark the answer as the accepted one (replacing any other), or unmark it; True if marked."""
    thread = post.thread
    if not may_accept(part, thread):
        raise NotAllowed()
    if post.is_question or post.hidden:
        raise NotAllowed(N_("Only a visible answer can be accepted."))
    if thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
        return False
    thread.accepted_post_id = post.id
    if post.author_id not in (part.user_id, thread.author_id):
        notify(
            post.author_id,
            ACCEPTED,
            thread_url(part.course, thread.id, post.id),
            title=thread.title,
        )
    return True


def toggle_pin(part: Participation, thread: DiscussionThread) -> bool:
    if not part.moderator:
        raise NotAllowed()
    thread.pinned = not thread.pinned
    return thread.pinned


def report(part: Participation, post: DiscussionPost, reason: str) -> None:
    """Ask the moderators to look at a post; once per person and post (a unique constraint)."""
    if not reason or len(reason) > REASON_MAX:
        raise InvalidPost(N_("Say in at most 500 characters why the post should be looked at."))
    if post.author_id == part.user_id:
        raise NotAllowed(N_("You cannot report your own post; you can edit it instead."))
    try:
        with db.session.begin_nested():
            db.session.add(PostReport(post_id=post.id, reporter_id=part.user_id, reason=reason))
    except IntegrityError:
        raise AlreadyReported() from None


def _close_reports(post: DiscussionPost) -> None:
    db.session.execute(
        update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.closed_at.is_(None))
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def hide(part: Participation, post: DiscussionPost, reason: str) -> None:
    """Hide a post from everyone but the moderators, with the reason; its reports are closed."""
    if not part.moderator:
        raise NotAllowed()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidPost(N_("Say in at most 500 characters why the post is hidden."))
    post.hidden_at = utcnow()
    post.hidden_by_id = part.user_id
    post.hidden_reason = reason
    if post.thread.accepted_post_id == post.id:
        post.thread.accepted_post_id = None
    _close_reports(post)


def unhide(part: Participation, post: DiscussionPost) -> None:
    if not part.moderator:
        raise NotAllowed()
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None


def keep(part: Participation, post: DiscussionPost) -> None:
    """The moderator read the reports and leaves the post as it is: it leaves the queue."""
    if not part.moderator:
        raise NotAllowed()
    _close_reports(post)


@dataclass(frozen=True)
class ReportedPost:
    post: DiscussionPost
    reports: list[PostReport]


def moderation_queue(part: Participation) -> list[ReportedPost]:
    """Posts of the course with open reports, most reported first, with every open report."""
    if not part.moderator:
        raise NotAllowed()
    reports = db.session.scalars(
        select(PostReport)
        .options(selectinload(PostReport.reporter))
        .join(DiscussionPost, DiscussionPost.id == PostReport.post_id)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(DiscussionThread.course_id == part.course.id, PostReport.closed_at.is_(None))
        .order_by(PostReport.created_at)
    )
    by_post: dict[int, list[PostReport]] = {}
    for r in reports:
        by_post.setdefault(r.post_id, []).append(r)
    posts = {
        p.id: p
        for p in db.session.scalars(
            select(DiscussionPost)
            .options(selectinload(DiscussionPost.author), selectinload(DiscussionPost.thread))
            .where(DiscussionPost.id.in_(by_post))
        )
    }
    queue = [ReportedPost(posts[pid], rs) for pid, rs in by_post.items()]
    queue.sort(key=lambda item: (-len(item.reports), item.reports[0].created_at))
    return queue
