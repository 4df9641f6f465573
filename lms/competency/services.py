"""Competency services: the dictionary, position requirements, and published courses' offers.

Load the facts from the database and let lms.competency.rules decide; flush, never commit.
Imports, profiles and training needs have their own modules next to this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.catalog.models import Course, CourseCompetency, CourseVersion
from lms.competency import rules
from lms.competency.dictionary import KINDS, SHIPPED, TECHNICAL
from lms.competency.models import Competency, PositionRequirement
from lms.content.problems import N_
from lms.content.vocabulary import BUILTIN_COMPETENCIES, TECHNICAL_CODE
from lms.errors import DomainError
from lms.extensions import db


class CompetencyCodeTaken(DomainError):
    template = N_("A competency with code %(code)s already exists.")


class NotEditable(DomainError):
    template = N_(
        "%(code)s is a competency of PermenPANRB 38/2017: it comes with the portal and cannot "
        "be changed."
    )


class InvalidTechnicalCode(DomainError):
    template = N_(
        "A technical competency code is T- followed by capital letters, digits and -, for "
        "example T-PROYEK."
    )


class UnknownCompetency(DomainError):
    template = N_("Unknown competency code: add it to the competency dictionary first.")


# --- The dictionary ---------------------------------------------------------------------------

_KIND_ORDER = case({kind: i for i, kind in enumerate(KINDS)}, value=Competency.kind, else_=9)


def known_codes() -> set[str]:
    """Every code in the dictionary: what the course validator accepts."""
    return set(db.session.scalars(select(Competency.code)))


def dictionary_names() -> dict[str, str]:
    """Every code in the dictionary and its name (HR's technical competencies included)."""
    return {
        code: name for code, name in db.session.execute(select(Competency.code, Competency.name))
    }


def dictionary() -> list[Competency]:
    """Managerial, then socio-cultural, then technical; by code within each kind."""
    return list(db.session.scalars(select(Competency).order_by(_KIND_ORDER, Competency.code)))


def competency(code: str) -> Competency | None:
    return db.session.scalar(select(Competency).where(Competency.code == code))


def seed_shipped() -> int:
    """Insert the shipped dictionary entries that are missing (tests; the migration does this)."""
    present = known_codes()
    missing = [Competency(**item) for item in SHIPPED if item["code"] not in present]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)


def _levels(texts) -> list[str]:
    texts = [" ".join((t or "").split()) for t in (texts or [])][:5]
    return texts + [""] * (5 - len(texts))


def add_technical(code: str, name: str, description: str = "", levels=()) -> Competency:
    code = code.strip().upper()
    if code in BUILTIN_COMPETENCIES:
        raise NotEditable(code=code)
    if not TECHNICAL_CODE.match(code):
        raise InvalidTechnicalCode()
    if competency(code) is not None:
        raise CompetencyCodeTaken(code=code)
    item = Competency(
        code=code, name=name.strip(), kind=TECHNICAL, description=(description or "").strip(),
        levels=_levels(levels),
    )  # fmt: skip
    db.session.add(item)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # added by someone else meanwhile
        raise CompetencyCodeTaken(code=code) from None
    return item


def update_technical(item: Competency, name: str, description: str = "", levels=()) -> None:
    if not item.editable:
        raise NotEditable(code=item.code)
    item.name = name.strip()
    item.description = (description or "").strip()
    item.levels = _levels(levels)
    db.session.flush()


# --- Position requirements --------------------------------------------------------------------


def normalise_jabatan(text: str | None) -> str:
    return " ".join((text or "").split())


def jabatan_key(text: str | None) -> str:
    """How positions are matched: spacing and letter case do not matter."""
    return normalise_jabatan(text).lower()


def required_levels(jabatan: str | None) -> dict[str, int]:
    """{competency code: required level} for a position, matched without regard to case."""
    key = jabatan_key(jabatan)
    if not key:
        return {}
    return dict(
        db.session.execute(
            select(PositionRequirement.competency_code, PositionRequirement.level).where(
                func.lower(PositionRequirement.jabatan) == key
            )
        ).all()
    )


