"""The upload form of the historical import (Flask-WTF: it carries a CSRF token).

The form only checks that a file came; whether it is a usable XLSX sheet, and whether its rows
pass, is decided by `lis.contributions.history`, whose report the page shows.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportForm(FlaskForm):
    file = FileField(
        _l("XLSX file"),
        validators=[FileRequired(_l("Choose the XLSX file to import."))],
        description=_l("At most 5 MB and 5,000 rows; the first row names the columns."),
    )
