"""Differences between two states of a course package: which files changed, line by line.

Pure: takes {file name: Markdown} and {asset name: description} for each side.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class FileChange:
    name: str
    status: str  # "added", "removed" or "changed"
    lines: list[DiffLine] = field(default_factory=list)
    added: int = 0
    removed: int = 0


def diff_text(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    a, b = old.split("\n"), new.split("\n")
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", i + 1, j1 + k + 1, a[i]) for k, i in enumerate(range(i1, i2))
                ]
                continue
            lines += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return lines


def diff_packages(
    old_files: dict[str, str], old_assets: dict, new_files: dict[str, str], new_assets: dict
) -> list[FileChange]:
    """Every changed file, in package order (course.md, modules, quiz.md, then assets)."""
    changes: list[FileChange] = []
    for name in sorted(set(old_files) | set(new_files), key=_package_order):
        old, new = old_files.get(name), new_files.get(name)
        if old == new:
            continue
        lines = diff_text(old or "", new or "") if old is not None and new is not None else [
            DiffLine("added" if old is None else "removed",
                     None if old is None else i + 1, i + 1 if old is None else None, text)
            for i, text in enumerate((new if old is None else old).split("\n"))
        ]  # fmt: skip
        status = "added" if old is None else "removed" if new is None else "changed"
        changes.append(
            FileChange(
                name,
                status,
                lines,
                added=sum(line.kind == "added" for line in lines),
                removed=sum(line.kind == "removed" for line in lines),
            )
        )
    for name in sorted(set(old_assets) | set(new_assets)):
        old, new = old_assets.get(name), new_assets.get(name)
        if old and new and old["sha256"] == new["sha256"]:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        changes.append(FileChange(f"assets/{name}", status))
    return changes


def _package_order(name: str) -> tuple[int, str]:
    if name == "course.md":
        return (0, name)
    if name == "quiz.md":
        return (2, name)
    return (1, name)
