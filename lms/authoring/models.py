"""Who may edit a course, and the draft a course's authors edit before publishing a version.

The draft holds the package as files (the same shape `check-courses` reads), so publishing
runs the one validator; `revision` is the optimistic lock that stops one author overwriting another.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db


class CourseAuthor(db.Model):
    """A trainer who may edit a course: its owner, or a co-author the owner added."""

    __tablename__ = "course_author"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True, index=True
    )
    is_owner: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class CourseDraft(db.Model):
    """The working copy of a course: {file name: Markdown} plus assets, never shown to learners."""

    __tablename__ = "course_draft"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    files: Mapped[dict] = mapped_column(JSON)
    assets: Mapped[dict] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by = relationship("User")