def _spelling(jabatan: str) -> str:
    """A position already in the portal is written the same way again (one list per position)."""
    jabatan = normalise_jabatan(jabatan)
    existing = db.session.scalar(
        select(PositionRequirement.jabatan)
        .where(func.lower(PositionRequirement.jabatan) == jabatan.lower())
        .limit(1)
    )
    return existing or jabatan


def set_requirement(jabatan: str, code: str, level: int, user: User) -> tuple[bool, bool]:
    """Set the level a position requires; (created, changed)."""
    if competency(code) is None:
        raise UnknownCompetency()
    jabatan = _spelling(jabatan)
    current = db.session.scalar(
        select(PositionRequirement).where(
            PositionRequirement.jabatan == jabatan, PositionRequirement.competency_code == code
        )
    )
    if current is None:
        db.session.add(
            PositionRequirement(
                jabatan=jabatan, competency_code=code, level=level, updated_by_id=user.id
            )
        )
        db.session.flush()
        return True, True
    if current.level == level:
        return False, False
    current.level, current.updated_by_id = level, user.id
    db.session.flush()
    return False, True


def ensure_requirement(jabatan: str, code: str, level: int) -> bool:
    """Add a requirement unless the position already has one for `code` (demo data, scripts)."""
    if code not in known_codes() or code in required_levels(jabatan):
        return False
    jabatan = _spelling(jabatan)
    db.session.add(PositionRequirement(jabatan=jabatan, competency_code=code, level=level))
    db.session.flush()
    return True


def delete_requirement(requirement: PositionRequirement) -> None:
    db.session.delete(requirement)
    db.session.flush()


@dataclass
class PositionLine:
    jabatan: str
    requirements: list[PositionRequirement]
    employees: int  # active accounts with this position


def positions() -> list[PositionLine]:
    """Every position with requirements, alphabetically, with how many employees hold it."""
    requirements = db.session.scalars(
        select(PositionRequirement)
        .options(joinedload(PositionRequirement.competency))
        .join(Competency, Competency.code == PositionRequirement.competency_code)
        .order_by(PositionRequirement.jabatan, _KIND_ORDER, Competency.code)
    )
    lines: dict[str, PositionLine] = {}
    for requirement in requirements:
        key = jabatan_key(requirement.jabatan)
        line = lines.setdefault(key, PositionLine(requirement.jabatan, [], 0))
        line.requirements.append(requirement)
    if lines:
        counts = db.session.execute(
            select(func.lower(User.jabatan), func.count())
            .where(User.active.is_(True), User.jabatan.is_not(None))
            .group_by(func.lower(User.jabatan))
        )
        for jabatan, count in counts:
            line = lines.get(jabatan_key(jabatan))
            if line is not None:
                line.employees += count
    return sorted(lines.values(), key=lambda line: line.jabatan.lower())


def position_names() -> list[str]:
    """Positions HR may want to set requirements for: those of employees and existing ones."""
    names = set(db.session.scalars(select(User.jabatan).where(User.jabatan.is_not(None))))
    names |= set(db.session.scalars(select(PositionRequirement.jabatan)))
    unique = {jabatan_key(n): normalise_jabatan(n) for n in sorted(names) if n and n.strip()}
    return sorted(unique.values(), key=str.lower)


# --- Published courses, as the rules see them -------------------------------------------------


def course_offers() -> list[rules.CourseOffer]:
    """Published, non-archived courses with the competencies their current version develops."""
    rows = db.session.execute(
        select(Course.id, Course.code, CourseVersion.title, CourseVersion.jp)
        .add_columns(CourseCompetency.code, CourseCompetency.level)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .join(CourseCompetency, CourseCompetency.course_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
    )
    offers: dict[int, tuple[tuple, dict[str, int]]] = {}
    for course_id, code, title, jp, competency_code, level in rows:
        offers.setdefault(course_id, ((course_id, code, title, jp), {}))[1][competency_code] = level
    return [rules.CourseOffer(*head, levels=levels) for head, levels in offers.values()]
