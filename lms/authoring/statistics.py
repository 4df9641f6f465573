"""Course statistics for its trainer: uptake, completion, scores and time taken, and which
questions learners get wrong and which modules they stop at, so the trainer knows what to improve.

Counts run in SQL; Python only folds each learner's latest quiz results (one row per learner).
Rates and shares are percentages (0..100), as in the HR report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

from sqlalchemy import extract, func, select

from lms.catalog.models import Course, CourseModule, CourseVersion
from lms.extensions import db
from lms.learning.models import Completion, Enrolment, ModuleProgress
from lms.quiz.models import FINAL, QuizAttempt
from lms.reports.gain import GainFigure, for_course
from lms.reports.queries import CompletionFilter
from lms.reports.summaries import _median_score

LABEL_LENGTH = 120


@dataclass(frozen=True)
class QuestionStatistics:
    """One question of the current version's quiz, over each learner's latest attempt on it."""

    key: str
    position: int  # 1-based, in the quiz as written
    kind: str
    label: str  # plain text (tags stripped, entities decoded): escape it when printing
    answered: int  # learners whose latest attempt on the current version graded it
    right_share: float | None  # % of them who earned all of its points
    partly_share: float | None  # % who earned some but not all
    average_credit: float | None  # average % of its points earned

    @property
    def wrong_share(self) -> float | None:
        if self.right_share is None or self.partly_share is None:
            return None
        return max(0.0, 100 - self.right_share - self.partly_share)


@dataclass(frozen=True)
class ModuleStatistics:
    """One module of the current version: how many enrolled learners marked it done."""

    key: str
    position: int
    title: str
    done: int
    done_share: float | None  # % of enrolments


@dataclass(frozen=True)
class CourseStatistics:
    """Over all versions of the course, except `questions` and `modules` (current version)."""

    enrolments: int
    completions: int
    completion_rate: float | None  # % of enrolments; None when nobody enrolled
    median_score: float | None
    median_time_to_complete: timedelta | None  # enrolment to completion
    attempts: int  # quiz attempts submitted
    passed_attempts: int
    pass_rate: float | None  # % of submitted attempts
    version_number: int | None  # the current version the per-question figures describe
    quiz_learners: int  # learners with a submitted attempt on the current version
    questions: tuple[QuestionStatistics, ...]  # hardest first; unanswered ones last
    modules: tuple[ModuleStatistics, ...]  # in course order
    # Pre-test to final score over every completion whose learner took the pre-test.
    gain: GainFigure | None = None


def course_statistics(course: Course) -> CourseStatistics:
    enrolments = db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.course_id == course.id)
    )
    completions = db.session.scalar(
        select(func.count(Completion.id)).where(Completion.course_id == course.id)
    )
    attempts, passed = db.session.execute(
        select(
            func.count(QuizAttempt.id),
            func.count(QuizAttempt.id).filter(QuizAttempt.passed.is_(True)),
        ).where(
            QuizAttempt.course_id == course.id,
            QuizAttempt.kind == FINAL,
            QuizAttempt.submitted_at.is_not(None),
        )
    ).one()
    version = course.current_version
    latest = _latest_results(course.id, version.id) if version is not None else []
    return CourseStatistics(
        enrolments=enrolments,
        completions=completions,
        completion_rate=_percent(completions, enrolments),
        median_score=_median_score(
            CompletionFilter(course_code=course.code), course.code, completions
        ),
        median_time_to_complete=_median_time_to_complete(course.id, completions),
        attempts=attempts,
        passed_attempts=passed,
        pass_rate=_percent(passed, attempts),
        version_number=version.number if version is not None else None,
        quiz_learners=len(latest),
        questions=_questions(version, latest) if version is not None else (),
        modules=_modules(course.id, version, enrolments) if version is not None else (),
        gain=for_course(course.code),
    )


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _seconds_taken():
    """Seconds from enrolment to completion as SQL: SQLite stores text, PostgreSQL timestamps."""
    if db.session.get_bind().dialect.name == "sqlite":
        days = func.julianday(Completion.completed_at) - func.julianday(Completion.enrolled_at)
        return days * 86400.0
    return extract("epoch", Completion.completed_at - Completion.enrolled_at)


def _median_time_to_complete(course_id: int, count: int) -> timedelta | None:
    """Read the one or two middle durations by position, as the report's median score does."""
    if not count:
        return None
    seconds = _seconds_taken()
    ordered = select(seconds).where(Completion.course_id == course_id).order_by(seconds)
    middle = [
        float(s)
        for s in db.session.scalars(
            ordered.offset((count - 1) // 2).limit(2 if count % 2 == 0 else 1)
        )
    ]
    # Whole seconds: SQLite's julianday arithmetic is exact only to a few milliseconds.
    return timedelta(seconds=round(sum(middle) / len(middle)))


def _latest_results(course_id: int, version_id: int) -> list[dict]:
    """Each learner's latest submitted attempt on this version: a retry replaces, not adds."""
    on_version = (
        QuizAttempt.course_id == course_id,
        QuizAttempt.course_version_id == version_id,
        QuizAttempt.kind == FINAL,
        QuizAttempt.submitted_at.is_not(None),
    )
    latest = (
        select(QuizAttempt.user_id, func.max(QuizAttempt.number).label("number"))
        .where(*on_version)
        .group_by(QuizAttempt.user_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(QuizAttempt.results)
        .join(
            latest,
            (latest.c.user_id == QuizAttempt.user_id) & (latest.c.number == QuizAttempt.number),
        )
        .where(*on_version)
    )
    return [results or {} for results in rows]


def _questions(version: CourseVersion, latest: list[dict]) -> tuple[QuestionStatistics, ...]:
    lines = []
    for position, q in enumerate(version.quiz.get("questions", []), start=1):
        fractions = [float(r[q["key"]]) for r in latest if q["key"] in r]
        answered = len(fractions)
        lines.append(
            QuestionStatistics(
                key=q["key"],
                position=position,
                kind=q["kind"],
                label=question_label(q.get("prompt_html", "")),
                answered=answered,
                right_share=_percent(sum(1 for f in fractions if f >= 1), answered),
                partly_share=_percent(sum(1 for f in fractions if 0 < f < 1), answered),
                average_credit=100 * sum(fractions) / answered if answered else None,
            )
        )
    # Hardest first; questions nobody answered yet say nothing, so they go last.
    return tuple(
        sorted(
            lines,
            key=lambda s: (s.right_share is None, s.right_share or 0.0, s.position),
        )
    )


def question_label(prompt_html: str) -> str:
    """A question's prompt as short plain text for tables.

    The stored prompt is sanitised HTML; the label is its text (entities decoded), so a template
    escapes it like any other string.
    """
    reader = _TextOf()
    reader.feed(prompt_html)
    reader.close()
    text = " ".join("".join(reader.parts).split())
    if len(text) <= LABEL_LENGTH:
        return text
    return text[: LABEL_LENGTH - 1].rstrip() + "…"


# Tags that end a line of text: their boundary reads as a space ("<p>a</p><p>b</p>" is "a b").
_BREAKS = frozenset(
    {"blockquote", "br", "dd", "div", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
     "ol", "p", "pre", "table", "td", "th", "tr", "ul"}
)  # fmt: skip


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in _BREAKS:
            self.parts.append(" ")


def _modules(
    course_id: int, version: CourseVersion, enrolments: int
) -> tuple[ModuleStatistics, ...]:
    enrolled = select(Enrolment.user_id).where(Enrolment.course_id == course_id)
    done = dict(
        db.session.execute(
            select(CourseModule.key, func.count(ModuleProgress.id))
            .join(ModuleProgress, ModuleProgress.module_id == CourseModule.id)
            .where(CourseModule.course_id == course_id, ModuleProgress.user_id.in_(enrolled))
            .group_by(CourseModule.key)
        ).all()
    )
    return tuple(
        ModuleStatistics(
            key=m["key"],
            position=position,
            title=m["title"],
            done=done.get(m["key"], 0),
            done_share=_percent(done.get(m["key"], 0), enrolments),
        )
        for position, m in enumerate(version.outline, start=1)
    )
