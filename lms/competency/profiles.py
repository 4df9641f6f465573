"""Competency profiles and recommendations: what a person's completions evidence, what is missing.

The rules are in lms.competency.rules; this module loads the facts for one person. Confirmed
mentoring sessions (as a mentee) count in JP per year and have their own record lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.catalog.models import Course, CourseCompetency, CourseVersion
from lms.clock import utcnow
from lms.competency import rules
from lms.competency.models import Competency
from lms.competency.services import course_offers, dictionary, required_levels
from lms.content.vocabulary import BUILTIN_COMPETENCIES
from lms.extensions import db
from lms.learning.models import Completion
from lms.learning.services import jp_in_year, mentoring_jp_in_year
from lms.mentoring.models import CONFIRMED, MentoringProgramme, MentoringSession, Mentorship
from lms.reports.models import ExportLog


def person_zone(person: User, default_zone: str) -> str:
    """JP count in the year of completion where the person works (their unit's zone)."""
    unit = person.unit
    return (unit.timezone if unit is not None else None) or default_zone


def evidence_of(user_id: int) -> list[rules.Evidence]:
    rows = db.session.execute(
        select(
            CourseCompetency.code,
            CourseCompetency.level,
            Course.code,
            CourseVersion.title,
            CourseVersion.number,
            Completion.completed_at,
            Completion.certificate_no,
        )
        .select_from(Completion)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseCompetency, CourseCompetency.course_version_id == Completion.course_version_id)
        .where(Completion.user_id == user_id)
    )
    return [rules.Evidence(*row) for row in rows]


@dataclass
class ProfileLine:
    code: str
    name: str
    kind: str | None  # None for a code no longer in the dictionary
    level: int  # the highest level evidenced, 0 when none
    required: int | None  # what the person's position requires, if anything
    evidence: list[rules.Evidence]
    level_text: str = ""  # the dictionary's description of `level`

    @property
    def below_requirement(self) -> bool:
        return self.required is not None and self.level < self.required


@dataclass
class YearLine:
    year: int
    jp: float  # completions and confirmed mentoring sessions
    percent: float  # of the yearly target, capped at 100
    mentoring_jp: float = 0.0  # the part of `jp` from mentoring


@dataclass
class MentoringLine:
    """A pairing's confirmed sessions in one year (the person as mentee).

    One line per pairing and year, not per session: HR reads a profile to see what development
    a person had and how much it weighed in each year's JP ("Mentoring CPNS 2026 with Ir. Budi:
    6 sessions, 9 JP in 2026"), the way a course is one line however many modules it had.
    The sessions one by one (dates, topics) are on the learning-record page and in the exports.
    """

    year: int
    programme: str
    mentor: str
    sessions: int
    minutes: int
    jp: float
    first_at: datetime  # UTC: the first and last session's start in that year
    last_at: datetime


@dataclass
class CertificateLine:
    number: str
    course_code: str
    course_title: str
    completed_at: datetime
    jp: float


@dataclass
class Profile:
    person: User
    lines: list[ProfileLine]
    gaps: list[rules.Gap]
    years: list[YearLine]
    certificates: list[CertificateLine]
    jp_target: float
    zone: str
    generated_at: datetime = field(default_factory=utcnow)
    mentoring: list[MentoringLine] = field(default_factory=list)


def mentoring_lines(mentee_id: int, zone: str) -> list[MentoringLine]:
    """The mentee's confirmed sessions by year (in `zone`) and pairing, newest year first."""
    tz = ZoneInfo(zone)
    rows = db.session.execute(
        select(
            Mentorship.id,
            MentoringProgramme.name,
            User.name,
            MentoringSession.started_at,
            MentoringSession.minutes,
            MentoringSession.jp,
        )
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .join(MentoringProgramme, MentoringProgramme.id == Mentorship.programme_id)
        .join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id == mentee_id, MentoringSession.status == CONFIRMED)
        .order_by(MentoringSession.started_at)
    )
    lines: dict[tuple[int, int], MentoringLine] = {}
    for pairing, programme, mentor, started_at, minutes, jp in rows:
        year = started_at.astimezone(tz).year
        line = lines.get((year, pairing))
        if line is None:
            line = lines[year, pairing] = MentoringLine(
                year, programme, mentor, 0, 0, 0.0, started_at, started_at
            )
        line.sessions += 1
        line.minutes += minutes
        line.jp += jp or 0.0
        line.last_at = started_at
    return sorted(lines.values(), key=lambda line: (-line.year, line.programme, line.mentor))


