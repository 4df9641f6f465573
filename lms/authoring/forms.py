"""Forms for the trainer area: course details, modules, the quiz, uploads, publishing, co-authors.

Field rules mirror the course package validator, so a trainer hears about a mistake on the form
field rather than only when publishing; publishing still runs the validator on the whole course.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.content.package import COURSE_CODE
from lms.content.vocabulary import CATEGORIES, is_known_competency_code

_COMPETENCY_ITEM = re.compile(r"^\s*([A-Za-z0-9-]+)\s*[:=]\s*(\d+)\s*$")
MAX_MARKDOWN = 200_000


class RevisionForm(FlaskForm):
    """The draft revision the page was made from: the optimistic lock every change carries."""

    revision = HiddenField()

    @property
    def expected_revision(self) -> int | None:
        try:
            return int(self.revision.data)
        except (TypeError, ValueError):
            return None


def parse_competencies(text: str) -> list[dict]:
    """ "M4:2, T-MPROY:3" -> [{"code": "M4", "level": 2}, ...]; raises ValueError with a reason."""
    items: list[dict] = []
    seen: set[str] = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        m = _COMPETENCY_ITEM.match(part)
        if not m:
            raise ValueError(_l('Write each competency as CODE:LEVEL, for example "M4:2".'))
        code, level = m.group(1).upper(), int(m.group(2))
        if not is_known_competency_code(code):
            raise ValueError(
                _l("Unknown competency code %(code)s; use M1..M8, SK1 or T-...", code=code)
            )
        if not 1 <= level <= 5:
            raise ValueError(_l("Competency levels go from 1 to 5 (%(code)s).", code=code))
        if code in seen:
            raise ValueError(_l("Competency %(code)s is listed twice.", code=code))
        seen.add(code)
        items.append({"code": code, "level": level})
    return items


def format_competencies(items) -> str:
    if not isinstance(items, list):
        return ""
    return ", ".join(
        f"{c.get('code')}:{c.get('level')}" for c in items if isinstance(c, dict) and "code" in c
    )


def parse_jp(text: str) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    if not 0.5 <= value <= 200 or (value * 2) % 1:
        return None
    return value


class CourseForm(RevisionForm):
    code = StringField(
        _l("Course code"),
        description=_l("2 to 32 letters, digits or -, starting with a letter, e.g. PM-102."),
        validators=[DataRequired(), Length(max=32)],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        description=_l("One or two sentences shown in the catalog."),
        validators=[DataRequired(), Length(max=500)],
    )
    category = SelectField(_l("Category"), validators=[DataRequired()])
    jp = StringField(
        _l("Learning hours (JP)"),
        description=_l("From 0.5 to 200 in steps of 0.5; 1 JP is 45 minutes."),
        validators=[DataRequired()],
    )
    competencies = StringField(
        _l("Competencies developed"),
        description=_l("CODE:LEVEL separated by commas, e.g. M4:2, T-MPROY:2. May be empty."),
        validators=[Optional(), Length(max=500)],
    )
    pass_mark = IntegerField(
        _l("Pass mark (0-100)"), validators=[DataRequired(), NumberRange(0, 100)], default=70
    )
    max_attempts = IntegerField(
        _l("Quiz attempts allowed (1-20)"),
        validators=[DataRequired(), NumberRange(1, 20)],
        default=3,
    )
    introduction = TextAreaField(
        _l("Introduction (Markdown)"),
        description=_l("Shown on the course page: goals, audience, how to study."),
        validators=[Optional(), Length(max=MAX_MARKDOWN)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(code, _l(name)) for code, name in CATEGORIES.items()]

    def validate_code(self, field):
        if not COURSE_CODE.match((field.data or "").strip()):
            raise ValidationError(_l("Use 2 to 32 letters, digits or -, starting with a letter."))

    def validate_jp(self, field):
        if parse_jp(field.data) is None:
            raise ValidationError(_l("Use a number from 0.5 to 200 in steps of 0.5."))

    def validate_competencies(self, field):
        try:
            parse_competencies(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class NewModuleForm(FlaskForm):
    title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(
        _l("Estimated minutes"), validators=[DataRequired(), NumberRange(1, 600)], default=30
    )
    revision = HiddenField()


class FileEditForm(RevisionForm):
    """An editor of one file of the draft: `base` is the hash of the file as the page showed it,
    so a save can go through when co-authors changed only other files meanwhile."""

    base = HiddenField()


class ModuleForm(FileEditForm):
    title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(
        _l("Estimated minutes"), validators=[DataRequired(), NumberRange(1, 600)]
    )
    body = TextAreaField(
        _l("Content (Markdown)"), validators=[Optional(), Length(max=MAX_MARKDOWN)]
    )


class QuizForm(FileEditForm):
    text = TextAreaField(
        _l("Final quiz (Markdown quiz syntax)"), validators=[Optional(), Length(max=MAX_MARKDOWN)]
    )


class PretestForm(FileEditForm):
    text = TextAreaField(
        _l("Pre-test (Markdown quiz syntax; leave empty for no pre-test)"),
        validators=[Optional(), Length(max=MAX_MARKDOWN)],
    )


class PublishForm(RevisionForm):
    note = StringField(
        _l("What changed (shown in the version history)"),
        validators=[Optional(), Length(max=500)],
    )


class UploadForm(RevisionForm):
    file = FileField(_l("Image or PDF"), validators=[FileRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Course package (.zip)"), validators=[FileRequired()])
    note = StringField(_l("Note for the version history"), validators=[Optional(), Length(max=500)])
    replace_draft = BooleanField(_l("Replace unpublished changes in the draft, if any"))


class AuthorForm(FlaskForm):
    login = StringField(
        _l("Co-author's NIP or username"), validators=[DataRequired(), Length(max=80)]
    )


class RollbackForm(FlaskForm):
    note = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=400)])


class PreviewForm(FlaskForm):
    """The live preview's request: Markdown of one part of a course, checked like the rest."""

    course = StringField(validators=[DataRequired(), Length(max=32)])
    kind = SelectField(choices=[SelectChoice(k, k) for k in ("module", "intro", "quiz", "pretest")])
    text = TextAreaField(validators=[Optional(), Length(max=MAX_MARKDOWN)])
