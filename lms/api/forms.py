"""Forms of the admin's API token pages: create a token, confirm a revocation.

Both carry the CSRF token; the revocation form has no other field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import MultiCheckboxField
from lms.api.services import COMPLETIONS_READ, SCOPES

SCOPE_LABELS = {COMPLETIONS_READ: _l("Read completion records (completions:read)")}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        description=_l("The system that will use it, e.g. competency-profile. Shown in the log."),
        validators=[DataRequired(), Length(max=80)],
    )
    scopes = MultiCheckboxField(
        _l("Scopes"),
        choices=[SelectChoice(s, SCOPE_LABELS[s]) for s in SCOPES],
        validators=[DataRequired()],
    )


class RevokeForm(FlaskForm):
    pass
