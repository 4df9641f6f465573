"""Forms for signing in, changing a password, managing users and importing employees."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.models import EMPLOYEES, ROLES, UNITS
from lms.imports.forms import import_file_field

ROLE_LABELS = {
    "learner": _l("Learner"),
    "trainer": _l("Trainer"),
    "hr": _l("HR officer"),
    "admin": _l("Administrator"),
}


class LoginForm(FlaskForm):
    login = StringField(_l("NIP or username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this computer"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    login = StringField(
        _l("NIP (18 digits) or username"), validators=[DataRequired(), Length(max=80)]
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    unit_id = SelectField(_l("Work unit"), coerce=int, validators=[Optional()])
    jabatan = StringField(_l("Position (jabatan)"), validators=[Optional(), Length(max=200)])
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired()],
    )
    active = BooleanField(_l("Account active"), default=True)
    confirm_disable = BooleanField(_l("Yes, disable this account"))
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. On an existing account, fill in only to reset it."),
        validators=[Optional(), Length(max=200)],
    )


# Each language named in itself, as a language switch should.
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("The file contains"),
        choices=[SelectChoice(EMPLOYEES, _l("Employees")), SelectChoice(UNITS, _l("Work units"))],
        default=EMPLOYEES,
    )
    file = import_file_field()
