"""A learner's answer to the short evaluation of a course they completed, or their "not now".

One row per learner and course (a unique constraint, so a double submit cannot add a second); the
row is either answered (four ratings, optional comment) or dismissed (no ratings), never both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db

# The four 1-5 questions, in the order the form asks them.
QUESTIONS = ("relevance", "quality", "clarity", "applicability")

_RATINGS_PRESENT = " AND ".join(f"{q} IS NOT NULL" for q in QUESTIONS)
_RATINGS_ABSENT = " AND ".join(f"{q} IS NULL" for q in QUESTIONS)


class CourseEvaluation(db.Model):
    __tablename__ = "course_evaluation"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        *(CheckConstraint(f"{q} BETWEEN 1 AND 5", name=f"{q}_1_to_5") for q in QUESTIONS),
        CheckConstraint(
            f"(answered_at IS NOT NULL AND {_RATINGS_PRESENT})"
            f" OR (answered_at IS NULL AND dismissed_at IS NOT NULL AND {_RATINGS_ABSENT}"
            " AND comment IS NULL)",
            name="answered_or_dismissed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept so a learner is asked once and answers once; no page for trainers or HR shows it.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    relevance: Mapped[int | None] = mapped_column(SmallInteger)
    quality: Mapped[int | None] = mapped_column(SmallInteger)
    clarity: Mapped[int | None] = mapped_column(SmallInteger)
    applicability: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def record_answer(self, ratings: dict[str, int], comment: str | None) -> None:
        for question in QUESTIONS:
            setattr(self, question, ratings[question])
        self.comment = comment or None
        self.answered_at = utcnow()
