"""Technical competencies and position requirements from a file: checked, previewed, applied once.

A preview changes nothing; applying writes exactly the stored rows (flush, no commit), like the
employee import (lms.accounts.imports): both follow lms.imports.services.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.importing import UnreadableFile
from lms.accounts.models import User
from lms.competency import importing
from lms.competency.dictionary import TECHNICAL
from lms.competency.models import (
    COMPETENCIES,
    Competency,
    CompetencyImport,
    PositionRequirement,
)
from lms.competency.services import jabatan_key, known_codes, normalise_jabatan
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.imports import services as staging
from lms.imports.services import ImportCounts, ImportFileInvalid


class ImportOutdated(DomainError):
    template = N_(
        "The competency dictionary changed since this preview, so nothing was saved. Upload "
        "the file again to see a new preview."
    )


def preview_import(kind: str, filename: str, data: bytes, created_by: User) -> CompetencyImport:
    """Check the file and store the result; nothing in the dictionary or requirements changes."""
    try:
        if kind == COMPETENCIES:
            checked = importing.check_competencies(data)
        else:
            checked = importing.check_requirements(data, known_codes())
    except UnreadableFile as exc:
        raise ImportFileInvalid(exc.template, **exc.params) from None
    plan = _plan(kind, checked.rows)
    return staging.stage(
        CompetencyImport, kind=kind, filename=filename, checked=checked, plan=plan,
        created_by=created_by,
    )  # fmt: skip


def apply_import(import_id: int, user: User) -> ImportCounts:
    """Apply every valid row of a pending preview, all or nothing; a second call is refused."""

    def apply(staged: CompetencyImport) -> ImportCounts:
        return _apply(staged.kind, staged.rows, user)

    return staging.apply_staged(CompetencyImport, import_id, user, apply, ImportOutdated)


def recent_imports(limit: int = 10) -> list[CompetencyImport]:
    return staging.recent(CompetencyImport, limit)


def _competency_values(row: dict, item: Competency | None) -> dict:
    """What a row sets; a column missing from the file leaves that field as it is."""
    values = {"name": row["name"]}
    if "description" in row:
        values["description"] = row["description"]
    levels = list(item.levels) if item is not None else [""] * 5
    for n, name in enumerate(importing.LEVEL_COLUMNS):
        if name in row:
            levels[n] = row[name]
    values["levels"] = levels
    return values


def _changes(target, values: dict) -> dict:
    return {k: v for k, v in values.items() if getattr(target, k) != v}


def _requirement_index() -> dict[tuple[str, str], PositionRequirement]:
    return {
        (jabatan_key(r.jabatan), r.competency_code): r
        for r in db.session.scalars(select(PositionRequirement))
    }


def _plan(kind: str, rows: list[dict]) -> ImportCounts:
    created = updated = 0
    if kind == COMPETENCIES:
        existing = {c.code: c for c in db.session.scalars(select(Competency))}
        for row in rows:
            item = existing.get(row["code"])
            if item is None:
                created += 1
            elif _changes(item, _competency_values(row, item)):
                updated += 1
    else:
        index = _requirement_index()
        for row in rows:
            current = index.get((jabatan_key(row["jabatan"]), row["code"]))
            if current is None:
                created += 1
            elif current.level != row["level"]:
                updated += 1
    return ImportCounts(created, updated, len(rows) - created - updated)


def _apply(kind: str, rows: list[dict], user: User) -> ImportCounts:
    created = updated = 0
    if kind == COMPETENCIES:
        existing = {c.code: c for c in db.session.scalars(select(Competency))}
        for row in rows:
            item = existing.get(row["code"])
            values = _competency_values(row, item)
            if item is None:
                item = Competency(code=row["code"], kind=TECHNICAL, **values)
                db.session.add(item)
                existing[item.code] = item
                created += 1
                continue
            if not item.editable:
                raise ImportOutdated()
            changes = _changes(item, values)
            for name, value in changes.items():
                setattr(item, name, value)
            updated += bool(changes)
    else:
        codes = known_codes()
        index = _requirement_index()
        for row in rows:
            if row["code"] not in codes:
                raise ImportOutdated()
            key = (jabatan_key(row["jabatan"]), row["code"])
            current = index.get(key)
            if current is None:
                spelling = next(
                    (r.jabatan for k, r in index.items() if k[0] == key[0]),
                    normalise_jabatan(row["jabatan"]),
                )
                current = PositionRequirement(
                    jabatan=spelling, competency_code=row["code"], level=row["level"],
                    updated_by_id=user.id,
                )  # fmt: skip
                db.session.add(current)
                index[key] = current
                created += 1
            elif current.level != row["level"]:
                current.level, current.updated_by_id = row["level"], user.id
                updated += 1
    db.session.flush()
    return ImportCounts(created, updated, len(rows) - created - updated)
