"""Course packages: a folder with course.md, numbered module files, quiz.md and pretest.md.

`read_package` reads and validates one folder; `read_packages` a folder of them. Both return
every problem found (file and line) rather than stopping at the first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from lms.content.assets import ASSET_FOLDER, check_asset
from lms.content.frontmatter import Document, read_document
from lms.content.problems import N_, Problem, ProblemList
from lms.content.quiz import parse_quiz
from lms.content.rendering import render_document
from lms.content.vocabulary import CATEGORIES, is_known_competency_code

COURSE_FILE = "course.md"
QUIZ_FILE = "quiz.md"
PRETEST_FILE = "pretest.md"  # optional: same syntax as quiz.md, not counted for completion
MODULE_FILE = re.compile(r"^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
COURSE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,31}$")
MODULE_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1_000_000


@dataclass
class Module:
    key: str
    filename: str
    position: int
    title: str
    minutes: int
    source: str
    html: str
    toc_html: str


@dataclass
class CoursePackage:
    folder: str
    code: str
    title: str
    summary: str
    category: str
    jp: float
    competencies: list[dict]
    pass_mark: int
    max_attempts: int
    jenis_diklat: int
    intro_html: str
    modules: list[Module]
    quiz: dict
    content_hash: str
    files: dict[str, str] = field(repr=False)  # file name -> Markdown source, for round trips
    # asset name -> {"sha256", "type", "size"}; the bytes travel in asset_data when read from
    # a folder or a zip, and are already in the file store when they come from a draft.
    assets: dict[str, dict] = field(default_factory=dict, repr=False)
    asset_data: dict[str, bytes] = field(default_factory=dict, repr=False)
    pretest: dict | None = None  # the parsed pretest.md, when the package has one

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


def module_url(code: str, key: str) -> str:
    return f"/courses/{code}/modules/{key}"


def published_asset_url(code: str, name: str) -> str:
    return f"/courses/{code}/files/{name}"


def content_hash(files: dict[str, str], assets: dict[str, dict] | None = None) -> str:
    """One hash for the whole package: Markdown text and the bytes (by hash) of every asset."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    for name in sorted(assets or {}):
        digest.update(f"assets/{name}".encode() + b"\0" + assets[name]["sha256"].encode() + b"\0")
    return digest.hexdigest()


def find_course_folders(path: Path) -> list[Path]:
    if (path / COURSE_FILE).is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / COURSE_FILE).is_file())


def read_packages(
    path: str | Path, known_competencies: Collection[str] | None = None
) -> tuple[list[CoursePackage], list[Problem]]:
    """Read every course folder under `path`; also checks that course codes are unique.

    `known_competencies` is the competency dictionary's codes (see `parse_package`).
    """
    root = Path(path)
    problems: list[Problem] = []
    folders = find_course_folders(root)
    if not folders:
        problems.append(
            Problem(
                str(root),
                None,
                N_("no course found: expected course.md here or in its sub-folders"),
            )
        )
        return [], problems
    packages: list[CoursePackage] = []
    seen: dict[str, str] = {}
    for folder in folders:
        package, found = read_package(folder, known_competencies)
        problems.extend(found)
        if package is None:
            continue
        key = package.code.upper()
        if key in seen:
            problems.append(
                Problem(
                    str(folder / COURSE_FILE),
                    2,
                    N_("duplicate course code %(code)s (also in %(other)s)"),
                    {"code": package.code, "other": seen[key]},
                )
            )
            continue
        seen[key] = str(folder)
        packages.append(package)
    return packages, problems


def read_files(folder: Path, problems: ProblemList) -> dict[str, str]:
    files: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.suffix != ".md":
            continue
        if p.stat().st_size > MAX_FILE_BYTES:
            problems.add(str(p), None, N_("the file is larger than 1 MB"))
            continue
        try:
            files[p.name] = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.add(
                str(p), None, N_("the file is not UTF-8 text (byte %(pos)s)"), pos=exc.start
            )
    return files


