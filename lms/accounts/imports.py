"""Employee and unit import: a checked file is stored as a preview, applied once when confirmed.

A preview changes no employee or unit; applying writes exactly the stored rows (flush, no commit).
The life cycle (store, claim, apply once) is lms.imports.services; the rules for rows are here.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts import importing
from lms.accounts.models import EMPLOYEES, LEARNER, EmployeeImport, Unit, User
from lms.assignments.services import include_later_joiners
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.imports import services as staging
from lms.imports.services import (  # noqa: F401 - the errors callers of this module catch
    ImportAlreadyApplied,
    ImportCounts,
    ImportFileInvalid,
    NothingToApply,
)

OPTIONAL_USER_FIELDS = ("email", "jabatan", "golongan", "pangkat", "eselon")
_CHUNK = 500  # NIPs per IN (...) query: well under every database's parameter limit


class ImportOutdated(DomainError):
    template = N_(
        "The portal's units or employees changed since this preview, so nothing was saved. "
        "Upload the file again to see a new preview."
    )


def unit_directory() -> importing.UnitDirectory:
    """The portal's units as the pure checker needs them: code -> (name, parent code)."""
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id)).all()
    code_of = {unit_id: code for unit_id, code, _, _ in rows}
    return importing.UnitDirectory(
        {code: (name, code_of.get(parent_id)) for _, code, name, parent_id in rows}
    )


def preview_import(kind: str, filename: str, data: bytes, created_by: User) -> EmployeeImport:
    """Check the file and store the result; no employee or unit is touched."""
    try:
        checked = importing.check_file(kind, data, unit_directory())
    except importing.UnreadableFile as exc:
        raise ImportFileInvalid(exc.template, **exc.params) from None
    plan = _plan_employees(checked.rows) if kind == EMPLOYEES else _plan_units(checked.rows)
    return staging.stage(
        EmployeeImport, kind=kind, filename=filename, checked=checked, plan=plan,
        created_by=created_by,
    )  # fmt: skip


def apply_import(import_id: int, user: User) -> ImportCounts:
    """Apply every valid row of a pending preview, all or nothing; a second call is refused."""

    def apply(staged: EmployeeImport) -> ImportCounts:
        if staged.kind == EMPLOYEES:
            counts = _apply_employees(staged.rows)
        else:
            counts = _apply_units(staged.rows)  # a unit moved into a tree brings its people
        include_later_joiners()
        return counts

    return staging.apply_staged(EmployeeImport, import_id, user, apply, ImportOutdated)


def recent_imports(limit: int = 10) -> list[EmployeeImport]:
    return staging.recent(EmployeeImport, limit)


def _changes(target, values: dict) -> dict:
    return {k: v for k, v in values.items() if getattr(target, k) != v}


# --- employees ----------------------------------------------------------------------------


def _users_by_nip(nips: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for i in range(0, len(nips), _CHUNK):
        chunk = nips[i : i + _CHUNK]
        found.update(
            (u.nip, u) for u in db.session.scalars(select(User).where(User.nip.in_(chunk)))
        )
    return found


def _unit_ids() -> dict[str, int]:
    return {code: unit_id for code, unit_id in db.session.execute(select(Unit.code, Unit.id))}


def _user_values(row: dict, unit_ids: dict[str, int]) -> dict:
    """What a row sets on an account. A column missing from the file leaves that field alone."""
    if row["unit"] not in unit_ids:
        raise ImportOutdated()
    values = {"name": row["name"], "unit_id": unit_ids[row["unit"]]}
    for name in OPTIONAL_USER_FIELDS:
        if name in row:
            values[name] = row[name] or None
    return values


def _plan_employees(rows: list[dict]) -> ImportCounts:
    existing = _users_by_nip([r["nip"] for r in rows])
    unit_ids = _unit_ids()
    created = updated = 0
    for row in rows:
        user = existing.get(row["nip"])
        if user is None:
            created += 1
        elif _changes(user, _user_values(row, unit_ids)):
            updated += 1
    return ImportCounts(created, updated, len(rows) - created - updated)


def _apply_employees(rows: list[dict]) -> ImportCounts:
    existing = _users_by_nip([r["nip"] for r in rows])
    unit_ids = _unit_ids()
    # New accounts cannot sign in until an administrator sets a password on the Users page; one
    # hash of a discarded secret serves them all (hashing 20,000 secrets would take an hour).
    password_hash = User.unusable_password_hash()
    created = updated = 0
    for row in rows:
        values = _user_values(row, unit_ids)
        user = existing.get(row["nip"])
        if user is None:
            user = User(nip=row["nip"], password_hash=password_hash, role_names=LEARNER, **values)
            db.session.add(user)
            existing[row["nip"]] = user
            created += 1
            continue
        changes = _changes(user, values)  # roles, password and status are never touched here
        for name, value in changes.items():
            setattr(user, name, value)
        updated += bool(changes)
    db.session.flush()
    return ImportCounts(created, updated, len(rows) - created - updated)


# --- units --------------------------------------------------------------------------------


def _unit_values(row: dict, units: dict[str, Unit]) -> dict:
    values = {"name": row["name"]}
    if "timezone" in row:
        values["timezone"] = row["timezone"] or None
    if "parent" in row:
        parent = units.get(row["parent"]) if row["parent"] else None
        if row["parent"] and parent is None:
            raise ImportOutdated()
        values["parent_id"] = parent.id if parent else None
    return values


def _plan_units(rows: list[dict]) -> ImportCounts:
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    created = updated = 0
    for row in rows:
        unit = units.get(row["code"])
        if unit is None:
            created += 1
        elif row.get("parent") and row["parent"] not in units:
            updated += 1  # its parent is new in this file, so it moves for certain
        elif _changes(unit, _unit_values(row, units)):
            updated += 1
    return ImportCounts(created, updated, len(rows) - created - updated)


def _parents_first(rows: list[dict]) -> list[dict]:
    by_code = {r["code"]: r for r in rows}
    ordered: list[dict] = []
    placed: set[str] = set()
    for row in rows:
        chain: list[dict] = []
        current = row
        while current is not None and current["code"] not in placed and current not in chain:
            chain.append(current)
            current = by_code.get(current.get("parent") or "")
        for item in reversed(chain):
            placed.add(item["code"])
            ordered.append(item)
    return ordered


def _apply_units(rows: list[dict]) -> ImportCounts:
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    created = updated = 0
    for row in _parents_first(rows):
        values = _unit_values(row, units)
        unit = units.get(row["code"])
        if unit is None:
            unit = Unit(code=row["code"], **values)
            db.session.add(unit)
            db.session.flush()  # its id is the parent_id of the rows that follow
            units[unit.code] = unit
            created += 1
            continue
        changes = _changes(unit, values)
        for name, value in changes.items():
            setattr(unit, name, value)
        updated += bool(changes)
    db.session.flush()
    _refuse_loops()
    return ImportCounts(created, updated, len(rows) - created - updated)


def _refuse_loops() -> None:
    """The preview checked the tree; units may have changed since, so look once more."""
    parents = {
        unit_id: parent for unit_id, parent in db.session.execute(select(Unit.id, Unit.parent_id))
    }
    for start in parents:
        seen = {start}
        current = parents[start]
        while current is not None:
            if current in seen:
                raise ImportOutdated()
            seen.add(current)
            current = parents.get(current)
