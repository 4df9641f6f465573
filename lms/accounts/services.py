"""Account rules: who a login names, password checks, creating and updating users.

Views and the CLI both call these; they flush, never commit.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.accounts.models import ROLES, Unit, User
from lms.accounts.nip import InvalidNip, looks_like_nip, normalise_nip, parse_nip
from lms.accounts.passwords import MIN_LENGTH, is_common
from lms.assignments.services import include_later_joiners
from lms.content.problems import N_
from lms.database import CoreLoader
from lms.errors import DomainError
from lms.extensions import db

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")


class LoginFailed(DomainError):
    template = N_("The NIP/username or password is wrong, or the account is disabled.")


class InvalidAccountData(DomainError):
    """A field of a user is invalid; `field` names which one."""

    def __init__(self, field: str, template: str, **params):
        super().__init__(template, **params)
        self.field = field


# Every signed-in request reads its user: one row, read by Core and attached to the session
# (lms.database.CoreLoader), at a third of what the ORM's own query costs.
_USER_LOADER = CoreLoader(User)


def load_user_from_session(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 10:
        return None
    row = _USER_LOADER.row(int(user_id))
    if row is None or row.session_version != int(version):
        return None  # the password changed since this session began
    if not row.active:
        return None  # a disabled account is signed out everywhere at once
    return _USER_LOADER.attach(row)


def find_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if looks_like_nip(login):
        return db.session.scalar(select(User).where(User.nip == normalise_nip(login)))
    return db.session.scalar(select(User).where(User.username == login.lower()))


def check_login_format(login: str) -> None:
    """Raise InvalidNip with the reason when the login is meant as a NIP but is not a valid one."""
    if looks_like_nip(login):
        parse_nip(login)


def authenticate(login: str, password: str) -> User:
    user = find_by_login(login)
    if user is None:
        # Spend the same time as a real check so the answer does not tell whether a login exists.
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        raise LoginFailed()
    if not user.check_password(password or "") or not user.active:
        raise LoginFailed()
    return user


def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash("not a real password, only for timing")


_DUMMY_HASH = _dummy_hash()


def check_password_policy(password: str, *, name: str = "", login: str = "") -> None:
    if len(password or "") < MIN_LENGTH:
        raise InvalidAccountData(
            "password",
            N_("The password needs at least %(count)d characters."),
            count=MIN_LENGTH,
        )
    lowered = password.lower()
    if is_common(password):
        raise InvalidAccountData("password", N_("This password is too common; choose another."))
    if login and lowered == login.lower():
        raise InvalidAccountData("password", N_("The password cannot be the same as the login."))
    if name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        raise InvalidAccountData("password", N_("The password cannot be your name."))


def split_login(login: str) -> tuple[str | None, str | None]:
    """Return (nip, username) for a login typed by an admin; raise with the reason if invalid."""
    login = (login or "").strip()
    if looks_like_nip(login):
        try:
            return parse_nip(login).value, None
        except InvalidNip as exc:
            raise InvalidAccountData("login", exc.template, **exc.params) from None
    username = login.lower()
    if not USERNAME.match(username):
        raise InvalidAccountData(
            "login",
            N_("A username has 3 to 64 characters: letters, digits, dot, dash or underscore, "
               "starting with a letter. Civil servants use their 18-digit NIP."),
        )  # fmt: skip
    return None, username


def find_unit(text: str | None) -> Unit | None:
    if not text:
        return None
    text = text.strip()
    return db.session.scalar(
        select(Unit).where((Unit.code == text) | (func.lower(Unit.name) == text.lower()))
    )


def create_user(
    *,
    login: str,
    name: str,
    password: str,
    roles: list[str] | tuple[str, ...],
    email: str | None = None,
    unit: Unit | None = None,
    jabatan: str | None = None,
) -> User:
    nip, username = split_login(login)
    name = (name or "").strip()
    if not name:
        raise InvalidAccountData("name", N_("The name is required."))
    bad_roles = set(roles) - set(ROLES)
    if bad_roles or not roles:
        raise InvalidAccountData(
            "roles", N_("Choose at least one role: %(roles)s."), roles=", ".join(ROLES)
        )
    if find_by_login(nip or username) is not None:
        raise InvalidAccountData(
            "login", N_("An account with this NIP or username already exists.")
        )
    check_password_policy(password, name=name, login=nip or username)
    user = User(
        nip=nip, username=username, name=name, email=(email or None), unit=unit, jabatan=jabatan
    )
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    include_later_joiners([user.id])
    return user


def update_user(
    user: User,
    *,
    name: str,
    roles,
    email: str | None,
    unit: Unit | None,
    jabatan: str | None,
    active: bool,
) -> User:
    name = (name or "").strip()
    if not name:
        raise InvalidAccountData("name", N_("The name is required."))
    if not roles or set(roles) - set(ROLES):
        raise InvalidAccountData(
            "roles", N_("Choose at least one role: %(roles)s."), roles=", ".join(ROLES)
        )
    user.name, user.email, user.unit, user.jabatan, user.active = (
        name,
        email or None,
        unit,
        jabatan,
        active,
    )
    user.roles = roles
    db.session.flush()
    include_later_joiners([user.id])  # a new unit or jabatan may bring assigned training
    return user


def remember_language(user: User, locale: str) -> None:
    """Keep the user's language choice on the account, so it follows them to any browser."""
    user.locale = locale
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    """Set a new password; every existing session of the user ends (session_version changes)."""
    check_password_policy(new_password, name=user.name, login=user.login)
    user.set_password(new_password)
    db.session.flush()


def ensure_unit(code: str, name: str, parent: Unit | None = None) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, parent=parent)
        db.session.add(unit)
        db.session.flush()
    return unit