def read_package(
    folder: str | Path, known_competencies: Collection[str] | None = None
) -> tuple[CoursePackage | None, list[Problem]]:
    folder = Path(folder)
    problems = ProblemList()
    if not (folder / COURSE_FILE).is_file():
        problems.add(str(folder), None, N_("course.md is missing"))
        return None, problems
    files = read_files(folder, problems)
    assets, asset_data = read_assets(folder, problems)
    package = parse_package(
        files, str(folder), problems, assets, known_competencies=known_competencies
    )
    if package is not None:
        package.asset_data = asset_data
    return (package if not problems else None), problems


def read_assets(folder: Path, problems: ProblemList) -> tuple[dict[str, dict], dict[str, bytes]]:
    """The files under `folder/assets/`, checked by their bytes: (descriptions, bytes)."""
    data: dict[str, bytes] = {}
    types: dict[str, str] = {}
    root = folder / ASSET_FOLDER
    if not root.is_dir():
        return {}, {}
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        blob = p.read_bytes()
        media_type, found = check_asset(p.name, blob, path=str(p))
        problems.extend(found)
        if media_type is not None:
            data[p.name], types[p.name] = blob, media_type
    return describe_assets(data, types), data


def describe_assets(data: dict[str, bytes], types: dict[str, str]) -> dict[str, dict]:
    return {
        name: {
            "sha256": hashlib.sha256(blob).hexdigest(),
            "type": types[name],
            "size": len(blob),
        }
        for name, blob in data.items()
    }


def parse_package(
    files: dict[str, str],
    folder: str,
    problems: ProblemList,
    assets: dict[str, dict] | None = None,
    asset_url: Callable[[str, str], str] = published_asset_url,
    known_competencies: Collection[str] | None = None,
) -> CoursePackage | None:
    """Validate and parse a package given as {file name: text}. Pure: no file system access.

    `assets` describes the package's files under assets/ ({name: {"sha256", "type", "size"}});
    `asset_url(code, name)` is where rendered HTML points for them (the authoring preview
    points at the draft's copy). `known_competencies` are the codes a course may declare (the
    portal's competency dictionary); None accepts the built-in codes and any T-... code.
    """
    assets = dict(assets or {})
    digest = content_hash(files, assets)
    course_path = f"{folder}/{COURSE_FILE}"
    if COURSE_FILE not in files:
        problems.add(course_path, None, N_("course.md is missing"))
        return None
    doc = read_document(files[COURSE_FILE], course_path, problems)
    meta = _course_meta(doc, course_path, problems, known_competencies)

    module_names: dict[str, str] = {}  # file name -> key
    numbered: list[tuple[int, str]] = []
    for name in files:
        if name in (COURSE_FILE, QUIZ_FILE, PRETEST_FILE):
            continue
        m = MODULE_FILE.match(name)
        if not m:
            problems.add(
                f"{folder}/{name}",
                None,
                N_("unexpected file name; modules are named like 01-introduction.md"),
            )
            continue
        numbered.append((int(m.group(1)), name))
    numbered.sort()
    seen_numbers: dict[int, str] = {}
    for number, name in numbered:
        if number in seen_numbers:
            problems.add(
                f"{folder}/{name}",
                None,
                N_("duplicate module number %(number)s (also %(other)s)"),
                number=number,
                other=seen_numbers[number],
            )
        seen_numbers[number] = name
    if not numbered:
        problems.add(
            folder, None, N_("the course has no module (files named like 01-introduction.md)")
        )

    code = meta.get("code") or ""
    docs: dict[str, Document] = {}
    seen_keys: dict[str, str] = {}
    for _, name in numbered:
        path = f"{folder}/{name}"
        mdoc = read_document(files[name], path, problems)
        docs[name] = mdoc
        key = mdoc.meta.get("id", MODULE_FILE.match(name).group(2))
        if not isinstance(key, str) or not MODULE_KEY.match(key):
            problems.add(
                path, mdoc.line_of("id"), N_("id must use lowercase letters, digits and -")
            )
            key = MODULE_FILE.match(name).group(2)
        if key in seen_keys:
            problems.add(
                path, mdoc.line_of("id"), N_("duplicate module id %(key)s (also %(other)s)"),
                key=key, other=seen_keys[key],
            )  # fmt: skip
        seen_keys[key] = name
        module_names[name] = key

    def resolve(target: str) -> str | None:
        name = target.removeprefix("./")
        if name.startswith(f"{ASSET_FOLDER}/"):
            asset = name.removeprefix(f"{ASSET_FOLDER}/")
            return asset_url(code, asset) if asset in assets else None
        return module_url(code, module_names[name]) if name in module_names else None

    modules: list[Module] = []
    for position, (_, name) in enumerate(numbered, start=1):
        modules.append(
            _module(docs[name], name, module_names[name], position, folder, problems, resolve)
        )

    intro = render_document(doc.body, resolve)
    report_broken_links(intro.broken_links, doc.body, doc.body_line, course_path, problems)

    quiz: dict = {"questions": []}
    if QUIZ_FILE not in files:
        problems.add(
            f"{folder}/{QUIZ_FILE}", None, N_("quiz.md is missing: a course needs a final quiz")
        )
    else:
        quiz = parse_quiz(files[QUIZ_FILE], f"{folder}/{QUIZ_FILE}", problems, digest, resolve)
    pretest: dict | None = None
    if PRETEST_FILE in files:
        # Its own salt: option ids of the two quizzes never coincide.
        pretest = parse_quiz(
            files[PRETEST_FILE], f"{folder}/{PRETEST_FILE}", problems, f"{digest}:pretest", resolve
        )

    if problems:
        return None
    return CoursePackage(
        folder=folder,
        code=meta["code"],
        title=meta["title"],
        summary=meta["summary"],
        category=meta["category"],
        jp=meta["jp"],
        competencies=meta["competencies"],
        pass_mark=meta["pass_mark"],
        max_attempts=meta["max_attempts"],
        jenis_diklat=meta["jenis_diklat"],
        intro_html=intro.html,
        modules=modules,
        quiz=quiz,
        pretest=pretest,
        content_hash=digest,
        files=dict(files),
        assets=assets,
    )


