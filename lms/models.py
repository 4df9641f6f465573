"""Imports every feature's models so Alembic and create_all see the whole schema."""

from lms.accounts.models import Unit, User
from lms.catalog.models import Course, CourseCompetency, CourseModule, CourseVersion, ModuleVersion
from lms.learning.models import Completion, Enrolment, ModuleProgress
from lms.quiz.models import QuizAttempt
from lms.reports.models import ExportLog

__all__ = [
    "Completion",
    "Course",
    "CourseCompetency",
    "CourseModule",
    "CourseVersion",
    "Enrolment",
    "ExportLog",
    "ModuleProgress",
    "ModuleVersion",
    "QuizAttempt",
    "Unit",
    "User",
]
