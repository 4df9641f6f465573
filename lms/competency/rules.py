"""The competency rules as pure functions: evidenced levels, gaps, recommendations, training needs.

No Flask, no database: services load the facts (completions, requirements, published courses)
and these functions decide. The choices, as the pages explain them:

- The level a person has evidenced for a competency is the highest level of that competency
  among the courses they completed (the version they completed); no course means level 0.
- A gap is a required competency whose evidenced level is below the required level.
- A course *closes* a gap when it develops that competency at the required level or higher.
  Only courses that close a gap are recommended: one that merely narrows it is not enough
  to meet the position's requirement.
- "Nearest gap first": recommendations are ordered by the smallest gap they close (required
  minus current level: a gap of 1 before a gap of 3), then by how many gaps they close (more
  first), then by JP (fewer first), then by title. Completed courses are never recommended.
- The JP to close a competency's gaps sums, over every employee with that gap, the JP of the
  cheapest published course that closes it for them (fewest JP, then title); an employee whose
  gap no course closes counts as "no course yet" and adds no JP.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

RECOMMENDATIONS = 5


@dataclass(frozen=True)
class Evidence:
    """One completed course version that develops a competency at a level."""

    code: str  # competency code
    level: int
    course_code: str
    course_title: str
    course_version: int
    completed_at: datetime
    certificate_no: str


def evidenced_levels(evidence: Iterable[Evidence]) -> dict[str, int]:
    """The highest level evidenced per competency code."""
    levels: dict[str, int] = {}
    for item in evidence:
        if item.level > levels.get(item.code, 0):
            levels[item.code] = item.level
    return levels


def evidence_by_code(evidence: Iterable[Evidence]) -> dict[str, list[Evidence]]:
    """The evidence per competency, strongest first (highest level, then most recent)."""
    grouped: dict[str, list[Evidence]] = {}
    for item in evidence:
        grouped.setdefault(item.code, []).append(item)
    for items in grouped.values():
        items.sort(key=lambda e: (-e.level, -e.completed_at.timestamp(), e.course_code))
    return grouped


@dataclass(frozen=True)
class Gap:
    code: str
    required: int
    current: int  # 0 when nothing is evidenced

    @property
    def difference(self) -> int:
        return self.required - self.current


def gaps(required: Mapping[str, int], current: Mapping[str, int]) -> list[Gap]:
    """Every required competency below its required level, nearest gap first, then by code."""
    found = [
        Gap(code, level, current.get(code, 0))
        for code, level in required.items()
        if current.get(code, 0) < level
    ]
    return sorted(found, key=lambda g: (g.difference, g.code))


@dataclass(frozen=True)
class CourseOffer:
    """A published course as the rules see it: what it develops and what it costs in JP."""

    course_id: int
    code: str
    title: str
    jp: float
    levels: Mapping[str, int] = field(default_factory=dict)  # competency code -> level

    def closes(self, gap: Gap) -> bool:
        return self.levels.get(gap.code, 0) >= gap.required


@dataclass(frozen=True)
class Recommendation:
    course: CourseOffer
    closes: tuple[Gap, ...]  # the gaps it closes, nearest first


def _title_key(course: CourseOffer) -> tuple:
    return (course.title.casefold(), course.code)


def recommend(
    person_gaps: Iterable[Gap],
    courses: Iterable[CourseOffer],
    completed_course_ids: Collection[int] = (),
    limit: int = RECOMMENDATIONS,
) -> list[Recommendation]:
    """Courses that close at least one gap, nearest gap first (see the module docstring)."""
    ordered_gaps = sorted(person_gaps, key=lambda g: (g.difference, g.code))
    found: list[Recommendation] = []
    for course in courses:
        if course.course_id in completed_course_ids:
            continue
        closed = tuple(g for g in ordered_gaps if course.closes(g))
        if closed:
            found.append(Recommendation(course, closed))
    found.sort(
        key=lambda r: (r.closes[0].difference, -len(r.closes), r.course.jp, *_title_key(r.course))
    )
    return found[:limit]


def cheapest_course(
    gap: Gap, courses: Iterable[CourseOffer], completed_course_ids: Collection[int] = ()
) -> CourseOffer | None:
    """The course with the fewest JP that closes the gap (ties: by title), or None."""
    closing = [c for c in courses if c.course_id not in completed_course_ids and c.closes(gap)]
    return min(closing, key=lambda c: (c.jp, *_title_key(c)), default=None)


@dataclass(frozen=True)
class EmployeeGaps:
    gaps: tuple[Gap, ...]
    completed_course_ids: frozenset[int] = frozenset()


@dataclass
class NeedLine:
    """One competency in the training-needs analysis."""

    code: str
    employees_below: int = 0  # employees whose evidenced level is below their requirement
    closable: int = 0  # of those, how many a published course can bring to the requirement
    jp_to_close: float = 0.0  # sum of the cheapest closing course's JP over those employees

    @property
    def without_course(self) -> int:
        return self.employees_below - self.closable


def training_needs(
    employees: Iterable[EmployeeGaps], courses: Iterable[CourseOffer]
) -> list[NeedLine]:
    """Per competency: employees below requirement and the JP that would close their gaps.

    Ordered by the number of employees below requirement (most first), then by code.
    """
    offers = list(courses)
    by_code: dict[str, list[CourseOffer]] = {}
    for course in offers:
        for code in course.levels:
            by_code.setdefault(code, []).append(course)
    lines: dict[str, NeedLine] = {}
    cheapest: dict[tuple[str, int], CourseOffer | None] = {}
    for employee in employees:
        for gap in employee.gaps:
            line = lines.setdefault(gap.code, NeedLine(gap.code))
            line.employees_below += 1
            candidates = by_code.get(gap.code, [])
            if employee.completed_course_ids & {c.course_id for c in candidates}:
                course = cheapest_course(gap, candidates, employee.completed_course_ids)
            else:  # the common case, the same for everyone with this requirement: computed once
                key = (gap.code, gap.required)
                if key not in cheapest:
                    cheapest[key] = cheapest_course(gap, candidates)
                course = cheapest[key]
            if course is not None:
                line.closable += 1
                line.jp_to_close += course.jp
    return sorted(lines.values(), key=lambda line: (-line.employees_below, line.code))


def jp_progress(jp: float, target: float) -> float:
    """Percent of the yearly JP target reached, capped at 100."""
    if target <= 0:
        return 100.0
    return round(min(100.0, 100 * jp / target), 1)
