"""HTML forms of the records pages (Flask-WTF: each carries a CSRF token), and the words the
pages use for scopes, bases, kinds, discipline forms, case kinds and criteria.

Choices of units and titles are filled in by the views; the rules live in `emulation.records`,
whose field errors are put back on these fields (`FORM_FIELDS` maps their names).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from emulation import records
from emulation.commendation_models import (
    AWARD_BASES,
    AWARD_KINDS,
    CASE_KINDS,
    DISCIPLINE_FORMS,
    INITIATIVE_SCOPES,
)
from emulation.movement_forms import options
from lis.web.validators import no_nul

SCOPE_NAMES = {
    "grassroots": _l("Grassroots"),
    "na_agencies": _l("National Assembly agencies"),
    "ministry": _l("Ministry level"),
    "national": _l("National scope"),
}
BASIS_NAMES = {
    "excellent": _l("Excellent rating"),
    "initiative": _l("Initiative"),
    "science": _l("Scientific work"),
    "other": _l("Other basis"),
}
KIND_NAMES = {
    "regular": _l("Regular"),
    "thematic": _l("Thematic"),
    "extraordinary": _l("Extraordinary"),
}
DISCIPLINE_NAMES = {
    "reprimand": _l("Reprimand"),
    "warning": _l("Disciplinary warning"),
    "demotion": _l("Demotion"),
    "dismissal": _l("Dismissal"),
    "discharge": _l("Discharge"),
}
CASE_NAMES = {
    "discipline_review": _l("Discipline review"),
    "investigation": _l("Investigation"),
    "inspection": _l("Inspection"),
    "complaint": _l("Complaint or denunciation"),
    "press_report": _l("Press report"),
}
CRITERION_NAMES = {
    "solidarity": _l("Self-reliance, solidarity, active in emulation"),
    "exemplary": _l("Exemplary in following the Party's lines and the law"),
    "outstanding": _l("Outstanding, selected among the best"),
    "movement_achievement": _l("Outstanding achievement in an emulation movement"),
    "field_influence": _l("Achievement with influence in the field"),
    "great_contribution": _l("Great contribution"),
    "collective_emulation": _l("Collective: regular, effective emulation and solidarity"),
    "collective_excellence": _l("Collective: creative, beyond its targets, high quality"),
}
assert set(SCOPE_NAMES) == set(INITIATIVE_SCOPES) and set(BASIS_NAMES) == set(AWARD_BASES)
assert set(KIND_NAMES) == set(AWARD_KINDS) and set(DISCIPLINE_NAMES) == set(DISCIPLINE_FORMS)
assert set(CASE_NAMES) == set(CASE_KINDS) and set(CRITERION_NAMES) == set(records.KNOWN_CRITERIA)

# A service's field → the form's field that shows its error.
FORM_FIELDS = {
    "recognized_by_unit_id": "recognized_by_unit",
    "person_id": "person",
    "unit_id": "unit",
}
AUTHOR_ROWS = 5
MAX_PERSON_TEXT = 254
MAX_IDS_TEXT = 1000


def label(names: Mapping[str, Any], code: str | None) -> str:
    return str(names[code]) if code in names else (code or "")


def _choices(names: Mapping[str, Any]) -> list[Any]:
    return options(list(names.items()))


class AuthorRow(Form):
    """One author: a person by id or e-mail, and their share (blank rows are ignored)."""

    person = StringField(
        _l("Author (id or e-mail)"), validators=[Optional(), Length(max=MAX_PERSON_TEXT), no_nul]
    )
    share = FloatField(
        _l("Share"), validators=[Optional(), NumberRange(min=0, max=1)], default=None
    )


class InitiativeForm(FlaskForm):
    title = StringField(
        _l("Title of the initiative"),
        validators=[DataRequired(), Length(max=records.MAX_TITLE), no_nul],
    )
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=records.MAX_SUMMARY), no_nul]
    )
    recognized_by_unit = SelectField(_l("Recognised by"), validators=[DataRequired()])
    recognized_on = DateField(_l("Recognised on"), validators=[InputRequired()])
    scope = SelectField(_l("Scope"), choices=_choices(SCOPE_NAMES), validators=[DataRequired()])
    decision_no = StringField(
        _l("Decision number"),
        validators=[Optional(), Length(max=records.MAX_DECISION_NO), no_nul],
    )
    applied_effectively = BooleanField(_l("Applied with effect"), default=True)
    authors = FieldList(
        FormField(AuthorRow), min_entries=AUTHOR_ROWS, max_entries=records.MAX_AUTHORS
    )


class AwardForm(FlaskForm):
    person = StringField(
        _l("Person (id or e-mail)"),
        validators=[Optional(), Length(max=MAX_PERSON_TEXT), no_nul],
    )
    unit = SelectField(_l("Or a unit (for a collective title)"), validators=[Optional()])
    title_code = SelectField(_l("Title or form"), validators=[DataRequired()])
    year = IntegerField(
        _l("Calendar year"),
        validators=[InputRequired(), NumberRange(min=records.MIN_YEAR, max=records.MAX_YEAR)],
    )
    basis = SelectField(
        _l("Basis"), choices=_choices(BASIS_NAMES), default="other", validators=[DataRequired()]
    )
    kind = SelectField(
        _l("Kind of award"),
        choices=_choices(KIND_NAMES),
        default="regular",
        validators=[DataRequired()],
    )
    decision_no = StringField(
        _l("Decision number"),
        validators=[Optional(), Length(max=records.MAX_DECISION_NO), no_nul],
    )
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    initiative_ids = StringField(
        _l("Initiatives used (their ids, separated by commas)"),
        validators=[Optional(), Length(max=MAX_IDS_TEXT), no_nul],
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for revoking"),
        validators=[DataRequired(), Length(max=records.MAX_REASON), no_nul],
    )


class AttestForm(FlaskForm):
    year = IntegerField(
        _l("Calendar year"),
        validators=[InputRequired(), NumberRange(min=records.MIN_YEAR, max=records.MAX_YEAR)],
    )
    criterion = SelectField(
        _l("Criterion"), choices=_choices(CRITERION_NAMES), validators=[DataRequired()]
    )
    holds = SelectField(
        _l("Attestation"),
        choices=options([("yes", _l("The criterion holds")), ("no", _l("It does not hold"))]),
        default="yes",
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=records.MAX_NOTE), no_nul])


class DisciplineForm(FlaskForm):
    form = SelectField(
        _l("Disciplinary measure"),
        choices=_choices(DISCIPLINE_NAMES),
        validators=[DataRequired()],
    )
    decided_on = DateField(_l("Decided on"), validators=[InputRequired()])
    effective_to = DateField(_l("In effect until"), validators=[Optional()])
    decision_no = StringField(
        _l("Decision number"),
        validators=[Optional(), Length(max=records.MAX_DECISION_NO), no_nul],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=records.MAX_NOTE), no_nul])


class CaseForm(FlaskForm):
    kind = SelectField(
        _l("Kind of case"), choices=_choices(CASE_NAMES), validators=[DataRequired()]
    )
    opened_on = DateField(_l("Opened on"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=records.MAX_NOTE), no_nul])


class CloseCaseForm(FlaskForm):
    closed_on = DateField(_l("Closed on"), validators=[Optional()])
    note = TextAreaField(
        _l("Closing note"), validators=[Optional(), Length(max=records.MAX_NOTE), no_nul]
    )