def profile_of(person: User, *, jp_target: float, default_zone: str) -> Profile:
    """The person's competencies (evidenced or required), JP per year and certificates."""
    evidence = evidence_of(person.id)
    levels = rules.evidenced_levels(evidence)
    grouped = rules.evidence_by_code(evidence)
    required = required_levels(person.jabatan)
    entries = {c.code: c for c in dictionary()}
    order = {code: i for i, code in enumerate(entries)}
    lines = []
    for code in sorted(set(levels) | set(required), key=lambda c: (order.get(c, len(order)), c)):
        entry = entries.get(code)
        level = levels.get(code, 0)
        lines.append(
            ProfileLine(
                code=code,
                name=entry.name if entry else BUILTIN_COMPETENCIES.get(code, code),
                kind=entry.kind if entry else None,
                level=level,
                required=required.get(code),
                evidence=grouped.get(code, []),
                level_text=entry.level_text(level) if entry else "",
            )
        )
    zone = person_zone(person, default_zone)
    tz = ZoneInfo(zone)
    completions = db.session.execute(
        select(Completion, Course.code, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.user_id == person.id)
        .order_by(Completion.completed_at.desc())
    ).all()
    mentoring = mentoring_lines(person.id, zone)
    years = {datetime.now(UTC).astimezone(tz).year}
    years |= {c.completed_at.astimezone(tz).year for c, _, _ in completions}
    years |= {line.year for line in mentoring}
    year_lines = []
    for year in sorted(years, reverse=True):
        jp = jp_in_year(person.id, year, zone)
        mentoring_jp = mentoring_jp_in_year(person.id, year, zone)
        year_lines.append(YearLine(year, jp, rules.jp_progress(jp, jp_target), mentoring_jp))
    certificates = [
        CertificateLine(c.certificate_no, code, title, c.completed_at, c.jp)
        for c, code, title in completions
    ]
    return Profile(
        person=person,
        lines=lines,
        gaps=rules.gaps(required, levels),
        years=year_lines,
        certificates=certificates,
        jp_target=jp_target,
        zone=zone,
        mentoring=mentoring,
    )


def profile_document(profile: Profile, certificate_url=None) -> dict:
    """The profile as the JSON download: stable keys, ISO dates in the person's zone."""
    tz = ZoneInfo(profile.zone)

    def day(moment: datetime) -> str:
        return moment.astimezone(tz).date().isoformat()

    person = profile.person
    return {
        "generated_at": profile.generated_at.astimezone(tz).isoformat(timespec="seconds"),
        "person": {
            "nip": person.nip,
            "username": person.username,
            "name": person.name,
            "unit_code": person.unit.code if person.unit else None,
            "unit_name": person.unit.name if person.unit else None,
            "jabatan": person.jabatan,
        },
        "competencies": [
            {
                "code": line.code,
                "name": line.name,
                "kind": line.kind,
                "level": line.level,
                "required_level": line.required,
                "below_requirement": line.below_requirement,
                "evidence": [
                    {
                        "course_code": e.course_code,
                        "course_title": e.course_title,
                        "course_version": e.course_version,
                        "level": e.level,
                        "completed_on": day(e.completed_at),
                        "certificate_no": e.certificate_no,
                    }
                    for e in line.evidence
                ],
            }
            for line in profile.lines
        ],
        "learning_hours": {
            "target_per_year": profile.jp_target,
            "years": [
                {
                    "year": y.year,
                    "jp": y.jp,
                    "mentoring_jp": y.mentoring_jp,
                    "percent_of_target": y.percent,
                }
                for y in profile.years
            ],
        },
        "mentoring": [
            {
                "kind": "Mentoring",
                "year": m.year,
                "programme": m.programme,
                "mentor": m.mentor,
                "sessions": m.sessions,
                "minutes": m.minutes,
                "jp": m.jp,
                "first_on": day(m.first_at),
                "last_on": day(m.last_at),
            }
            for m in profile.mentoring
        ],
        "certificates": [
            {
                "number": c.number,
                "course_code": c.course_code,
                "course_title": c.course_title,
                "completed_on": day(c.completed_at),
                "jp": c.jp,
                **({"verification_url": certificate_url(c.number)} if certificate_url else {}),
            }
            for c in profile.certificates
        ],
    }


# --- Recommendations ---------------------------------------------------------------------------


def _completed_course_ids(user_id: int) -> set[int]:
    mine = select(Completion.course_id).where(Completion.user_id == user_id)
    return set(db.session.scalars(mine))


def _levels_of(user_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(CourseCompetency.code, func.max(CourseCompetency.level))
            .join(Completion, Completion.course_version_id == CourseCompetency.course_version_id)
            .where(Completion.user_id == user_id)
            .group_by(CourseCompetency.code)
        ).all()
    )


@dataclass
class Recommendations:
    gaps: list[rules.Gap]
    courses: list[rules.Recommendation]
    names: dict[str, str]  # competency code -> name, for the page


def recommendations_for(user: User, limit: int = rules.RECOMMENDATIONS) -> Recommendations:
    required = required_levels(user.jabatan)
    if not required:
        return Recommendations([], [], {})
    person_gaps = rules.gaps(required, _levels_of(user.id))
    courses = (
        rules.recommend(person_gaps, course_offers(), _completed_course_ids(user.id), limit)
        if person_gaps
        else []
    )
    names = dict(db.session.execute(select(Competency.code, Competency.name)).all())
    return Recommendations(person_gaps, courses, names)


def log_profile_export(person: User, *, actor: str, user_id: int, rows: int) -> ExportLog:
    """HR downloading someone's profile is an export of personal data: it is logged."""
    log = ExportLog(
        user_id=user_id, actor=actor, channel="web", export_format="competency-profile",
        filters={"report": "competency-profile", "user_id": person.id}, row_count=rows,
    )  # fmt: skip
    db.session.add(log)
    db.session.flush()
    return log
