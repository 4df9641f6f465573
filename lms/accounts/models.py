"""Users, their roles, their units (unit kerja) and the employee or unit imports HR previews.

A user logs in with an 18-digit NIP (civil servants) or a username (non-ASN staff).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, text
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
    golongan: Mapped[str | None] = mapped_column(String(10))  # e.g. "III/a"
    pangkat: Mapped[str | None] = mapped_column(String(60))  # e.g. "Penata Muda"
    eselon: Mapped[str | None] = mapped_column(String(10))  # e.g. "III.a"
    password_hash: Mapped[str] = mapped_column(String(255))
    # Comma-separated role names: read on every request, so kept in the row itself.
    role_names: Mapped[str] = mapped_column(String(100), default=LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes: every session carrying an older value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept equal to the user's unread notifications by lms.notifications.services, so the header
    # shows the count from the row every request loads anyway, without a query of its own.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default=text("0"))

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

    @staticmethod
    def unusable_password_hash() -> str:
        """A real hash of a secret nobody keeps: sign-in fails, and takes the usual time."""
        return generate_password_hash(secrets.token_urlsafe(32))

    def __repr__(self) -> str:
        return f"<User {self.login}>"


EMPLOYEES, UNITS = "employees", "units"
PENDING, APPLIED = "pending", "applied"


class EmployeeImport(db.Model):
    """An uploaded employee or unit file, validated; confirming applies exactly these rows, once.

    Kept on the server because a preview can hold 20,000 rows: far too much for the session cookie.
    """

    __tablename__ = "employee_import"
    __table_args__ = (
        CheckConstraint(f"kind IN ('{EMPLOYEES}', '{UNITS}')", name="kind"),
        CheckConstraint(f"status IN ('{PENDING}', '{APPLIED}')", name="status"),
        # Never reuse the id of a discarded preview: an old tab must not confirm a newer file.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    # The valid rows exactly as they will be applied: {"row": n, "nip": ..., ...}.
    rows: Mapped[list] = mapped_column(JSON)
    # {"row", "column", "value", "template", "params"}: templates are translated when shown.
    problems: Mapped[list] = mapped_column(JSON)
    counts: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])
