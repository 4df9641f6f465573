"""Users, their roles and their units (unit kerja).

A user logs in with an 18-digit NIP (civil servants) or a username (non-ASN staff).
"""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db

LEARNER, TRAINER, HR, ADMIN = "learner", "trainer", "hr", "admin"
ROLES = (LEARNER, TRAINER, HR, ADMIN)


class Unit(db.Model):
    """A unit kerja: the city government, a dinas/badan, or a bidang inside it."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    timezone: Mapped[str | None] = mapped_column(String(40))

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("nip IS NOT NULL OR username IS NOT NULL", name="has_login"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    jabatan: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Comma-separated role names: read on every request, so kept in the row itself.
    role_names: Mapped[str] = mapped_column(String(100), default=LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes: every session carrying an older value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @property
    def login(self) -> str:
        return self.nip or self.username or ""

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for r in self.role_names.split(",") if r)

    @roles.setter
    def roles(self, value) -> None:
        self.role_names = ",".join(r for r in ROLES if r in set(value))

    def has_role(self, *roles: str) -> bool:
        return ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.login}>"
