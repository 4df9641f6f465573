"""Discussion forms: ask, answer, edit, and the reason given when reporting or hiding a post.

Each posting form carries `form_key`, a random key written into the form when the page is drawn:
the same form sent twice (a double click, a resent request) has the same key, and the database's
unique (author, form_key) constraint turns the second send into the first post.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.discussions.services import BODY_MAX, REASON_MAX, TITLE_MAX

_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _text(value: str | None) -> str | None:
    # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
    return value.replace("\r\n", "\n").strip() if value else value


def _valid_key(form, field) -> None:
    if not _FORM_KEY.match(field.data or ""):
        raise ValidationError(_l("The form has expired. Check your text and send it again."))


def _one_of_the_choices(form, field) -> None:
    if field.data not in {value for value, _label in field.choices}:
        raise ValidationError(_l("Choose one of the course's modules."))


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


def _body(label, hint):
    return TextAreaField(
        label,
        description=hint,
        filters=[_text],
        render_kw={"maxlength": BODY_MAX, "rows": 8},
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(
                max=BODY_MAX,
                message=_l("Keep the text to %(max)d characters or fewer; it has %(length)d now."),
            ),
        ],
    )


_MARKDOWN_HINT = _l(
    "At most 10,000 characters. You can use Markdown: **bold**, *italic*, lists, links and code."
)


def _title():
    return StringField(
        _l("Title"),
        description=_l("At most 200 characters: the question in one sentence."),
        filters=[_text],
        render_kw={"maxlength": TITLE_MAX},
        validators=[
            DataRequired(message=_l("Give the question a title.")),
            Length(
                max=TITLE_MAX,
                message=_l("Keep the title to %(max)d characters or fewer; it has %(length)d now."),
            ),
        ],
    )


class PostingForm(FlaskForm):
    form_key = HiddenField(validators=[_valid_key])

    def prepare(self) -> PostingForm:
        """Give the form a fresh key unless it carries a valid one (being shown again)."""
        if self.form_key.errors or not _FORM_KEY.match(self.form_key.data or ""):
            self.form_key.data = new_form_key()
        return self


class AskForm(PostingForm):
    title = _title()
    body = _body(_l("Your question"), _MARKDOWN_HINT)
    module = SelectField(
        _l("Module (optional)"),
        validators=[Optional(), _one_of_the_choices],
        validate_choice=False,  # _one_of_the_choices says what is wrong in the portal's words
    )


class AnswerForm(PostingForm):
    body = _body(_l("Your answer"), _MARKDOWN_HINT)


class EditForm(FlaskForm):
    title = _title()
    body = _body(_l("Text"), _MARKDOWN_HINT)


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("At most 500 characters."),
        filters=[_text],
        render_kw={"maxlength": REASON_MAX, "rows": 3},
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(
                max=REASON_MAX,
                message=_l(
                    "Keep the reason to %(max)d characters or fewer; it has %(length)d now."
                ),
            ),
        ],
    )
