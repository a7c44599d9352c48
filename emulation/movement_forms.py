"""HTML forms for movements and pledges (Flask-WTF: each carries a CSRF token).

Choices are filled in by the views; the rules live in `emulation.movements`, whose field errors
are put back on these fields. The movement form has one weight input per criterion of the
catalogue, so it is built for the catalogue at hand (`movement_form`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from emulation import movements as services
from emulation.models import Criterion
from lis.web.validators import no_nul

MAX_PEOPLE_TEXT = 20_000


def options(pairs: Sequence[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as wtforms' SelectChoice (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


class MovementForm(FlaskForm):
    name = StringField(
        _l("Name of the movement"),
        validators=[DataRequired(), Length(max=services.MAX_NAME), no_nul],
    )
    theme = TextAreaField(
        _l("Theme"), validators=[Optional(), Length(max=services.MAX_TEXT), no_nul]
    )
    slogan = StringField(
        _l("Slogan"), validators=[Optional(), Length(max=services.MAX_SLOGAN), no_nul]
    )
    launching_unit = SelectField(_l("Launching unit"), validators=[DataRequired()])
    kind = SelectField(
        _l("Kind of movement"),
        choices=options([("regular", _l("Regular")), ("thematic", _l("Thematic"))]),
        validators=[DataRequired()],
    )
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    units = SelectMultipleField(_l("Participating units"), validators=[Optional()])
    people = TextAreaField(
        _l("Participating people"),
        validators=[Optional(), Length(max=MAX_PEOPLE_TEXT), no_nul],
    )

    def weight_fields(self) -> list[tuple[str, Any]]:
        """(criterion code, its weight field), in the catalogue's order."""
        return [(code, getattr(self, f"weight_{i}")) for i, code in enumerate(self.codes)]

    codes: Sequence[str] = ()


def movement_form(rows: Sequence[Criterion], **kwargs: Any) -> MovementForm:
    """A movement form with a weight input per criterion of `rows` (0: not used)."""

    class Form(MovementForm):
        codes = tuple(row.code for row in rows)

    for i, row in enumerate(rows):
        field = FloatField(
            row.code,
            default=0,
            validators=[InputRequired(), NumberRange(min=0, max=services.MAX_WEIGHT)],
        )
        setattr(Form, f"weight_{i}", field)
    return Form(**kwargs)


class ReviewForm(FlaskForm):
    note = TextAreaField(
        _l("Review note"),
        validators=[DataRequired(), Length(max=services.MAX_TEXT), no_nul],
    )


class PledgeForm(FlaskForm):
    subject = SelectField(_l("Who pledges"), validators=[DataRequired()])
    title = SelectField(_l("Title aimed for"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=services.MAX_NOTE), no_nul])
