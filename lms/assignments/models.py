"""Assignments (a course, a target, a due date and a reason) and the people each one reaches.

Membership is materialised (see lms.assignments.services for why); a person assigned the same
course twice is one line everywhere, with the earliest due date (see `effective_assignments`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db

PEOPLE, UNIT, JABATAN = "people", "unit", "jabatan"
TARGET_KINDS = (PEOPLE, UNIT, JABATAN)
REASON_MAX = 500


class Assignment(db.Model):
    """HR's decision: this course, for this target, by this day. Cancelling keeps the row."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint(f"target_kind IN ('{PEOPLE}', '{UNIT}', '{JABATAN}')", name="target_kind"),
        # One active assignment per course and target, however many clicks or requests race:
        # saving the same thing again offers to update this one instead.
        Index(
            "uq_assignment_active_target",
            "course_id",
            "target_key",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(10))
    # What "the same target" means: "unit:12:tree", "jabatan:analis kebijakan", "people:<sha1>".
    target_key: Mapped[str] = mapped_column(String(250))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    include_subunits: Mapped[bool] = mapped_column(default=False)
    jabatan: Mapped[str | None] = mapped_column(String(200))
    include_later: Mapped[bool] = mapped_column(default=False)  # people who match it later
    due_on: Mapped[date] = mapped_column(Date)  # a calendar day in each person's zone
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    competency_code: Mapped[str | None] = mapped_column(String(40))  # the gap it answers
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    course = relationship("Course")
    unit = relationship("Unit")
    created_by = relationship("User", foreign_keys=[created_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])

    @property
    def active(self) -> bool:
        return self.cancelled_at is None


class AssignmentMember(db.Model):
    """A person an assignment reaches: written when it is saved, or when they match it later."""

    __tablename__ = "assignment_member"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", name="uq_assignment_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_later: Mapped[bool] = mapped_column(default=False)

    assignment = relationship("Assignment")
    user = relationship("User")
