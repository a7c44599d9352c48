"""HTML forms heads post from the review page (Flask-WTF: each carries a CSRF token).

The page shows one set of these per contribution, written out in the template (so each row's
fields get their own ids); these classes validate what comes back. The rules themselves live in
`lis.contributions.review`, whose field errors are shown beside the row.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from lis.contributions.models import OUTCOMES, QUALITY_BANDS
from lis.contributions.review import MAX_COMMENT, MAX_MAJOR_ERRORS, MAX_REASON
from lis.drafts.forms import options
from lis.web.validators import no_nul

# DESIGN §2: the four bands of the emulation rules, by their official Vietnamese names.
QUALITY_NAMES = {
    "excellent": _l("Completed the task excellently"),
    "good": _l("Completed the task well"),
    "completed": _l("Completed the task"),
    "not_completed": _l("Did not complete the task"),
}
OUTCOME_NAMES = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    "not_accepted": _l("Not accepted"),
}
assert set(QUALITY_NAMES) == set(QUALITY_BANDS) and set(OUTCOME_NAMES) == set(OUTCOMES)


class VerifyForm(FlaskForm):
    """Only the CSRF token: confirming needs nothing else."""


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(), Length(max=MAX_REASON), no_nul],
    )


class RatingForm(FlaskForm):
    quality = RadioField(
        _l("Quality"),
        choices=options(list(QUALITY_NAMES.items())),
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Length(max=MAX_COMMENT), no_nul])
    major_errors = IntegerField(
        _l("Major errors"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_MAJOR_ERRORS)],
    )


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"), choices=options(list(OUTCOME_NAMES.items())), validators=[InputRequired()]
    )
    # The service checks the version is a later one of the same draft (and names it if not).
    version = SelectField(
        _l("In version"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
