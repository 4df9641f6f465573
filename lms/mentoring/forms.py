"""Mentoring forms: a programme, a pairing, a session, a decline reason, a course suggestion,
and the activity report's filter. Limits mirror the services, which check them again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from lms.mentoring.services import (
    DESCRIPTION_MAX,
    MAX_MINUTES,
    MIN_MINUTES,
    NAME_MAX,
    NOTE_MAX,
    NOTES_MAX,
    REASON_MAX,
    TOPIC_MAX,
)
from lms.reports.forms import PlausibleDateField

_TOO_LONG = _l("Keep this to %(max)d characters or fewer; it has %(length)d now.")


class _OwnParseMessage:
    """WTForms has no Indonesian: say in the portal's words what is wrong with the typed value,
    and stop there (no second message about the range of a value that could not be read)."""

    parse_message = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class LocalDateField(_OwnParseMessage, PlausibleDateField):
    parse_message = _l("Enter a real date, for example 2026-11-23.")


class LocalTimeField(_OwnParseMessage, TimeField):
    parse_message = _l("Enter the time as hours and minutes, for example 09:30.")


class WholeNumberField(_OwnParseMessage, IntegerField):
    parse_message = _l("Enter a whole number.")


def _text(value: str | None) -> str | None:
    # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
    return value.replace("\r\n", "\n") if value else value


def _date_field(label, required: bool) -> DateField:
    validators = [InputRequired(_l("Give a date."))] if required else [Optional()]
    return LocalDateField(label, validators=validators)


class _EndAfterStart:
    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class ProgrammeForm(_EndAfterStart, FlaskForm):
    name = StringField(
        _l("Name"),
        description=_l("For example: Mentoring CPNS 2026."),
        validators=[
            InputRequired(_l("Give the programme a name.")),
            Length(max=NAME_MAX, message=_TOO_LONG),
        ],
        render_kw={"maxlength": NAME_MAX},
    )
    description = TextAreaField(
        _l("Description (optional)"),
        filters=[_text],
        validators=[Optional(), Length(max=DESCRIPTION_MAX, message=_TOO_LONG)],
        render_kw={"rows": 3, "maxlength": DESCRIPTION_MAX},
    )
    starts_on = _date_field(_l("Starts on"), required=True)
    ends_on = _date_field(_l("Ends on (optional)"), required=False)


class PairingForm(_EndAfterStart, FlaskForm):
    mentor = StringField(
        _l("Mentor (NIP or username)"),
        validators=[InputRequired(_l("Give the mentor's NIP or username.")), Length(max=64)],
        render_kw={"maxlength": 64},
    )
    mentees = TextAreaField(
        _l("Mentees (one NIP or username per line)"),
        description=_l("Each mentee can have one active mentor per programme. If any line is "
                       "wrong, nothing is saved and every wrong line is listed."),
        filters=[_text],
        validators=[
            InputRequired(_l("List at least one mentee.")),
            Length(max=20_000, message=_TOO_LONG),
        ],
        render_kw={"rows": 6},
    )  # fmt: skip
    starts_on = _date_field(_l("Pairing starts on"), required=True)
    ends_on = _date_field(_l("Pairing ends on (optional)"), required=False)


class SessionForm(FlaskForm):
    day = _date_field(_l("Date of the session"), required=True)
    start = LocalTimeField(
        _l("Start time"),
        description=_l("In your local time."),
        validators=[InputRequired(_l("Give the time the session started."))],
    )
    minutes = WholeNumberField(
        _l("Duration in minutes"),
        description=_l("From 15 to 480 minutes."),
        validators=[
            InputRequired(_l("Give the duration in minutes.")),
            NumberRange(
                min=MIN_MINUTES,
                max=MAX_MINUTES,
                message=_l("A session lasts from %(min)d to %(max)d minutes."),
            ),
        ],
        render_kw={"min": MIN_MINUTES, "max": MAX_MINUTES, "inputmode": "numeric"},
    )
    topic = StringField(
        _l("Topic"),
        validators=[
            InputRequired(_l("Give the topic of the session.")),
            Length(max=TOPIC_MAX, message=_TOO_LONG),
        ],
        render_kw={"maxlength": TOPIC_MAX},
    )  # fmt: skip
    notes = TextAreaField(
        _l("Notes (optional)"),
        description=_l("Markdown is allowed. Only the pair and HR can read the notes."),
        filters=[_text],
        validators=[Optional(), Length(max=NOTES_MAX, message=_TOO_LONG)],
        render_kw={"rows": 6, "maxlength": NOTES_MAX},
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for declining"),
        filters=[_text],
        validators=[
            InputRequired(_l("Say why you decline this session.")),
            Length(max=REASON_MAX, message=_TOO_LONG),
        ],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )  # fmt: skip


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a confirmation or an end needs nothing else."""


class SuggestionForm(FlaskForm):
    course = SelectField(
        _l("Course"), validate_choice=False, validators=[InputRequired(_l("Choose a course."))]
    )
    note = TextAreaField(
        _l("Note for the mentee (optional)"),
        filters=[_text],
        validators=[Optional(), Length(max=NOTE_MAX, message=_TOO_LONG)],
        render_kw={"rows": 2, "maxlength": NOTE_MAX},
    )


class ActivityFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    since = LocalDateField(_l("From"), validators=[Optional()])
    until = LocalDateField(_l("Until"), validators=[Optional()])
    unit = SelectField(_l("Work unit (with its sub-units)"), coerce=int, validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