def _module(doc: Document, name, key, position, folder, problems: ProblemList, resolve) -> Module:
    path = f"{folder}/{name}"
    title = None if doc.broken else _text(doc, "title", path, problems, 200)
    minutes = doc.meta.get("minutes")
    if doc.broken:
        pass
    elif "minutes" not in doc.meta:
        problems.add(path, 1, N_("missing field: %(field)s"), field="minutes")
    elif not _is_int(minutes) or not 1 <= minutes <= 600:
        problems.add(
            path, doc.line_of("minutes"), N_("minutes must be a whole number from 1 to 600")
        )
    if not doc.body.strip():
        problems.add(path, doc.body_line, N_("the module has no content"))
    rendered = render_document(doc.body, resolve)
    report_broken_links(rendered.broken_links, doc.body, doc.body_line, path, problems)
    for extra in sorted(set(doc.meta) - {"title", "minutes", "id"}):
        problems.add(path, doc.line_of(extra), N_("unknown field: %(field)s"), field=extra)
    return Module(
        key=key,
        filename=name,
        position=position,
        title=title or "",
        minutes=minutes if _is_int(minutes) else 0,
        source=doc.body,
        html=rendered.html,
        toc_html=rendered.toc_html,
    )


def report_broken_links(
    broken: list[str], body: str, first_line: int, path: str, problems: ProblemList
):
    lines = body.split("\n")
    for target in dict.fromkeys(broken):
        line = next((first_line + i for i, text in enumerate(lines) if target in text), first_line)
        if target.removeprefix("./").startswith(f"{ASSET_FOLDER}/"):
            template = N_("file not found in the course's assets: %(target)s")
        else:
            template = N_("link to a module that does not exist: %(target)s")
        problems.add(path, line, template, target=target)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(doc: Document, key: str, path: str, problems: ProblemList, limit: int) -> str | None:
    value = doc.meta.get(key)
    if key not in doc.meta:
        problems.add(path, 1, N_("missing field: %(field)s"), field=key)
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(path, doc.line_of(key), N_("%(field)s must be text"), field=key)
        return None
    if len(value) > limit:
        problems.add(
            path,
            doc.line_of(key),
            N_("%(field)s is longer than %(limit)s characters"),
            field=key,
            limit=limit,
        )
    return value.strip()


