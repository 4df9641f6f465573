"""Mentoring programmes, mentor-mentee pairings, logged sessions and course suggestions.

A session counts toward the mentee's JP only once the other side has confirmed it; its JP are fixed
at confirmation (minutes / LMS_JP_MINUTES then), like a completion's JP are fixed when it is earned.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db

PENDING, CONFIRMED, DECLINED = "pending", "confirmed", "declined"
SESSION_STATUSES = (PENDING, CONFIRMED, DECLINED)
JENIS_DIKLAT_MENTORING = 15  # SIASN jenisDiklatId


class MentoringProgramme(db.Model):
    """A named round of mentoring (e.g. "Mentoring CPNS 2026") that pairings belong to."""

    __tablename__ = "mentoring_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentorships = relationship("Mentorship", back_populates="programme")


class Mentorship(db.Model):
    """A mentor and one mentee in a programme. Ending it keeps the row and its sessions."""

    __tablename__ = "mentorship"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        # A mentee has at most one active mentor per programme, however many requests race.
        Index(
            "uq_mentorship_active_mentee",
            "programme_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("mentoring_programme.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when HR ends it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme = relationship("MentoringProgramme", back_populates="mentorships")
    mentor = relationship("User", foreign_keys=[mentor_id])
    mentee = relationship("User", foreign_keys=[mentee_id])

    @property
    def active(self) -> bool:
        return self.ended_at is None


class MentoringSession(db.Model):
    """A meeting one side logged; the other side confirms (or declines) it, once."""

    __tablename__ = "mentoring_session"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="minutes"),
        CheckConstraint("status IN ('pending', 'confirmed', 'declined')", name="status"),
        Index("ix_mentoring_session_status_started", "status", "started_at"),
        # One meeting per start time in a pairing: a double click does not log it twice.
        UniqueConstraint("mentorship_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the meeting began (UTC)
    minutes: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")  # Markdown as typed
    notes_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, when saved
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    jp: Mapped[float | None] = mapped_column(Float)  # fixed at confirmation; None until then

    mentorship = relationship("Mentorship")
    logged_by = relationship("User", foreign_keys=[logged_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class CourseSuggestion(db.Model):
    """A course a mentor suggests to a mentee, with a note; suggesting it again changes nothing."""

    __tablename__ = "course_suggestion"
    __table_args__ = (UniqueConstraint("mentorship_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorship.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course = relationship("Course")
