"""The competency dictionary, the levels each position (jabatan) requires, and HR's file imports.

Managerial and socio-cultural competencies come with the portal (PermenPANRB 38/2017); HR adds
technical ones. Codes never change: courses and requirements refer to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.competency.dictionary import MANAGERIAL, SOCIO_CULTURAL, TECHNICAL
from lms.extensions import db

COMPETENCIES, REQUIREMENTS = "competencies", "requirements"
PENDING, APPLIED = "pending", "applied"


class Competency(db.Model):
    __tablename__ = "competency"
    __table_args__ = (
        CheckConstraint(
            f"kind IN ('{MANAGERIAL}', '{SOCIO_CULTURAL}', '{TECHNICAL}')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    # Descriptions of levels 1 to 5, in order; "" where HR has not described a level.
    levels: Mapped[list] = mapped_column(JSON)

    @property
    def editable(self) -> bool:
        """Only technical competencies: the others are set by regulation."""
        return self.kind == TECHNICAL

    def level_text(self, level: int) -> str:
        texts = self.levels or []
        return texts[level - 1] if 0 < level <= len(texts) else ""

    def __repr__(self) -> str:
        return f"<Competency {self.code}>"


class PositionRequirement(db.Model):
    """The level of a competency a position (jabatan, as written on the employees) requires."""

    __tablename__ = "position_requirement"
    __table_args__ = (
        UniqueConstraint("jabatan", "competency_code"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jabatan: Mapped[str] = mapped_column(String(200), index=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), index=True)
    level: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    competency: Mapped[Competency] = relationship()


class CompetencyImport(db.Model):
    """An uploaded competency or requirement file, checked; confirming applies these rows once."""

    __tablename__ = "competency_import"
    __table_args__ = (
        CheckConstraint(f"kind IN ('{COMPETENCIES}', '{REQUIREMENTS}')", name="kind"),
        CheckConstraint(f"status IN ('{PENDING}', '{APPLIED}')", name="status"),
        {"sqlite_autoincrement": True},  # an old tab must not confirm a newer file's preview
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    rows: Mapped[list] = mapped_column(JSON)  # the valid rows as they will be applied
    problems: Mapped[list] = mapped_column(JSON)  # {"row", "column", "value", "template", "params"}
    counts: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    applied_by = relationship("User", foreign_keys=[applied_by_id])
