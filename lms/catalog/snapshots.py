"""Read-only snapshots of published course versions, cached in each worker process.

A published version never changes, so its modules (HTML already rendered at import) are kept in
memory by version id. Which version is current for a course code is re-read after a short TTL
(`LMS_CATALOG_TTL`, seconds), so a new import reaches every worker within that time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from lms.catalog.models import Course, CourseModule, CourseVersion, ModuleVersion
from lms.extensions import db

MAX_VERSIONS = 128  # versions kept per process; a version with its modules is a few hundred KB


@dataclass(frozen=True)
class ModuleSnapshot:
    key: str
    position: int
    title: str
    minutes: int
    html: str
    toc_html: str


@dataclass(frozen=True)
class VersionSnapshot:
    course_id: int
    code: str
    version_id: int
    number: int
    title: str
    category: str
    jp: float
    outline: tuple[dict, ...]
    modules: dict[str, ModuleSnapshot]

    @property
    def module_keys(self) -> list[str]:
        return [m["key"] for m in self.outline]


class SnapshotCache:
    def __init__(self, ttl: float):
        self.ttl = ttl
        self._current: dict[str, tuple[float, int | None]] = {}
        self._versions: OrderedDict[int, VersionSnapshot] = OrderedDict()
        self._lock = threading.Lock()

    def current_version_id(self, code: str) -> int | None:
        now = time.monotonic()
        hit = self._current.get(code)
        if hit is not None and hit[0] > now:
            return hit[1]
        version_id = db.session.scalar(
            select(Course.current_version_id).where(Course.code == code, Course.archived.is_(False))
        )
        if self.ttl > 0:
            self._current[code] = (now + self.ttl, version_id)
        return version_id

    def forget(self, code: str) -> None:
        """Re-read which version is current on the next request (this worker just changed it)."""
        self._current.pop(code, None)

    def version(self, version_id: int) -> VersionSnapshot:
        with self._lock:
            snapshot = self._versions.get(version_id)
            if snapshot is not None:
                self._versions.move_to_end(version_id)
                return snapshot
        snapshot = _load(version_id)
        with self._lock:
            self._versions[version_id] = snapshot
            while len(self._versions) > MAX_VERSIONS:
                self._versions.popitem(last=False)
        return snapshot


def _load(version_id: int) -> VersionSnapshot:
    version = db.session.get(CourseVersion, version_id)
    rows = db.session.execute(
        select(ModuleVersion, CourseModule.key)
        .join(CourseModule, CourseModule.id == ModuleVersion.module_id)
        .where(ModuleVersion.course_version_id == version_id)
    ).all()
    modules = {
        key: ModuleSnapshot(key, m.position, m.title, m.minutes, m.html, m.toc_html)
        for m, key in rows
    }
    return VersionSnapshot(
        course_id=version.course_id,
        code=version.course.code,
        version_id=version.id,
        number=version.number,
        title=version.title,
        category=version.category,
        jp=version.jp,
        outline=tuple(
            {**m, "href": url_for("learning.module", code=version.course.code, key=m["key"])}
            for m in version.outline
        ),
        modules=modules,
    )


def cache() -> SnapshotCache:
    extensions = current_app.extensions
    if "lms_snapshots" not in extensions:
        extensions["lms_snapshots"] = SnapshotCache(float(current_app.config["LMS_CATALOG_TTL"]))
    return extensions["lms_snapshots"]


def published_snapshot(code: str) -> VersionSnapshot | None:
    version_id = cache().current_version_id(code)
    return cache().version(version_id) if version_id is not None else None
