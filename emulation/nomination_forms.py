"""HTML forms for nominations (Flask-WTF: each carries a CSRF token).

Choices are filled in by the views (they depend on who is nominating); the rules live in
`emulation.nominations`, whose field errors are put back on these fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from emulation import nominations as services
from emulation.commendation_models import DOSSIER_KINDS, NOMINATION_STATES
from lis.web.validators import no_nul


def options(pairs: Sequence[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as wtforms' SelectChoice (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


DOSSIER_NAMES = {
    "request": _l("Request letter"),
    "achievement_report": _l("Achievement report"),
    "minutes": _l("Minutes of the review"),
    "initiative_certification": _l("Certification of the initiative"),
    "other": _l("Other document"),
}
STATE_NAMES = {
    "draft": _l("Draft"),
    "unit_review": _l("Unit review"),
    "council": _l("Before the council"),
    "decided": _l("Decided"),
    "rejected": _l("Rejected"),
    "announced": _l("Announced"),
    "revoked": _l("Revoked"),
}
# What the button that makes each move says.
MOVE_NAMES = {
    "unit_review": _l("Submit for unit review"),
    "council": _l("Pass unit review: send to the council"),
    "announced": _l("Announce"),
    "revoked": _l("Revoke"),
}


class NominationForm(FlaskForm):
    title = SelectField(_l("Title or form of commendation"), validators=[DataRequired()])
    year = IntegerField(
        _l("Calendar year"),
        validators=[InputRequired(), NumberRange(min=services.MIN_YEAR, max=services.MAX_YEAR)],
    )
    person_id = SelectField(_l("Person nominated"), validators=[Optional()])
    unit = SelectField(_l("Unit nominated"), validators=[Optional()])
    movement_id = SelectField(_l("Movement (optional)"), validators=[Optional()])
    summary = TextAreaField(
        _l("Summary of achievements"),
        validators=[Optional(), Length(max=services.MAX_SUMMARY), no_nul],
    )


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired(), Length(max=16)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=services.MAX_NOTE), no_nul])
    override_reason = TextAreaField(
        _l("Reason to move on anyway"),
        validators=[Optional(), Length(max=services.MAX_REASON), no_nul],
    )

    def validate_to(self, field: HiddenField) -> None:
        if field.data not in NOMINATION_STATES:
            raise StopValidation(str(_l("Not a state of a nomination.")))


class UploadForm(FlaskForm):
    kind = SelectField(
        _l("Kind of document"),
        choices=options([(k, DOSSIER_NAMES[k]) for k in DOSSIER_KINDS]),
        validators=[DataRequired()],
    )
    file = FileField(
        _l("File (PDF, Word, PNG, JPEG or text; at most 10 MB)"),
        validators=[FileRequired(_l("Choose a file."))],
    )


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token (delete a draft, remove a file)."""
