"""The competency rules: evidenced levels, gaps, recommendation order, JP to close gaps."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.competency import rules
from lms.competency.rules import CourseOffer, EmployeeGaps, Evidence, Gap


def evidence(code: str, level: int, course: str, day: int) -> Evidence:
    when = datetime(2026, 3, day, tzinfo=UTC)
    return Evidence(code, level, course, f"Kursus {course}", 1, when, f"NO-{course}")


def test_the_evidenced_level_is_the_highest_over_completions():
    """Does a later, lower-level course leave the level at the highest one evidenced?"""
    items = [
        evidence("T-SURVKES", 2, "A", 1),
        evidence("T-SURVKES", 1, "B", 9),
        evidence("M3", 1, "A", 1),
        evidence("M3", 3, "C", 5),
    ]
    assert rules.evidenced_levels(items) == {"T-SURVKES": 2, "M3": 3}
    assert rules.evidenced_levels([]) == {}
    grouped = rules.evidence_by_code(items)
    assert [e.course_code for e in grouped["T-SURVKES"]] == ["A", "B"]  # strongest first
    assert [e.course_code for e in grouped["M3"]] == ["C", "A"]


def test_evidence_of_the_same_level_lists_the_most_recent_first():
    items = [evidence("M1", 2, "OLD", 1), evidence("M1", 2, "NEW", 20)]
    assert [e.course_code for e in rules.evidence_by_code(items)["M1"]] == ["NEW", "OLD"]


def test_a_gap_is_every_required_competency_below_its_level():
    """Is a met or exceeded requirement no gap, and a missing competency a gap from level 0?"""
    required = {"M1": 3, "M3": 2, "T-SURVKES": 2, "SK1": 1}
    current = {"M3": 1, "T-SURVKES": 2, "SK1": 4, "M8": 5}
    found = rules.gaps(required, current)
    assert found == [Gap("M3", 2, 1), Gap("M1", 3, 0)]  # nearest gap first
    assert [g.difference for g in found] == [1, 3]
    assert rules.gaps({}, current) == []
    assert rules.gaps({"M2": 2}, {}) == [Gap("M2", 2, 0)]


def test_gaps_of_the_same_size_are_ordered_by_code():
    assert [g.code for g in rules.gaps({"M5": 2, "M2": 2}, {})] == ["M2", "M5"]


def course(course_id: int, code: str, jp: float, **levels: int) -> CourseOffer:
    levels = {k.replace("_", "-"): v for k, v in levels.items()}
    return CourseOffer(course_id, code, f"Kursus {code}", jp, levels)


def test_a_course_closes_a_gap_only_at_the_required_level_or_above():
    gap = Gap("M3", 3, 1)
    assert course(1, "A", 2, M3=3).closes(gap)
    assert course(1, "A", 2, M3=4).closes(gap)
    assert not course(1, "A", 2, M3=2).closes(gap)  # narrows the gap, does not close it
    assert not course(1, "A", 2, M1=5).closes(gap)


def test_recommendations_come_nearest_gap_first():
    """Does the course closing the smallest gap come first, whatever its JP or title?"""
    person_gaps = [Gap("M1", 3, 0), Gap("M3", 2, 1)]  # gaps of 3 and 1
    courses = [
        course(1, "A-BIG", 2, M1=3),  # closes the gap of 3 only
        course(2, "Z-NEAR", 10, M3=2),  # closes the gap of 1
    ]
    assert [r.course.code for r in rules.recommend(person_gaps, courses)] == ["Z-NEAR", "A-BIG"]


def test_recommendation_ties_go_to_more_gaps_then_fewer_jp_then_title():
    person_gaps = [Gap("M3", 2, 1), Gap("M1", 3, 0), Gap("M5", 2, 1)]
    courses = [
        course(1, "D", 2, M3=2),
        course(2, "C", 6, M3=3, M1=3),  # closes two gaps, nearest 1
        course(3, "B", 2, M5=2),  # same as D: the title decides
        course(4, "E", 1, M5=2),  # fewer JP than B and D
    ]
    found = rules.recommend(person_gaps, courses)
    assert [r.course.code for r in found] == ["C", "E", "B", "D"]
    assert [g.code for g in found[0].closes] == ["M3", "M1"]


def test_recommendations_leave_out_completed_courses_and_those_closing_nothing():
    person_gaps = [Gap("M3", 2, 1)]
    courses = [course(1, "DONE", 1, M3=2), course(2, "LOW", 1, M3=1), course(3, "OK", 3, M3=2)]
    found = rules.recommend(person_gaps, courses, completed_course_ids={1})
    assert [r.course.code for r in found] == ["OK"]
    assert rules.recommend([], courses) == []


def test_recommendations_are_capped():
    person_gaps = [Gap("M3", 2, 0)]
    courses = [course(i, f"K{i:02d}", 1, M3=2) for i in range(10)]
    assert len(rules.recommend(person_gaps, courses)) == rules.RECOMMENDATIONS
    assert len(rules.recommend(person_gaps, courses, limit=2)) == 2


def test_the_cheapest_closing_course_has_the_fewest_jp():
    gap = Gap("T-SURVKES", 2, 0)
    courses = [
        course(1, "MAHAL", 8, T_SURVKES=3),
        course(2, "MURAH", 2, T_SURVKES=2),
        course(3, "KURANG", 1, T_SURVKES=1),
    ]
    assert rules.cheapest_course(gap, courses).code == "MURAH"
    assert rules.cheapest_course(gap, courses, completed_course_ids={2}).code == "MAHAL"
    assert rules.cheapest_course(Gap("M6", 2, 0), courses) is None


def test_jp_to_close_sums_the_cheapest_course_per_employee_with_the_gap():
    """Per competency: how many are below, how many a course can lift, and the JP it takes."""
    courses = [
        course(1, "KOM-1", 2, M3=2),
        course(2, "KOM-2", 6, M3=3, M1=3),
        course(3, "SURV", 4, T_SURVKES=2),
    ]
    employees = [
        EmployeeGaps((Gap("M3", 2, 1), Gap("M1", 3, 0))),
        EmployeeGaps((Gap("M3", 3, 0), Gap("T-SURVKES", 2, 1))),  # M3 3: only KOM-2 closes it
        EmployeeGaps((Gap("M3", 2, 0),), frozenset({1})),  # completed KOM-1 already
        EmployeeGaps((Gap("M6", 2, 0),)),  # no course develops M6
        EmployeeGaps(()),  # meets every requirement
    ]
    lines = {line.code: line for line in rules.training_needs(employees, courses)}
    assert (lines["M3"].employees_below, lines["M3"].closable, lines["M3"].jp_to_close) == (
        3, 3, 2 + 6 + 6,
    )  # fmt: skip
    assert (lines["M1"].employees_below, lines["M1"].jp_to_close) == (1, 6)
    assert (lines["T-SURVKES"].employees_below, lines["T-SURVKES"].jp_to_close) == (1, 4)
    assert (lines["M6"].closable, lines["M6"].without_course, lines["M6"].jp_to_close) == (0, 1, 0)
    ordered = [line.code for line in rules.training_needs(employees, courses)]
    assert ordered == ["M3", "M1", "M6", "T-SURVKES"]  # most employees first, then code


def test_jp_progress_is_a_capped_percentage():
    assert rules.jp_progress(5, 20) == 25.0
    assert rules.jp_progress(30, 20) == 100.0
    assert rules.jp_progress(0, 20) == 0.0
    assert rules.jp_progress(3, 0) == 100.0
