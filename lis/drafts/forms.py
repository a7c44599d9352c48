"""HTML forms for drafts (Flask-WTF: each carries a CSRF token).

The forms check what a browser can get wrong (required, lengths, real dates); the rules (units,
sessions, the stage machine, who may act, file contents) live in `lis.drafts.services`, whose
field problems the views put next to these same fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


def options(pairs: list[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as wtforms' SelectChoice (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


KIND_CHOICES = [
    ("law", _l("Law")),
    ("code", _l("Code")),
    ("resolution", _l("Resolution")),
    ("ordinance", _l("Ordinance")),
    ("joint_resolution", _l("Joint resolution")),
]
ADOPTER_CHOICES = [
    ("QH", _l("The National Assembly")),
    ("UBTVQH", _l("The NA Standing Committee")),
]
PROCEDURE_CHOICES = [
    ("normal", _l("Normal")),
    ("shortened", _l("Shortened")),
    ("special", _l("Special case")),
]
# Problems the services report, in the UI language (others are shown as they are).
PROBLEMS = {
    "required": _l("This is required."),
    "unknown unit": _l("There is no unit with this code."),
    "closed unit": _l("This unit has been closed."),
    "unknown term": _l("There is no such term."),
    "unknown session": _l("There is no such session."),
    "no NA procedure": _l("This kind of document has no procedure at the National Assembly."),
    "drafting_agency or drafting_unit is required": _l(
        "Name the drafting agency or choose the drafting unit."
    ),
    "unchanged": _l("The text is identical to the latest version."),
    "too large": _l("The file is larger than 5 MB."),
    "too long": _l("The text is too long."),
    "unsupported type": _l("Upload a .txt or .docx file."),
    "corrupt": _l("The file is not a readable .docx document."),
    "empty": _l("The file is empty."),
    "encoding": _l("The text's encoding is not recognised."),
    "not text": _l("The file does not contain plain text."),
    "future": _l("The date is in the future."),
    "before previous": _l("The date is before the previous stage event."),
    "before the previous version": _l("The date is before the date of the previous version."),
    "admin only": _l("Only an administrator may change this after the draft is created."),
    "not a verifying body": _l(
        "The lead verifying unit must be the Ethnic Council or a committee of the National "
        "Assembly."
    ),
    "not allowed": _l("The stage machine does not allow this move."),
}


class DraftForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(KIND_CHOICES), validators=[DataRequired()])
    adopted_by = SelectField(
        _l("Adopted by"),
        choices=options(ADOPTER_CHOICES),
        description=_l("For resolutions: the body that adopts it."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=2000)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=10_000)])
    drafting_agency = StringField(
        _l("Drafting agency"),
        validators=[Optional(), Length(max=300)],
        description=_l("A body outside the Assembly, e.g. Chính phủ."),
    )
    drafting_unit = SelectField(
        _l("Drafting unit"),
        validate_choice=False,
        description=_l("When a body of the Assembly drafts it."),
    )
    lead_unit = SelectField(_l("Lead verifying unit"), validate_choice=False)
    term = SelectField(_l("Term"), validate_choice=False)
    planned_sessions = SelectMultipleField(
        _l("Planned sessions"),
        validate_choice=False,
        description=_l("One, or two for a law passed over two sessions."),
    )
    subjects = StringField(
        _l("Subjects"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Separated by commas."),
    )
    procedure = SelectField(_l("Procedure"), choices=options(PROCEDURE_CHOICES))


class DraftEditForm(DraftForm):
    kind = None  # type: ignore[assignment]  # the kind fixes the stage machine
    adopted_by = None  # type: ignore[assignment]


class VersionForm(FlaskForm):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("E.g. Dự thảo trình Quốc hội, Dự thảo chỉnh lý sau thẩm tra."),
    )
    version_date = DateField(_l("Date of the version"), validators=[Optional()])
    text = TextAreaField(
        _l("Paste the text"),
        validators=[Optional(), Length(max=2_000_000)],
    )
    file = FileField(
        _l("Or upload a file"),
        description=_l(".docx or .txt (UTF-8, UTF-16 or Windows-1258), at most 5 MB."),
    )


class StageForm(FlaskForm):
    to = SelectField(_l("Next stage"), validate_choice=False, validators=[DataRequired()])
    event_date = DateField(_l("Date of the event"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