def _course_meta(
    doc: Document, path: str, problems: ProblemList, known_competencies: Collection[str] | None
) -> dict:
    meta: dict = {}
    if doc.broken:
        return meta
    code = _text(doc, "code", path, problems, 32)
    if code is not None and not COURSE_CODE.match(code):
        problems.add(
            path, doc.line_of("code"),
            N_("code must be 2 to 32 letters, digits or -, starting with a letter"),
        )  # fmt: skip
    meta["code"] = code
    meta["title"] = _text(doc, "title", path, problems, 200)
    meta["summary"] = _text(doc, "summary", path, problems, 500)
    category = _text(doc, "category", path, problems, 60)
    if category is not None and category not in CATEGORIES:
        problems.add(
            path, doc.line_of("category"),
            N_("unknown category %(value)s; use one of: %(known)s"),
            value=category, known=", ".join(CATEGORIES),
        )  # fmt: skip
    meta["category"] = category

    jp = doc.meta.get("jp")
    if "jp" not in doc.meta:
        problems.add(path, 1, N_("missing field: %(field)s"), field="jp")
    elif (
        isinstance(jp, bool)
        or not isinstance(jp, int | float)
        or not 0.5 <= jp <= 200
        or (jp * 2) % 1
    ):
        problems.add(
            path, doc.line_of("jp"), N_("jp must be a number from 0.5 to 200 in steps of 0.5")
        )
    else:
        meta["jp"] = float(jp)

    for key, low, high in (("pass_mark", 0, 100), ("max_attempts", 1, 20)):
        value = doc.meta.get(key)
        if key not in doc.meta:
            problems.add(path, 1, N_("missing field: %(field)s"), field=key)
        elif not _is_int(value) or not low <= value <= high:
            problems.add(
                path, doc.line_of(key),
                N_("%(field)s must be a whole number from %(low)s to %(high)s"),
                field=key, low=low, high=high,
            )  # fmt: skip
        else:
            meta[key] = value

    jenis = doc.meta.get("jenis_diklat", 16)
    if not _is_int(jenis) or not 1 <= jenis <= 99:
        problems.add(
            path,
            doc.line_of("jenis_diklat"),
            N_("jenis_diklat must be a SIASN jenisDiklatId number"),
        )
    meta["jenis_diklat"] = jenis

    meta["competencies"] = _competencies(doc, path, problems, known_competencies)
    known = {"code", "title", "summary", "category", "jp", "competencies", "pass_mark"}
    known |= {"max_attempts", "jenis_diklat"}
    for extra in sorted(set(doc.meta) - known):
        problems.add(path, doc.line_of(extra), N_("unknown field: %(field)s"), field=extra)
    return meta


def _competencies(
    doc: Document, path: str, problems: ProblemList, known: Collection[str] | None
) -> list[dict]:
    if "competencies" not in doc.meta:
        problems.add(path, 1, N_("missing field: %(field)s"), field="competencies")
        return []
    items = doc.meta["competencies"]
    line = doc.line_of("competencies")
    if items is None:
        items = []
    if not isinstance(items, list):
        problems.add(path, line, N_("competencies must be a list of items with code and level"))
        return []
    result: list[dict] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or set(item) != {"code", "level"}:
            problems.add(path, line, N_("each competency needs exactly `code` and `level`"))
            continue
        code, level = item["code"], item["level"]
        if isinstance(code, str) and known is not None and code not in known:
            problems.add(path, line, N_("unknown competency code %(code)s"), code=code)
            continue
        if not isinstance(code, str) or not is_known_competency_code(code):
            problems.add(
                path, line,
                N_("unknown competency code %(code)s; use M1..M8, SK1 or a technical code T-..."),
                code=code,
            )  # fmt: skip
            continue
        if not _is_int(level) or not 1 <= level <= 5:
            problems.add(path, line, N_("competency level must be 1 to 5 (%(code)s)"), code=code)
            continue
        if code in seen:
            problems.add(path, line, N_("competency %(code)s is listed twice"), code=code)
            continue
        seen.add(code)
        result.append({"code": code, "level": level})
    return result
