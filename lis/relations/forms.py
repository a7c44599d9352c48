"""HTML forms for relations (Flask-WTF, so every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lis.relations.models import KINDS, MAX_NUMBER
from lis.relations.services import MAX_NOTE

KIND_NAMES = {
    "basis": _l("Legal basis"),
    "amends": _l("Amends"),
    "replaces": _l("Replaces"),
    "guides": _l("Guides or details"),
    "repeals": _l("Repeals"),
}


# The templates write the <select>s themselves (with these names); the forms only validate.


class BackForm(FlaskForm):
    """A button that changes something and returns to the document page it was pressed on."""

    back = HiddenField()


class ConfirmForm(BackForm):
    kind = SelectField(
        _l("Kind"),
        choices=["", *KINDS],
        validators=[Optional()],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])


class DismissForm(BackForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])


class CreateForm(BackForm):
    kind = SelectField(_l("Kind"), choices=list(KINDS), validators=[DataRequired()])
    cited_number = StringField(
        _l("Number of the related document"),
        validators=[DataRequired(), Length(max=MAX_NUMBER)],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])


assert set(KIND_NAMES) == set(KINDS)
