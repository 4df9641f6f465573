"""Courses and their versions.

A `Course` is identified by its code. Each import of changed content adds an immutable
`CourseVersion` with its modules already rendered to HTML, so page views never render Markdown.
`CourseModule` is the stable identity of a module across versions: progress points at it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_version.id", use_alter=True, name="fk_course_current_version")
    )

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class CourseVersion(db.Model):
    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(60), index=True)
    jp: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    jenis_diklat: Mapped[int] = mapped_column(Integer, default=16)
    total_minutes: Mapped[int] = mapped_column(Integer, default=0)
    intro_html: Mapped[str] = mapped_column(Text)
    # [{"key", "title", "minutes"}] in order: lets pages list modules without loading their HTML.
    outline: Mapped[list] = mapped_column(JSON)
    # The parsed final quiz, correct answers included: never sent to a browser as is.
    quiz: Mapped[dict] = mapped_column(JSON)
    # The parsed pre-test (pretest.md), same shape and secrecy as `quiz`; NULL when there is none.
    pretest: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # {file name: Markdown}: the package as imported, for export and diffs.
    source: Mapped[dict] = mapped_column(JSON)
    # {asset name: {"sha256", "type", "size"}}: images and attachments, stored by content hash.
    assets: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    created_by = relationship("User")
    competencies: Mapped[list[CourseCompetency]] = relationship(
        cascade="all, delete-orphan", order_by="CourseCompetency.code"
    )

    @property
    def module_keys(self) -> list[str]:
        return [m["key"] for m in self.outline]


class CourseModule(db.Model):
    """A module's identity within a course, stable across versions."""

    __tablename__ = "course_module"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    key: Mapped[str] = mapped_column(String(80))


class ModuleVersion(db.Model):
    """A module as it stands in one course version, with its HTML rendered at import."""

    __tablename__ = "module_version"
    __table_args__ = (
        UniqueConstraint("course_version_id", "module_id"),
        UniqueConstraint("course_version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    html: Mapped[str] = mapped_column(Text)
    toc_html: Mapped[str] = mapped_column(Text, default="")

    module: Mapped[CourseModule] = relationship()


class CourseCompetency(db.Model):
    """A competency (and level) a course version develops; used by catalog filters and reports."""

    __tablename__ = "course_competency"

    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    level: Mapped[int] = mapped_column(Integer)
