"""HTML forms of the score pages (Flask-WTF: each carries a CSRF token).

The form only bounds what it reads; whether a year or a movement can be scored is the scoring
service's rule, and its field errors are shown on these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from lis.drafts.forms import options
from lis.web.validators import no_nul

MIN_YEAR = 1990  # as emulation.scoring accepts
MAX_YEAR = 2100
MAX_NOTE = 500


class ComputeForm(FlaskForm):
    """Compute a new snapshot for a calendar year or for a movement's period."""

    scope = RadioField(
        _l("Score for"),
        choices=options([("year", _l("A year")), ("movement", _l("A movement"))]),
        default="year",
    )
    year = IntegerField(
        _l("Year to score"),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_YEAR,
                max=MAX_YEAR,
                message=_l("Enter a year from %(min)s to %(max)s.", min=MIN_YEAR, max=MAX_YEAR),
            ),
        ],
    )
    movement = SelectField(_l("Movement"), validators=[Optional()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE), no_nul])

    def validate(self, extra_validators: object = None) -> bool:  # type: ignore[override]
        """The field asked for by the chosen scope is required; the other one is ignored."""
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.scope.data == "year" and self.year.data is None and not self.year.errors:
            self.year.errors = [*self.year.errors, _l("Enter the year to score.")]
            ok = False
        if self.scope.data == "movement" and not self.movement.data:
            self.movement.errors = [*self.movement.errors, _l("Choose the movement to score.")]
            ok = False
        return ok
