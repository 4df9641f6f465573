"""YAML front matter: split a Markdown file into its metadata and its body, keeping line numbers.

Line numbers are 1-based and refer to the whole file, so problems point where a trainer looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from lms.content.problems import N_, ProblemList

_FENCE = "---"


@dataclass
class Document:
    meta: dict
    body: str
    body_line: int  # line number of the body's first line
    meta_lines: list[str]
    broken: bool = False  # the front matter could not be read: field checks would only add noise

    def line_of(self, key: str) -> int:
        """The line where `key:` is written in the front matter (or the opening line)."""
        pattern = re.compile(rf"^{re.escape(key)}\s*:")
        for i, line in enumerate(self.meta_lines):
            if pattern.match(line):
                return i + 2
        return 1


def read_document(text: str, path: str, problems: ProblemList, required: bool = True) -> Document:
    """Split front matter from body; record a problem (and return empty meta) when it is broken."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != _FENCE:
        if required:
            problems.add(path, 1, N_("the file must start with front matter between --- lines"))
        return Document({}, "\n".join(lines), 1, [], broken=required)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        problems.add(path, 1, N_("the front matter is not closed by a --- line"))
        return Document({}, "", len(lines), [], broken=True)
    meta_lines = lines[1:end]
    body = "\n".join(lines[end + 1 :])
    try:
        meta = yaml.safe_load("\n".join(meta_lines)) or {}
    except yaml.YAMLError as exc:
        # Where the broken construct began (an unclosed bracket) helps more than where YAML gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        problems.add(path, line, N_("front matter is not valid YAML: %(reason)s"), reason=reason)
        return Document({}, body, end + 2, meta_lines, broken=True)
    if not isinstance(meta, dict):
        problems.add(path, 2, N_("front matter must be a list of `name: value` lines"))
        return Document({}, body, end + 2, meta_lines, broken=True)
    return Document(meta, body, end + 2, meta_lines)
