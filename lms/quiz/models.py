"""Quiz attempts: the order shown, the answers given and the grade, one row per attempt.

(user, course, kind, number) is unique, so two concurrent starts cannot exceed max_attempts
(final quiz) or the single pre-test attempt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db

FINAL = "final"  # the course's final quiz (quiz.md): counts for completion and max_attempts
PRETEST = "pretest"  # the optional pre-test (pretest.md): one attempt, never counts for completion


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"))
    kind: Mapped[str] = mapped_column(String(10), default=FINAL, server_default=FINAL)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"key": "q3", "options": ["o..", "o.."]}, ...]: the order this attempt shows.
    layout: Mapped[list] = mapped_column(JSON)
    # {"q3": ["o.."] | "text"}: what the learner answered.
    responses: Mapped[dict | None] = mapped_column(JSON)
    # {"q3": 0.5}: the fraction of each question's points earned.
    results: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column()

    course_version = relationship("CourseVersion")
    course = relationship("Course")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_pretest(self) -> bool:
        return self.kind == PRETEST
