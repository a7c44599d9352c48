"""HTML forms of the eligibility pages (Flask-WTF), and the words the pages and the API use
for outcomes, explanations, provisions and cited facts.

The rules and who may run them live in `emulation.eligibility`; the sentences in
`emulation.rule_texts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from emulation import eligibility, legal
from emulation.title_rules import RuleResult
from lis.web.validators import no_nul


def outcome_label(outcome: str | None) -> str:
    """pass, fail, unknown in the reader's words (the rules' own)."""
    from emulation import rule_texts

    return rule_texts.outcome_label(outcome or "")


def explain(result: RuleResult | Mapping[str, Any]) -> str:
    """A rule's result (as the rules gave it, or as stored) in the reader's language."""
    if not isinstance(result, RuleResult):
        result = eligibility.result_of(result)
    from emulation import rule_texts  # written beside this module; read when first needed

    try:
        return str(rule_texts.explain(result))
    except (KeyError, ValueError, TypeError):  # a stored reason these texts no longer know
        return result.reason


@dataclass(frozen=True)
class ProvisionInfo:
    id: str
    label: str  # says "(not verified)" itself where the text was not verified
    verified: bool
    summary: str = ""


def provision_info(pid: str) -> ProvisionInfo:
    """A provision's citation and whether its text was verified (an id the catalogue no longer
    has is shown as it is, unverified)."""
    try:
        found = legal.provision(pid)
    except (KeyError, ValueError):
        return ProvisionInfo(pid, pid, False)
    from emulation import rule_texts

    return ProvisionInfo(
        pid,
        str(rule_texts.provision_label(pid)),
        bool(found.verified),
        str(rule_texts.provision_summary(pid)),
    )


def value_text(value: Any) -> str:
    """A parameter's value as the reader writes it."""
    if value is None:
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class EvaluateForm(FlaskForm):
    title = SelectField(_l("Emulation title"), validators=[InputRequired()], choices=[])
    year = IntegerField(
        _l("Year evaluated"),
        validators=[
            InputRequired(),
            NumberRange(min=eligibility.MIN_YEAR, max=eligibility.MAX_YEAR),
        ],
    )
    # The choices are the people and units the reader may evaluate; one outside them (a long
    # list cut short, or a forged form) is refused by the service, which names the field.
    person = SelectField(_l("Person"), validators=[Optional()], choices=[], validate_choice=False)
    unit = SelectField(
        _l("Unit (for a collective title)"),
        validators=[Optional(), Length(max=40)],
        choices=[],
        validate_choice=False,
    )
    on = DateField(_l("Evaluation day"), validators=[Optional()])


class WhatIfForm(FlaskForm):
    """Read from the query string (a what-if changes nothing, so it is a GET)."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), validators=[InputRequired()], choices=[])
    year = IntegerField(
        _l("Year evaluated"),
        validators=[
            InputRequired(),
            NumberRange(min=eligibility.MIN_YEAR, max=eligibility.MAX_YEAR),
        ],
    )
    title = SelectField(_l("Emulation title"), validators=[InputRequired()], choices=[])
    param = SelectField(_l("Parameter"), validators=[InputRequired()], choices=[])
    value = StringField(
        _l("New value"), validators=[Optional(), Length(max=eligibility.MAX_TEXT_VALUE), no_nul]
    )
