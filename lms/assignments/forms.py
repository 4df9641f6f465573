"""HR's forms: a new assignment (target, due date, reason), its update, cancelling, filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lms.assignments.models import JABATAN, PEOPLE, REASON_MAX, UNIT
from lms.reports.forms import PlausibleDateField

DATE_MESSAGE = _l("Enter the due date as a calendar date.")


class DayField(PlausibleDateField):
    """A date field that says what is wrong in the portal's words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(DATE_MESSAGE)) from None


class DueAndReason(FlaskForm):
    due_on = DayField(
        _l("Due date"),
        description=_l("The last day to complete the course, in each employee's own time zone."),
        validators=[InputRequired(DATE_MESSAGE)],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Why this training, for example the gap it closes. At most 500 characters."),
        validators=[DataRequired(_l("Say why this training is assigned.")), Length(max=REASON_MAX)],
    )


class AssignmentForm(DueAndReason):
    course = SelectField(
        _l("Course"),
        coerce=int,
        validators=[InputRequired(_l("Choose a published course."))],
    )
    target = SelectField(
        _l("Assign to"),
        choices=[
            SelectChoice(PEOPLE, _l("Named employees")),
            SelectChoice(UNIT, _l("A work unit")),
            SelectChoice(JABATAN, _l("A position (jabatan)")),
        ],
        default=UNIT,
    )
    people = TextAreaField(
        _l("Employees"),
        description=_l("For named employees: one NIP or username a line."),
        validators=[Optional(), Length(max=60_000)],
    )
    unit = SelectField(_l("Work unit"), coerce=int, validators=[Optional()])
    include_subunits = BooleanField(_l("Include its sub-units"), default=True)
    jabatan = StringField(
        _l("Position (jabatan)"),
        description=_l("As on the employees' records; letter case and spacing do not matter."),
        validators=[Optional(), Length(max=200)],
    )
    include_later = BooleanField(
        _l("Also include employees who join later (for a work unit or a position)")
    )
    competency = SelectField(_l("Competency gap it answers (optional)"), validators=[Optional()])

    def validate_course(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a published course."))

    def validate_people(self, field):
        if self.target.data == PEOPLE and not (field.data or "").strip():
            raise ValidationError(_l("List at least one NIP or username."))

    def validate_unit(self, field):
        if self.target.data == UNIT and not field.data:
            raise ValidationError(_l("Choose a work unit."))

    def validate_jabatan(self, field):
        if self.target.data == JABATAN and not (field.data or "").strip():
            raise ValidationError(_l("Enter a position (jabatan)."))


class UpdateForm(DueAndReason):
    pass


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation page's button."""


class OverdueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    unit = SelectField(_l("Work unit (with its sub-units)"), coerce=int, validators=[Optional()])
    course = SelectField(_l("Course"), coerce=int, validators=[Optional()])
