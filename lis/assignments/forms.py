"""HTML forms for assignments (Flask-WTF: each carries a CSRF token).

Choices are filled in by the view (they depend on the draft and on who is assigning); the
rules themselves live in the services, whose field errors are shown on these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lis.assignments.services import MAX_TEXT, MAX_TITLE
from lis.web.validators import no_nul


class AssignForm(FlaskForm):
    doc = HiddenField(validators=[DataRequired(), Length(max=255), no_nul])
    stage = SelectField(_l("Stage"), validators=[DataRequired()])
    work_kind = SelectField(_l("Kind of work"), validators=[DataRequired()])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    person = SelectField(_l("Person (optional)"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE), no_nul])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=MAX_TEXT), no_nul]
    )
    due_date = DateField(_l("Due date"), validators=[DataRequired()])


class EditForm(FlaskForm):
    person = SelectField(_l("Person (optional)"), validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[DataRequired()])


class CloseForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_TEXT), no_nul])
