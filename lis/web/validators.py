"""Form validators shared by the web forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError


def no_nul(_form: FlaskForm, field: object) -> None:
    """PostgreSQL text cannot hold NUL characters."""
    if "\x00" in (getattr(field, "data", None) or ""):
        raise ValidationError(_l("Remove the invalid characters."))
