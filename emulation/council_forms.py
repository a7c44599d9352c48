"""HTML forms for council meetings (Flask-WTF: each carries a CSRF token).

Choices are filled in by the views; the rules live in `emulation.council`, whose field errors
are put back on these fields. An open ballot's per-member votes are radio buttons named
`vote-<person id>` (prefixed like the form), read by the view: their number depends on who is
present.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from emulation import council as services
from emulation.movement_forms import options
from lis.web.validators import no_nul

MAX_PEOPLE_TEXT = 20_000


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Meeting title"),
        validators=[DataRequired(), Length(max=services.MAX_TITLE), no_nul],
    )
    held_on = DateField(_l("Held on"), validators=[DataRequired()])
    members = SelectMultipleField(
        _l("Council members"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    other_members = TextAreaField(
        _l("Other members"),
        validators=[Optional(), Length(max=MAX_PEOPLE_TEXT), no_nul],
    )


class AttendanceForm(FlaskForm):
    present = SelectMultipleField(
        _l("Present"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class BallotForm(FlaskForm):
    mode = RadioField(
        _l("Kind of ballot"),
        choices=options(
            [
                ("secret", _l("Secret ballot (counts only)")),
                ("open", _l("Open ballot (each vote named)")),
            ]
        ),
        default="secret",
        validators=[DataRequired()],
    )
    yes = IntegerField(
        _l("In favour"), validators=[Optional(), NumberRange(min=0, max=services.MAX_COUNT)]
    )
    no = IntegerField(
        _l("Against"), validators=[Optional(), NumberRange(min=0, max=services.MAX_COUNT)]
    )
    abstain = IntegerField(
        _l("Abstain"), validators=[Optional(), NumberRange(min=0, max=services.MAX_COUNT)]
    )


class CloseForm(FlaskForm):
    minutes = TextAreaField(
        _l("Minutes of the meeting"),
        validators=[DataRequired(), Length(max=services.MAX_MINUTES), no_nul],
    )
