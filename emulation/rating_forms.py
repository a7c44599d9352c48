"""HTML forms of the ratings page (Flask-WTF: each carries a CSRF token), and the words the
page and the API use for bands and for the reasons behind a suggestion.

The page writes one decide form per row out in the template (so each row's fields get their
own ids); these classes validate what comes back. The rules live in `emulation.ratings`, whose
field errors are shown beside the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from emulation import rating_rules as rules
from emulation.models import BANDS
from emulation.ratings import MAX_COMMENT, MAX_OVERRIDE, MAX_YEAR, MIN_YEAR, Reason
from lis.contributions.review_forms import QUALITY_NAMES
from lis.drafts.forms import options
from lis.web.validators import no_nul

# The four bands by their official names (the same words as the contributions' quality).
BAND_NAMES = {code: QUALITY_NAMES[code] for code in BANDS}


def band_label(code: str | None) -> str:
    return str(BAND_NAMES[code]) if code in BAND_NAMES else ""


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(format_decimal(value, format="#,##0.##"))
    return "—"


def score_text(value: float | None) -> str:
    """A score as the reader writes numbers (85,5 in Vietnamese), "—" when there is none."""
    return _number(value)


def reason_text(reason: Reason | None) -> str:
    """The reason for a suggestion, as a sentence in the reader's language."""
    if reason is None:
        return ""
    p: Mapping[str, Any] = reason.params
    score = _number(p.get("score"))
    if reason.code == rules.NO_SCORE:
        return _("No score for the year: nothing to suggest.")
    if reason.code == rules.SCORE:
        low, high = p.get("min"), p.get("max")
        if low is not None and high is not None:
            return _(
                "Score %(score)s: from %(min)s to under %(max)s points.",
                score=score,
                min=_number(low),
                max=_number(high),
            )
        if low is not None:
            return _("Score %(score)s: %(min)s points or more.", score=score, min=_number(low))
        return _("Score %(score)s: under %(max)s points.", score=score, max=_number(high))
    if reason.code == rules.DISCIPLINED:
        return _("Disciplined in the year: not completed, whatever the score.")
    cap = {
        "score": score,
        "limit": _number(p.get("limit")),
        "count": _number(p.get("count")),
        "percent": _number(p.get("percent")),
    }
    if reason.code == rules.CAP:
        return _(
            "Score %(score)s reaches excellent, but at most %(limit)s of the %(count)s people "
            "rated good or better in the unit may be excellent (%(percent)s%%): suggested good.",
            **cap,
        )
    if reason.code == rules.CAP_TIE:
        return _(
            "Score %(score)s ties with others at the limit of the cap (at most %(limit)s "
            "excellent of %(count)s rated good or better, %(percent)s%%): suggested good; "
            "the head decides among the tied.",
            **cap,
        )
    if reason.code == "text":
        return str(p.get("text", ""))
    return reason.code


class DecideForm(FlaskForm):
    band = SelectField(
        _l("Decided band"),
        choices=options(list(BAND_NAMES.items())),
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT), no_nul])
    cap_override_reason = StringField(
        _l("Reason to exceed the cap of excellent"),
        validators=[Optional(), Length(max=MAX_OVERRIDE), no_nul],
    )
    next = HiddenField(validators=[Optional(), Length(max=2000)])


class SuggestForm(FlaskForm):
    unit = HiddenField(validators=[DataRequired(), Length(max=40), no_nul])
    year = IntegerField(validators=[InputRequired(), NumberRange(min=MIN_YEAR, max=MAX_YEAR)])
    next = HiddenField(validators=[Optional(), Length(max=2000)])
