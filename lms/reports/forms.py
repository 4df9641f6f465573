"""The report filter form: read from the query string (GET), so a filtered report is a link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError


class CompletionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    unit = SelectField(_l("Work unit (with its sub-units)"), coerce=int, validators=[Optional()])
    course = SelectField(_l("Course"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    competency = SelectField(_l("Competency"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
