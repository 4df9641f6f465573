"""A course's discussion: threads (a question with its answers), posts, and reports of posts.

The question is the thread's first post, so answers and questions are reported, hidden and edited
the same way. Markdown is rendered once when a post is saved and stored next to its source.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db


class DiscussionThread(db.Model):
    __tablename__ = "discussion_thread"
    __table_args__ = (
        Index("ix_discussion_thread_course_activity", "course_id", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    # A module's identity stays the same across versions, so the thread follows the module.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("course_module.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    pinned: Mapped[bool] = mapped_column(default=False)
    # One column, so a thread can never have two accepted answers.
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_post.id", use_alter=True, name="fk_discussion_thread_accepted_post")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
    module = relationship("CourseModule")


class DiscussionPost(db.Model):
    __tablename__ = "discussion_post"
    __table_args__ = (
        # The form's one-time key: a double submit of the same form cannot add a second post.
        UniqueConstraint("author_id", "form_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    is_question: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    form_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hidden, never deleted: moderators still read it, with who hid it and why.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    thread: Mapped[DiscussionThread] = relationship(foreign_keys=[thread_id])
    author = relationship("User", foreign_keys=[author_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class PostReport(db.Model):
    """Someone asked moderators to look at a post; once per person and post."""

    __tablename__ = "discussion_report"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_post.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator hid the post or decided to keep it: the report leaves the queue.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter = relationship("User")
