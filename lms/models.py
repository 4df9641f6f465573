"""Imports every feature's models so Alembic and create_all see the whole schema."""

from lms.accounts.models import EmployeeImport, Unit, User
from lms.api.models import ApiToken
from lms.assignments.models import Assignment, AssignmentMember
from lms.authoring.models import CourseAuthor, CourseDraft
from lms.catalog.models import Course, CourseCompetency, CourseModule, CourseVersion, ModuleVersion
from lms.competency.models import Competency, CompetencyImport, PositionRequirement
from lms.discussions.models import DiscussionPost, DiscussionThread, PostReport
from lms.evaluation.models import CourseEvaluation
from lms.learning.models import Completion, Enrolment, ModuleProgress
from lms.mentoring.models import CourseSuggestion, MentoringProgramme, MentoringSession, Mentorship
from lms.notifications.models import Notification
from lms.quiz.models import QuizAttempt
from lms.reports.models import ExportLog

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentMember",
    "Competency",
    "CompetencyImport",
    "Completion",
    "Course",
    "CourseAuthor",
    "CourseCompetency",
    "CourseDraft",
    "CourseEvaluation",
    "CourseModule",
    "CourseSuggestion",
    "CourseVersion",
    "DiscussionPost",
    "DiscussionThread",
    "EmployeeImport",
    "Enrolment",
    "ExportLog",
    "MentoringProgramme",
    "MentoringSession",
    "Mentorship",
    "ModuleProgress",
    "ModuleVersion",
    "Notification",
    "PositionRequirement",
    "PostReport",
    "QuizAttempt",
    "Unit",
    "User",
]
