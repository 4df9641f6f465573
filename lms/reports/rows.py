"""The one row shape every learning-record export is written from; the quiz-attempt row for xAPI.

Queries produce these rows (streamed from SQL); each export format only decides how to write them.
The CSV export alone writes from the driver's records of the same select, in this field order
(lms.reports.queries.completion_records), and its tests hold it to the CSV written from these rows.
A row is a course completion or a confirmed mentoring session of the mentee (`kind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

COMPLETION, MENTORING = "completion", "mentoring"  # CompletionRow.kind
RECORD_KINDS = (COMPLETION, MENTORING)


@dataclass(frozen=True, slots=True)
class CompletionRow:
    """A learning record. A mentoring row has no course, version, enrolment, score or certificate:
    those fields are "" or None, its title is "Mentoring: <programme>" and its time the meeting's
    start (the record time every export orders and dates by)."""

    completion_id: int  # the record's id within its kind: completion id or mentoring session id
    user_id: int
    nip: str | None  # None for non-ASN accounts (they have a username instead)
    username: str | None
    name: str
    unit_code: str | None
    unit_name: str | None
    course_code: str  # "" for mentoring
    course_title: str  # the title of the version the completion was earned on
    course_version: int | None  # None for mentoring
    competency_codes: tuple[str, ...]
    jp: float
    jenis_diklat: int  # SIASN jenisDiklatId, 16 = E-Learning, 15 = Mentoring
    enrolled_at: datetime | None  # timezone-aware, UTC; None for mentoring
    completed_at: datetime  # timezone-aware, UTC; a mentoring session's start
    score: float | None  # 0..100; None for mentoring
    pass_mark: int | None  # None for mentoring
    certificate_no: str  # "" for mentoring
    kind: str = COMPLETION
    minutes: int | None = None  # a mentoring session's length


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """A graded final-quiz attempt (for xAPI passed/failed statements)."""

    attempt_id: int
    user_id: int
    nip: str | None
    username: str | None
    name: str
    course_code: str
    course_title: str
    course_version: int
    number: int
    started_at: datetime  # UTC
    submitted_at: datetime  # UTC
    score: float  # 0..100
    pass_mark: int
    passed: bool
