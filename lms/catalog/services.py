"""Catalog rules: importing course packages as versions, and finding published courses.

Import is atomic for the caller: everything is validated before anything is written, and the
caller commits once (or rolls back) for the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from lms.catalog import files
from lms.catalog.models import Course, CourseCompetency, CourseModule, CourseVersion, ModuleVersion
from lms.competency.services import known_codes
from lms.content.package import CoursePackage, read_packages
from lms.content.problems import PackageInvalid
from lms.database import contains_pattern
from lms.extensions import db


@dataclass(frozen=True)
class ImportOutcome:
    code: str
    version_number: int
    created: bool  # False when the content was unchanged and nothing was written


def import_path(path: str | Path, note: str | None = None) -> list[ImportOutcome]:
    """Validate every package under `path`, then import them all; raise PackageInvalid otherwise.

    Competency codes are checked against the portal's competency dictionary.
    """
    packages, problems = read_packages(path, known_competencies=known_codes())
    if problems:
        raise PackageInvalid(problems)
    return [import_package(p, note=note) for p in packages]


def import_package(
    package: CoursePackage, note: str | None = None, created_by_id: int | None = None
) -> ImportOutcome:
    """Publish `package` as the course's next version, unless its content is already current.

    The course row is locked first, so two publishes at once (a double click, two authors, the
    CLI and the browser) queue up: the second sees the first's version instead of colliding.
    """
    course = db.session.scalar(
        select(Course)
        .where(Course.code == package.code)
        .with_for_update()
        .execution_options(populate_existing=True)  # what the lock holder wrote, not a stale copy
    )
    if course is None:
        course = Course(code=package.code)
        db.session.add(course)
        db.session.flush()
    current = course.current_version
    if current is not None and current.content_hash == package.content_hash:
        return ImportOutcome(course.code, current.number, created=False)
    for name, data in package.asset_data.items():
        if files.store(data) != package.assets[name]["sha256"]:
            raise ValueError(f"asset {name} does not match its description")

    number = (
        db.session.scalar(
            select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id)
        )
        or 0
    ) + 1
    version = CourseVersion(
        course_id=course.id,
        number=number,
        content_hash=package.content_hash,
        title=package.title,
        summary=package.summary,
        category=package.category,
        jp=package.jp,
        pass_mark=package.pass_mark,
        max_attempts=package.max_attempts,
        jenis_diklat=package.jenis_diklat,
        total_minutes=package.total_minutes,
        intro_html=package.intro_html,
        outline=[{"key": m.key, "title": m.title, "minutes": m.minutes} for m in package.modules],
        quiz=package.quiz,
        pretest=package.pretest,
        source=package.files,
        assets=package.assets,
        note=note,
        created_by_id=created_by_id,
    )
    version.competencies = [
        CourseCompetency(code=c["code"], level=c["level"]) for c in package.competencies
    ]
    db.session.add(version)
    db.session.flush()

    existing = {
        m.key: m
        for m in db.session.scalars(select(CourseModule).where(CourseModule.course_id == course.id))
    }
    for module in package.modules:
        identity = existing.get(module.key)
        if identity is None:
            identity = CourseModule(course_id=course.id, key=module.key)
            db.session.add(identity)
            db.session.flush()
        db.session.add(
            ModuleVersion(
                course_version_id=version.id,
                module_id=identity.id,
                position=module.position,
                title=module.title,
                minutes=module.minutes,
                html=module.html,
                toc_html=module.toc_html,
            )
        )
    course.current_version = version
    db.session.flush()
    return ImportOutcome(course.code, number, created=True)


def published_course(code: str) -> Course | None:
    """The course with its current version loaded in the same query, or None."""
    return db.session.scalar(
        select(Course)
        .join(Course.current_version)
        .options(contains_eager(Course.current_version))
        .where(Course.code == code, Course.archived.is_(False))
    )


def module_in_version(version_id: int, key: str) -> ModuleVersion | None:
    return db.session.scalar(
        select(ModuleVersion)
        .join(ModuleVersion.module)
        .options(contains_eager(ModuleVersion.module))
        .where(ModuleVersion.course_version_id == version_id, CourseModule.key == key)
    )


def search_catalog(
    query: str | None = None, category: str | None = None, competency: str | None = None
) -> list[Course]:
    stmt = (
        select(Course)
        .join(Course.current_version)
        .options(contains_eager(Course.current_version))
        .where(Course.archived.is_(False))
        .order_by(CourseVersion.title)
    )
    if query:
        like = contains_pattern(query.strip().lower())
        stmt = stmt.where(
            or_(
                func.lower(CourseVersion.title).like(like, escape="\\"),
                func.lower(CourseVersion.summary).like(like, escape="\\"),
                func.lower(Course.code).like(like, escape="\\"),
            )
        )
    if category:
        stmt = stmt.where(CourseVersion.category == category)
    if competency:
        stmt = stmt.where(
            CourseVersion.id.in_(
                select(CourseCompetency.course_version_id).where(
                    CourseCompetency.code == competency
                )
            )
        )
    return list(db.session.scalars(stmt))


def competencies_in_catalog() -> list[str]:
    return list(
        db.session.scalars(
            select(CourseCompetency.code)
            .join(Course, Course.current_version_id == CourseCompetency.course_version_id)
            .where(Course.archived.is_(False))
            .distinct()
            .order_by(CourseCompetency.code)
        )
    )
