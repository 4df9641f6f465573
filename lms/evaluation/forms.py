"""The learner's evaluation form: four 1-5 ratings and an optional comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, StopValidation

from lms.evaluation.models import QUESTIONS
from lms.evaluation.services import COMMENT_MAX_LENGTH, RATINGS


def _rating(value) -> int | None:
    """Coerce without failing: a missing or odd value becomes None and gets the field's message."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rating_required(form, field) -> None:
    if field.data not in RATINGS:
        raise StopValidation(_l("Choose a rating from 1 to 5."))


def _text(value: str | None) -> str | None:
    # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
    return value.replace("\r\n", "\n").strip() if value else value


def _rating_field(label) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice(r, str(r)) for r in RATINGS],
        coerce=_rating,
        validate_choice=False,  # _rating_required says what is wrong in the portal's words
        validators=[_rating_required],
    )


class EvaluationForm(FlaskForm):
    relevance = _rating_field(_l("How relevant is this course to your job?"))
    quality = _rating_field(_l("How good is the course material?"))
    clarity = _rating_field(_l("How clearly is the material explained?"))
    applicability = _rating_field(_l("How well can you apply what you learned at work?"))
    comment = TextAreaField(
        _l("Anything else the trainers should know? (optional)"),
        description=_l(
            "At most 2,000 characters. Please do not write your name or anything else "
            "that identifies you."
        ),
        filters=[_text],
        render_kw={"maxlength": COMMENT_MAX_LENGTH, "rows": 6},
        validators=[
            Optional(),
            Length(
                max=COMMENT_MAX_LENGTH,
                message=_l(
                    "Keep the comment to %(max)d characters or fewer; it has %(length)d now."
                ),
            ),
        ],
    )

    def rating_fields(self):
        return [getattr(self, q) for q in QUESTIONS]

    def ratings(self) -> dict[str, int]:
        return {q: getattr(self, q).data for q in QUESTIONS}
