"""HTML forms for units and people (Flask-WTF: each carries a CSRF token).

The forms check only what a browser can get wrong (required, lengths, a real date); the rules
(open units, no cycles, unique e-mails, one person per login) live in the services, whose field
errors the views put next to these same fields.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lis.reference.models import UNIT_KINDS

# WTForms ships no Vietnamese messages: every validator here carries its own.
REQUIRED = _l("This field is required.")
TOO_LONG = _l("This is too long.")


def required() -> DataRequired:
    return DataRequired(message=REQUIRED)


def at_most(n: int) -> Length:
    return Length(max=n, message=TOO_LONG)


class DayField(DateField):
    """A date from `<input type=date>`; empty is left to `required()`, nonsense says so in the
    reader's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(_l("Enter a date as YYYY-MM-DD."))) from exc


# Kinds of unit in the UI language.
KIND_NAMES = {
    "assembly": _l("The Assembly"),
    "standing_committee": _l("Standing committee"),
    "council": _l("Council"),
    "committee": _l("Committee"),
    "board": _l("Board"),
    "agency": _l("Agency"),
    "office": _l("Office"),
    "department": _l("Department of a committee or council"),
    "office_department": _l("Department of the NA Office"),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(k, str(KIND_NAMES.get(k, k))) for k in UNIT_KINDS]


class UnitForm(FlaskForm):
    code = StringField(
        _l("Unit code"),
        validators=[required(), at_most(40)],
        description=_l("Capitals, digits and dashes, e.g. UB-PLTP-V. It cannot change later."),
    )
    name = StringField(_l("Name in Vietnamese"), validators=[required(), at_most(300)])
    name_en = StringField(_l("Name in English"), validators=[required(), at_most(300)])
    kind = SelectField(_l("Kind of unit"), validators=[required()])
    parent = SelectField(_l("Parent unit"), validate_choice=False)
    field = TextAreaField(_l("Field of work"), validators=[Optional(), at_most(5000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), at_most(5000)])


class UnitEditForm(UnitForm):
    code = None  # type: ignore[assignment]  # the code is the unit's key for good


class UnitCloseForm(FlaskForm):
    valid_to = DayField(
        _l("Closed from"),
        validators=[required()],
        description=_l("The first day the unit no longer exists."),
    )
    replaced_by = SelectField(_l("Replaced by"), validate_choice=False)


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[required(), at_most(200)])
    email = StringField(_l("E-mail"), validators=[Optional(), at_most(254)])
    position = StringField(
        _l("Position"),
        validators=[Optional(), at_most(200)],
        description=_l("E.g. Vụ trưởng, Chuyên viên chính."),
    )
    unit = SelectField(_l("Unit"), validate_choice=False, validators=[required()])
    user = StringField(
        _l("Linked login (e-mail)"),
        validators=[Optional(), at_most(254)],
        description=_l("The e-mail of an existing login; leave empty for none."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), at_most(5000)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
