"""Enrolments, module progress and completions.

A `Completion` is a fact written once per learner and course (a unique constraint guarantees it,
even under concurrent requests) and never edited by normal flows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModuleProgress(db.Model):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Completion(db.Model):
    __tablename__ = "completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    score: Mapped[float] = mapped_column(Float)
    jp: Mapped[float] = mapped_column(Float)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)

    course = relationship("Course")
    course_version = relationship("CourseVersion")
    user = relationship("User")
