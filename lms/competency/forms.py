"""HR's forms: a technical competency, a position requirement, a file to import, the unit filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lms.competency.models import COMPETENCIES, REQUIREMENTS
from lms.content.vocabulary import BUILTIN_COMPETENCIES, TECHNICAL_CODE
from lms.imports.forms import import_file_field


class CompetencyForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("T- followed by capital letters, digits and -, for example T-PROYEK. "
                       "A code cannot be changed later."),
        validators=[DataRequired(), Length(max=40)],
    )  # fmt: skip
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    level_1 = TextAreaField(_l("Level 1"), validators=[Optional(), Length(max=500)])
    level_2 = TextAreaField(_l("Level 2"), validators=[Optional(), Length(max=500)])
    level_3 = TextAreaField(_l("Level 3"), validators=[Optional(), Length(max=500)])
    level_4 = TextAreaField(_l("Level 4"), validators=[Optional(), Length(max=500)])
    level_5 = TextAreaField(_l("Level 5"), validators=[Optional(), Length(max=500)])

    def validate_code(self, field):
        code = (field.data or "").strip().upper()
        if code in BUILTIN_COMPETENCIES:
            raise ValidationError(_l("This code belongs to a competency of PermenPANRB 38/2017."))
        if not TECHNICAL_CODE.match(code):
            raise ValidationError(
                _l("A technical competency code is T- followed by capital letters, digits and "
                   "-, for example T-PROYEK.")
            )  # fmt: skip
        field.data = code

    def levels(self) -> list[str]:
        return [getattr(self, f"level_{n}").data or "" for n in range(1, 6)]


class RequirementForm(FlaskForm):
    jabatan = StringField(
        _l("Position (jabatan)"),
        description=_l("Written as on the employees' records; letter case does not matter."),
        validators=[DataRequired(), Length(max=200)],
    )
    competency = SelectField(_l("Competency"), validators=[DataRequired()])
    level = SelectField(
        _l("Required level"),
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in range(1, 6)],
        validate_choice=False,  # checked below, with the message the file import gives
        validators=[InputRequired(_l("The level must be a whole number from 1 to 5."))],
    )

    def validate_level(self, field):
        if field.data not in range(1, 6):
            raise ValidationError(_l("The level must be a whole number from 1 to 5."))


class CompetencyImportForm(FlaskForm):
    kind = SelectField(
        _l("The file contains"),
        choices=[
            SelectChoice(COMPETENCIES, _l("Technical competencies")),
            SelectChoice(REQUIREMENTS, _l("Position requirements")),
        ],
        default=REQUIREMENTS,
    )
    file = import_file_field()


class UnitFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    unit = SelectField(_l("Work unit (with its sub-units)"), coerce=int, validators=[Optional()])
