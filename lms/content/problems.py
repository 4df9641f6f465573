"""Problems found while reading a course package: what is wrong, in which file, on which line.

Messages are English templates marked with N_ so the UI can translate them (see babel.cfg).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark a message template for translation without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    template: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ProblemList(list):
    """Collects problems for one file at a time."""

    def add(self, path: str, line: int | None, template: str, **params) -> None:
        self.append(Problem(path, line, template, params))


class PackageInvalid(Exception):
    """Raised by importers when a package has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in course package")
        self.problems = problems
