"""The staged-import life cycle: store a checked file as a pending preview, apply it exactly once.

A preview changes nothing but its own row; applying claims the preview with a conditional UPDATE
and runs the feature's apply step in a savepoint (flush, no commit), so it is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload

from lms.accounts.models import APPLIED, PENDING
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db

# A file where every row is wrong would otherwise store (and show) tens of thousands of messages.
MAX_STORED_PROBLEMS = 1000


class ImportFileInvalid(DomainError):
    """The file as a whole cannot be imported; the message says why."""


class ImportAlreadyApplied(DomainError):
    template = N_(
        "This import has already been applied. To import the file again, upload it again."
    )


class NothingToApply(DomainError):
    template = N_("This file has no valid row to apply.")


@dataclass(frozen=True)
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class CheckedFile(Protocol):
    """What a feature's checker returns: the valid rows and the problems, row by row."""

    rows: list[dict]
    problems: list
    total: int
    invalid: int


def stage(model, *, kind: str, filename: str, checked: CheckedFile, plan: ImportCounts, created_by):
    """Store the checked file as a pending preview of `model` (an import table) and return it."""
    # Uploading a new file replaces this person's earlier unconfirmed preview of the same kind,
    # so previews (personal data) do not pile up unconfirmed.
    db.session.execute(
        delete(model).where(
            model.created_by_id == created_by.id, model.kind == kind, model.status == PENDING
        )
    )
    staged = model(
        kind=kind,
        created_by_id=created_by.id,
        filename=clean_filename(filename),
        status=PENDING,
        rows=checked.rows,
        problems=[p.as_dict() for p in checked.problems[:MAX_STORED_PROBLEMS]],
        counts={
            "rows": checked.total,
            "valid": len(checked.rows),
            "invalid": checked.invalid,
            "problems": len(checked.problems),
            "to_create": plan.created,
            "to_update": plan.updated,
            "to_keep": plan.unchanged,
        },
    )
    db.session.add(staged)
    db.session.flush()
    return staged


def apply_staged(
    model,
    import_id: int,
    user,
    apply: Callable[[object], ImportCounts],
    outdated: type[DomainError],
) -> ImportCounts:
    """Apply every valid row of a pending preview, all or nothing; a second call is refused.

    `apply(staged)` writes the rows; an IntegrityError from it (someone created the same NIP or
    code meanwhile) is reported as `outdated`, and the caller rolls the request back.
    """
    staged = db.session.get(model, import_id)
    if staged is None:
        raise LookupError(f"no import {import_id}")
    if staged.status != PENDING:
        raise ImportAlreadyApplied()
    if not staged.rows:
        raise NothingToApply()
    # Claim the preview with a conditional UPDATE: of two simultaneous confirmations, the second
    # waits for the first one's row lock, then finds the status changed and is refused.
    claimed = db.session.execute(
        update(model)
        .where(model.id == import_id, model.status == PENDING)
        .values(status=APPLIED, applied_at=utcnow(), applied_by_id=user.id)
    )
    if claimed.rowcount != 1:
        raise ImportAlreadyApplied()
    try:
        with db.session.begin_nested():
            counts = apply(staged)
    except IntegrityError:
        raise outdated() from None
    staged.counts = {
        **staged.counts,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }
    db.session.flush()
    return counts


def recent(model, limit: int = 10) -> list:
    """The latest previews and applied imports of `model`, without their rows."""
    return list(
        db.session.scalars(
            select(model)
            .options(defer(model.rows), defer(model.problems), joinedload(model.created_by))
            .order_by(model.created_at.desc(), model.id.desc())
            .limit(limit)
        )
    )


def clean_filename(filename: str) -> str:
    """The file's own name, printable and at most 255 characters (never a client path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:255] or "upload"
