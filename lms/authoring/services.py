"""Authoring rules: who edits a course, changing its draft safely, publishing and rolling back.

Every change to a draft is a compare-and-swap on its revision, so two authors cannot overwrite
each other. Publishing runs the same validator as `check-courses` and the same importer as the CLI.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, select, update

from lms.accounts.models import ADMIN, TRAINER, User
from lms.accounts.services import find_by_login
from lms.authoring.models import CourseAuthor, CourseDraft
from lms.catalog import files as file_store
from lms.catalog.models import Course, CourseVersion
from lms.catalog.services import ImportOutcome, import_package
from lms.clock import utcnow
from lms.competency.services import known_codes
from lms.content import assets as asset_rules
from lms.content.archive import read_package_zip, write_package_zip
from lms.content.frontmatter import read_document
from lms.content.package import (
    COURSE_FILE,
    MODULE_FILE,
    PRETEST_FILE,
    QUIZ_FILE,
    CoursePackage,
    content_hash,
    describe_assets,
    parse_package,
)
from lms.content.problems import N_, PackageInvalid, Problem, ProblemList
from lms.errors import DomainError
from lms.extensions import db

MAX_MODULES = 99


class DraftConflict(DomainError):
    template = N_(
        "Someone else saved this course's draft after you opened it, so your change was not "
        "saved and nothing was overwritten. Copy your text, reload the page and apply it again."
    )


class CourseCodeTaken(DomainError):
    template = N_("A course with code %(code)s already exists.")


class NotAnAuthor(DomainError):
    template = N_("You are not an author of course %(code)s.")


class DraftInvalid(DomainError):
    template = N_("The course has %(count)s problem(s); nothing was published.")

    def __init__(self, problems: list[Problem]):
        super().__init__(count=len(problems))
        self.problems = problems


class UnpublishedChanges(DomainError):
    template = N_(
        "Course %(code)s has draft changes that are not published. Publish or discard them "
        "first, or confirm that the upload may replace them."
    )


class AuthorChangeRefused(DomainError):
    pass


# --- Who may edit ------------------------------------------------------------------------


def is_author(user: User, course: Course) -> bool:
    return db.session.get(CourseAuthor, {"course_id": course.id, "user_id": user.id}) is not None


def can_edit(user: User, course: Course) -> bool:
    return ADMIN in user.roles or is_author(user, course)


def is_owner(user: User, course: Course) -> bool:
    if ADMIN in user.roles:
        return True
    author = db.session.get(CourseAuthor, {"course_id": course.id, "user_id": user.id})
    return author is not None and author.is_owner


def authors_of(course: Course) -> list[CourseAuthor]:
    return list(
        db.session.scalars(
            select(CourseAuthor)
            .join(CourseAuthor.user)
            .where(CourseAuthor.course_id == course.id)
            .order_by(CourseAuthor.is_owner.desc(), User.name)
        )
    )


def add_author(course: Course, login: str, owner: bool = False) -> User:
    """Add a co-author (a trainer) by NIP or username; adding an existing author is a no-op."""
    login = (login or "").strip()
    user = find_by_login(login) if login else None
    if user is None:
        raise AuthorChangeRefused(N_("No account with login %(login)s."), login=login)
    if not (user.roles & {TRAINER, ADMIN}):
        raise AuthorChangeRefused(
            N_("%(name)s is not a trainer; only trainers can be co-authors."), name=user.name
        )
    if db.session.get(CourseAuthor, {"course_id": course.id, "user_id": user.id}) is None:
        db.session.add(CourseAuthor(course_id=course.id, user_id=user.id, is_owner=owner))
        db.session.flush()
    return user


def remove_author(course: Course, user_id: int) -> None:
    author = db.session.get(CourseAuthor, {"course_id": course.id, "user_id": user_id})
    if author is None:
        return
    if author.is_owner:
        raise AuthorChangeRefused(N_("The owner of a course cannot be removed."))
    db.session.delete(author)
    db.session.flush()


# --- Listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseListing:
    course: Course
    title: str
    status: str  # "draft" (never published), "published" or "archived"
    version_number: int | None
    unpublished_changes: bool
    updated_at: datetime | None


def courses_for(user: User) -> list[CourseListing]:
    """The courses `user` may edit (every course for an admin), newest change first."""
    stmt = select(Course, CourseDraft).outerjoin(CourseDraft, CourseDraft.course_id == Course.id)
    if ADMIN not in user.roles:
        stmt = stmt.join(CourseAuthor, CourseAuthor.course_id == Course.id).where(
            CourseAuthor.user_id == user.id
        )
    listings = []
    for course, draft in db.session.execute(stmt).all():
        version = course.current_version
        if course.archived:
            status = "archived"
        elif version is None:
            status = "draft"
        else:
            status = "published"
        listings.append(
            CourseListing(
                course=course,
                title=_draft_title(draft) or (version.title if version else course.code),
                status=status,
                version_number=version.number if version else None,
                unpublished_changes=draft is not None and has_unpublished_changes(course, draft),
                updated_at=draft.updated_at if draft else (version.created_at if version else None),
            )
        )
    listings.sort(key=lambda c: c.title.lower())
    return listings


def _draft_title(draft: CourseDraft | None) -> str | None:
    if draft is None or COURSE_FILE not in draft.files:
        return None
    title = read_document(draft.files[COURSE_FILE], COURSE_FILE, ProblemList()).meta.get("title")
    return title if isinstance(title, str) else None


def has_unpublished_changes(course: Course, draft: CourseDraft) -> bool:
    version = course.current_version
    if version is None:
        return True
    return content_hash(draft.files, draft.assets) != version.content_hash


# --- Drafts -------------------------------------------------------------------------------


def draft_for(course: Course) -> CourseDraft:
    """The course's draft, made from its current version the first time someone edits it."""
    draft = db.session.get(CourseDraft, course.id)
    if draft is None:
        version = course.current_version
        draft = CourseDraft(
            course_id=course.id,
            files=dict(version.source) if version else {},
            assets=dict(version.assets or {}) if version else {},
            revision=1,
        )
        db.session.add(draft)
        db.session.flush()
    return draft


