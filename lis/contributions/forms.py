"""HTML forms for logging and correcting a contribution (Flask-WTF: each carries a CSRF token).

The forms only check what a browser can get wrong (required fields, lengths, real dates);
choices are filled in by the view from the chosen draft, and the rules (dates, stages, the
assignment's draft, who may log) live in `lis.contributions.services`, whose field problems
the view puts next to these same fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from lis.contributions.rules import MAX_NOTE, MAX_REASON, MAX_TITLE
from lis.web.validators import no_nul


class PickDraftForm(FlaskForm):
    """Step one without JavaScript: choose the draft from a plain list (a GET form)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    doc = SelectField(_l("Draft"), validators=[DataRequired()])


class ContributionFields(FlaskForm):
    """The fields a contribution's author fills in, when logging it and when correcting it."""

    stage = SelectField(_l("Stage"), validators=[DataRequired()])
    work_kind = SelectField(_l("Kind of work"), validators=[DataRequired()])
    title = StringField(
        _l("Deliverable"), validators=[DataRequired(), Length(max=MAX_TITLE), no_nul]
    )
    file = FileField(_l("File (optional)"))
    due_date = DateField(_l("Due date"), validators=[Optional()])
    delivered_date = DateField(_l("Delivered on"), validators=[DataRequired()])
    version = SelectField(_l("Version (optional)"), validators=[Optional()])
    # Filled per version by the view; only the chosen version's articles are sent.
    articles = SelectMultipleField(
        _l("Articles (optional)"), validators=[Optional()], validate_choice=False
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE), no_nul])


class LogForm(ContributionFields):
    doc = HiddenField(validators=[DataRequired(), Length(max=255), no_nul])
    assignment = SelectField(_l("Assignment it answers (optional)"), validators=[Optional()])
    # Made when the form is rendered: a double click or a resent form finds the first row.
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=100), no_nul])


class EditForm(ContributionFields):
    pass


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON), no_nul])
