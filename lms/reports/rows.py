"""The one row shape every completion export is written from, and the quiz-attempt row for xAPI.

Queries produce these rows (streamed from SQL); each export format only decides how to write them.
The CSV export alone writes from the driver's records of the same select, in this field order
(lms.reports.queries.completion_records), and its tests hold it to the CSV written from these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CompletionRow:
    completion_id: int
    user_id: int
    nip: str | None  # None for non-ASN accounts (they have a username instead)
    username: str | None
    name: str
    unit_code: str | None
    unit_name: str | None
    course_code: str
    course_title: str  # the title of the version the completion was earned on
    course_version: int
    competency_codes: tuple[str, ...]
    jp: float
    jenis_diklat: int  # SIASN jenisDiklatId, 16 = E-Learning
    enrolled_at: datetime  # timezone-aware, UTC
    completed_at: datetime  # timezone-aware, UTC
    score: float  # 0..100
    pass_mark: int
    certificate_no: str


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