def save_draft(
    draft: CourseDraft,
    expected_revision: int | None,
    user: User,
    files: dict[str, str],
    assets: dict[str, dict] | None = None,
) -> int:
    """Replace the draft's content if nobody saved it since `expected_revision`; the new revision.

    The check and the write are one UPDATE ... WHERE revision = expected, so it also holds
    between two requests racing on PostgreSQL (the loser's UPDATE matches no row).
    """
    if expected_revision is None or expected_revision != draft.revision:
        raise DraftConflict()
    values = {
        "files": files,
        "assets": draft.assets if assets is None else assets,
        "revision": expected_revision + 1,
        "updated_at": utcnow(),
        "updated_by_id": user.id,
    }
    result = db.session.execute(
        update(CourseDraft)
        .where(CourseDraft.course_id == draft.course_id, CourseDraft.revision == expected_revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DraftConflict()
    db.session.refresh(draft)
    return draft.revision


@dataclass(frozen=True)
class CourseMeta:
    code: str
    title: str
    summary: str
    category: str
    jp: float
    competencies: list[dict]
    pass_mark: int
    max_attempts: int
    jenis_diklat: int = 16


def compose_document(meta: dict, body: str) -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return f"---\n{front}\n---\n\n{body}\n"


def compose_course_file(meta: CourseMeta, introduction: str) -> str:
    fields = {
        "code": meta.code,
        "title": meta.title.strip(),
        "summary": meta.summary.strip(),
        "category": meta.category,
        "jp": int(meta.jp) if float(meta.jp).is_integer() else float(meta.jp),
        "competencies": [{"code": c["code"], "level": c["level"]} for c in meta.competencies],
        "pass_mark": meta.pass_mark,
        "max_attempts": meta.max_attempts,
    }
    if meta.jenis_diklat != 16:
        fields["jenis_diklat"] = meta.jenis_diklat
    return compose_document(fields, introduction)


def course_meta(draft: CourseDraft) -> tuple[dict, str]:
    """The course.md front matter (as written) and introduction of a draft."""
    doc = read_document(draft.files.get(COURSE_FILE, ""), COURSE_FILE, ProblemList())
    return doc.meta, doc.body.strip("\n")


def create_course(user: User, meta: CourseMeta, introduction: str = "") -> Course:
    """A new, unpublished course owned by `user`, its draft holding only course.md."""
    taken = db.session.scalar(select(Course.id).where(func.upper(Course.code) == meta.code.upper()))
    if taken is not None:
        raise CourseCodeTaken(code=meta.code)
    course = Course(code=meta.code)
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseAuthor(course_id=course.id, user_id=user.id, is_owner=True))
    db.session.add(
        CourseDraft(
            course_id=course.id,
            files={COURSE_FILE: compose_course_file(meta, introduction)},
            assets={},
            revision=1,
            updated_by_id=user.id,
        )
    )
    db.session.flush()
    return course


def update_course_meta(
    draft: CourseDraft, revision: int, user: User, meta: CourseMeta, introduction: str
) -> int:
    files = dict(draft.files)
    files[COURSE_FILE] = compose_course_file(meta, introduction)
    return save_draft(draft, revision, user, files)


@dataclass(frozen=True)
class DraftModule:
    key: str
    filename: str
    position: int
    title: str
    minutes: int | None
    body: str
    meta: dict
    body_line: int  # the file line of the body's first line, to map validator lines


def draft_modules(draft: CourseDraft) -> list[DraftModule]:
    numbered = sorted(
        (int(m.group(1)), name) for name in draft.files if (m := MODULE_FILE.match(name))
    )
    modules = []
    for position, (_, name) in enumerate(numbered, start=1):
        doc = read_document(draft.files[name], name, ProblemList())
        key = doc.meta.get("id")
        if not isinstance(key, str):
            key = MODULE_FILE.match(name).group(2)
        title = doc.meta.get("title")
        minutes = doc.meta.get("minutes")
        modules.append(
            DraftModule(
                key=key,
                filename=name,
                position=position,
                title=title if isinstance(title, str) else name,
                minutes=minutes if isinstance(minutes, int) else None,
                body=doc.body.strip("\n"),
                meta=doc.meta,
                body_line=doc.body_line + len(doc.body) - len(doc.body.lstrip("\n")),
            )
        )
    return modules


def draft_module(draft: CourseDraft, key: str) -> DraftModule | None:
    return next((m for m in draft_modules(draft) if m.key == key), None)


def slug(text: str) -> str:
    """An ASCII module key from a title: "Pengantar Proyek!" -> "pengantar-proyek"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return value[:60].strip("-") or "modul"


def add_module(draft: CourseDraft, revision: int, user: User, title: str, minutes: int) -> str:
    modules = draft_modules(draft)
    if len(modules) >= MAX_MODULES:
        raise DomainError(N_("A course can have at most %(count)s modules."), count=MAX_MODULES)
    taken = {m.key for m in modules} | {MODULE_FILE.match(m.filename).group(2) for m in modules}
    key = base = slug(title)
    n = 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    files = dict(draft.files)
    files[f"{len(modules) + 1:02d}-{key}.md"] = compose_document(
        {"title": title.strip(), "minutes": minutes}, ""
    )
    save_draft(draft, revision, user, files)
    return key


def file_hash(text: str | None) -> str:
    """What an editor remembers of the file it opened (a missing file hashes as empty)."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:32]


def _save_one_file(
    draft: CourseDraft,
    revision: int | None,
    user: User,
    filename_in: Callable[[CourseDraft], str],
    change: Callable[[CourseDraft], dict[str, str]],
    base: str | None,
) -> int:
    """Save a change to one file of the draft (`change` gives the draft's files with it made).

    When co-authors saved the draft since the editor opened it but left this file as it was
    (its hash is still `base`), the change is made on top of their draft instead of refused: two
    people can write different modules at once. The same file changed by both stays a conflict.
    """
    try:
        return save_draft(draft, revision, user, change(draft))
    except DraftConflict:
        if not base:
            raise
        db.session.refresh(draft)
        if file_hash(draft.files.get(filename_in(draft))) != base:
            raise
        return save_draft(draft, draft.revision, user, change(draft))


def save_module(
    draft: CourseDraft,
    revision: int | None,
    user: User,
    key: str,
    title: str,
    minutes: int,
    body: str,
    base: str | None = None,
) -> int:
    def filename_in(current: CourseDraft) -> str:
        return _module_or_error(current, key).filename  # found by key: a reorder renames files

    def change(current: CourseDraft) -> dict[str, str]:
        module = _module_or_error(current, key)
        meta = {k: v for k, v in module.meta.items() if k not in ("title", "minutes")}
        files = dict(current.files)
        files[module.filename] = compose_document(
            {"title": title.strip(), "minutes": minutes, **meta}, body
        )
        return files

    return _save_one_file(draft, revision, user, filename_in, change, base)


def move_module(draft: CourseDraft, revision: int, user: User, key: str, offset: int) -> int:
    modules = draft_modules(draft)
    module = _module_or_error(draft, key)
    index = module.position - 1
    target = max(0, min(len(modules) - 1, index + offset))
    modules.insert(target, modules.pop(index))
    return save_draft(draft, revision, user, _renumbered(draft.files, modules))


def delete_module(draft: CourseDraft, revision: int, user: User, key: str) -> int:
    module = _module_or_error(draft, key)
    files = {n: t for n, t in draft.files.items() if n != module.filename}
    remaining = [m for m in draft_modules(draft) if m.key != key]
    return save_draft(draft, revision, user, _renumbered(files, remaining))


def _renumbered(files: dict[str, str], ordered: list[DraftModule]) -> dict[str, str]:
    """Module files renamed NN-slug.md in the given order; keys stay (they come from the slug)."""
    result = {n: t for n, t in files.items() if not MODULE_FILE.match(n)}
    for position, module in enumerate(ordered, start=1):
        slug_part = MODULE_FILE.match(module.filename).group(2)
        result[f"{position:02d}-{slug_part}.md"] = files[module.filename]
    return result


def _module_or_error(draft: CourseDraft, key: str) -> DraftModule:
    module = draft_module(draft, key)
    if module is None:
        raise DomainError(N_("The module no longer exists in the draft."))
    return module


def save_quiz(
    draft: CourseDraft, revision: int | None, user: User, text: str, base: str | None = None
) -> int:
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    def change(current: CourseDraft) -> dict[str, str]:
        return {**current.files, QUIZ_FILE: text}

    return _save_one_file(draft, revision, user, lambda _: QUIZ_FILE, change, base)


def save_pretest(
    draft: CourseDraft, revision: int | None, user: User, text: str, base: str | None = None
) -> int:
    """The optional pre-test: saving an empty text removes pretest.md from the draft."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    def change(current: CourseDraft) -> dict[str, str]:
        files = dict(current.files)
        if text.strip():
            files[PRETEST_FILE] = text
        else:
            files.pop(PRETEST_FILE, None)
        return files

    return _save_one_file(draft, revision, user, lambda _: PRETEST_FILE, change, base)


def add_asset(
    draft: CourseDraft, revision: int, user: User, filename: str, data: bytes, max_bytes: int
) -> str:
    """Store an uploaded image or PDF in the draft; the same name replaces the earlier file."""
    name = asset_rules.normalise_asset_name(filename or "")
    if name is None:
        raise DomainError(
            N_("The file name %(name)s cannot be used; name it like diagram-1.png."),
            name=filename,
        )
    media_type, problems = asset_rules.check_asset(name, data, max_bytes)
    if problems:
        raise PackageInvalid(problems)
    assets = dict(draft.assets)
    assets[name] = {"sha256": file_store.store(data), "type": media_type, "size": len(data)}
    save_draft(draft, revision, user, dict(draft.files), assets)
    return name


def delete_asset(draft: CourseDraft, revision: int, user: User, name: str) -> int:
    assets = {n: a for n, a in draft.assets.items() if n != name}
    return save_draft(draft, revision, user, dict(draft.files), assets)


# --- Checking and publishing --------------------------------------------------------------


def check_draft(course: Course, draft: CourseDraft, asset_url=None) -> tuple[CoursePackage, list]:
    """Run the package validator on the draft: (package or None, problems)."""
    problems = ProblemList()
    kwargs = {"asset_url": asset_url} if asset_url else {}
    package = parse_package(
        draft.files, course.code, problems, draft.assets, known_competencies=known_codes(), **kwargs
    )
    if package is not None and package.code != course.code:
        problems.add(
            f"{course.code}/{COURSE_FILE}",
            2,
            N_("the code must stay %(code)s: a new code means a new course"),
            code=course.code,
        )
        package = None
    return (None if problems else package), list(problems)


def publish(course: Course, draft: CourseDraft, user: User, note: str | None) -> ImportOutcome:
    """Validate the whole draft and publish it as a new immutable version (no-op if unchanged)."""
    package, problems = check_draft(course, draft)
    if problems:
        raise DraftInvalid(problems)
    outcome = import_package(package, note=(note or "").strip() or None, created_by_id=user.id)
    if course.archived:
        course.archived = False
    return outcome


def version(course: Course, number: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id, CourseVersion.number == number
        )
    )


def versions_of(course: Course) -> list[CourseVersion]:
    return list(
        db.session.scalars(
            select(CourseVersion)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc())
        )
    )


def roll_back(course: Course, number: int, user: User, note: str | None = None) -> ImportOutcome:
    """Publish version `number`'s content again as a new version; the draft follows it."""
    old = version(course, number)
    if old is None:
        raise DomainError(N_("Version %(number)s does not exist."), number=number)
    problems = ProblemList()
    package = parse_package(
        dict(old.source), course.code, problems, dict(old.assets or {}),
        known_competencies=known_codes(),
    )  # fmt: skip
    if package is None:
        raise DraftInvalid(list(problems))
    text = (note or "").strip() or f"Rollback to version {number}"
    outcome = import_package(package, note=text[:500], created_by_id=user.id)
    draft = draft_for(course)
    draft.files = dict(old.source)
    draft.assets = dict(old.assets or {})
    draft.revision += 1
    draft.updated_at = utcnow()
    draft.updated_by_id = user.id
    db.session.flush()
    return outcome


def discard_draft(course: Course, draft: CourseDraft, revision: int, user: User) -> int:
    """Reset the draft to the published version (nothing to reset to for a new course)."""
    version = course.current_version
    if version is None:
        raise DomainError(
            N_("The course has never been published: there is nothing to go back to.")
        )
    return save_draft(draft, revision, user, dict(version.source), dict(version.assets or {}))


def set_archived(course: Course, archived: bool) -> None:
    if not archived and course.current_version is None:
        raise DomainError(N_("Publish the course first."))
    course.archived = archived
    db.session.flush()


# --- Zip round trip -----------------------------------------------------------------------


def export_archive(files: dict[str, str], assets: dict[str, dict]) -> bytes:
    return write_package_zip(
        dict(files), {name: file_store.read(a["sha256"]) for name, a in assets.items()}
    )


def import_archive(
    user: User, data: bytes, filename: str, note: str | None, replace_draft: bool, max_asset: int
) -> tuple[Course, ImportOutcome]:
    """Validate a course .zip as `import-courses` would, then publish it; all or nothing."""
    folder = re.sub(r"\.zip$", "", filename or "course.zip", flags=re.IGNORECASE) or "course"
    files, asset_data, problems = read_package_zip(data, max_asset_bytes=max_asset)
    if problems:
        raise PackageInvalid(problems)
    parsed = ProblemList()
    types = {name: asset_rules.sniff_media_type(blob) for name, blob in asset_data.items()}
    package = parse_package(
        files, folder, parsed, describe_assets(asset_data, types), known_competencies=known_codes()
    )
    if package is None:
        raise PackageInvalid(list(parsed))
    package.asset_data = asset_data
    course = db.session.scalar(
        select(Course).where(func.upper(Course.code) == package.code.upper())
    )
    if course is not None:
        if course.code != package.code:
            raise CourseCodeTaken(code=course.code)
        if not can_edit(user, course):
            raise NotAnAuthor(code=course.code)
        draft = db.session.get(CourseDraft, course.id)
        if draft is not None and has_unpublished_changes(course, draft) and not replace_draft:
            raise UnpublishedChanges(code=course.code)
    text = (note or "").strip() or f"Imported from {filename}"
    outcome = import_package(package, note=text[:500], created_by_id=user.id)
    if course is None:
        course = db.session.scalar(select(Course).where(Course.code == package.code))
        db.session.add(CourseAuthor(course_id=course.id, user_id=user.id, is_owner=True))
    draft = draft_for(course)
    draft.files = dict(package.files)
    draft.assets = dict(package.assets)
    draft.revision += 1
    draft.updated_at = utcnow()
    draft.updated_by_id = user.id
    db.session.flush()
    return course, outcome
