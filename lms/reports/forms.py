"""The report filter form: read from the query string (GET), so a filtered report is a link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

FIRST_YEAR, LAST_YEAR = 1900, 2999


class PlausibleDateField(DateField):
    """A date between 1900 and 2999: year 1 or 9999 parse, but a day before or after them
    does not exist in Python's calendar, and a period reaching there would fail to compute."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(
                _l("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
            )


class CompletionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    since = PlausibleDateField(_l("From"), validators=[Optional()])
    until = PlausibleDateField(_l("Until"), validators=[Optional()])
    unit = SelectField(_l("Work unit (with its sub-units)"), coerce=int, validators=[Optional()])
    course = SelectField(_l("Course"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    competency = SelectField(_l("Competency"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
