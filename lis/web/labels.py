"""Labels and formats in the reader's language, shared by every template."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import format_date, format_number, get_locale
from flask_babel import lazy_gettext as _l

from lis.documents.models import KIND_LABELS
from lis.drafts.machine import stage_label
from lis.i18n import LANGUAGES

# Kind names in the UI language: the msgids are English, the Vietnamese catalogue holds the
# labels of KIND_LABELS (a test checks that they agree).
KIND_NAMES = {
    "law": _l("Law"),
    "code": _l("Code"),
    "ordinance": _l("Ordinance"),
    "resolution": _l("Resolution"),
    "joint_resolution": _l("Joint resolution"),
    "decree": _l("Decree"),
    "circular": _l("Circular"),
    "joint_circular": _l("Joint circular"),
    "decision": _l("Decision"),
    "directive": _l("Directive"),
    "edict": _l("Edict"),
}
STATUS_NAMES = {
    "in_force_at_codification": _l("In force when codified"),
    "unknown": _l("Status unknown"),
}
FACET_TITLES = {
    "kind": _l("Kind"),
    "issuer": _l("Issuer"),
    "status": _l("Status"),
    "year": _l("Year"),
    "origin": _l("Source"),
    "stage": _l("Stage"),
    "holder": _l("Held by"),
    "committee": _l("Lead committee"),
    "term": _l("NA term"),
    "session": _l("Planned session"),
    "adviser": _l("Advising units"),
}
# What each invalid search parameter means to a reader (marshmallow's messages are for machines).
FIELD_ERRORS = {
    "q": _l("The query is too long: at most 500 characters."),
    "kind": _l("Unknown document kind: the filter was ignored."),
    "issuer": _l("Invalid issuer: the filter was ignored."),
    "status": _l("Unknown status: the filter was ignored."),
    "origin": _l("Unknown source: the filter was ignored."),
    "stage": _l("Unknown stage: the filter was ignored."),
    "holder": _l("Invalid unit code: the filter was ignored."),
    "committee": _l("Invalid committee code: the filter was ignored."),
    "term": _l("Invalid term code (e.g. XV): the filter was ignored."),
    "session": _l("Invalid session (e.g. XV-9): the filter was ignored."),
    "adviser": _l("Invalid unit code: the filter was ignored."),
    "year_from": _l("Enter a year from 1800 to 2100, not after the end year."),
    "year_to": _l("Enter a year from 1800 to 2100."),
    "sort": _l("Unknown sort order: results are sorted by relevance."),
    "page": _l("There is no such page of results: page numbers start at 1."),
    "per_page": _l("Results per page must be from 1 to 100."),
}


# --------------------------------------------------------------------------
# Labels and formats shared by every template
# --------------------------------------------------------------------------


def kind_label(code: str) -> str:
    return str(KIND_NAMES[code]) if code in KIND_NAMES else KIND_LABELS.get(code, code)


def status_label(code: str) -> str:
    return str(STATUS_NAMES.get(code, code))


def current_language() -> str:
    return str(get_locale() or "vi")


def localized_name(obj: Any) -> str:
    """A reference row's name (unit, kind of work, criterion, title) in the reader's language."""
    if obj is None:
        return ""
    return obj.name_en if current_language() == "en" and getattr(obj, "name_en", "") else obj.name


def stage_name(code: str | None) -> str:
    """A stage's name in the UI language (the stage machine holds both)."""
    return stage_label(code, current_language()) if code else ""


def format_day(value: dt.date | None) -> str:
    """Vietnamese readers expect 21/11/2007; English readers get 21 Nov 2007."""
    if value is None:
        return ""
    return format_date(value, "dd/MM/yyyy" if str(get_locale()) == "vi" else "d MMM y")


def format_count(value: int) -> str:
    """4.344 in Vietnamese, 4,344 in English."""
    return format_number(value)


def language_url(lang: str) -> str:
    """The current page in another language (the choice is then kept in the session)."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    params.append(("lang", lang))
    return f"{request.path}?{urlencode(params)}"


def template_globals() -> dict[str, Any]:
    return {
        "kind_label": kind_label,
        "status_label": status_label,
        "stage_name": stage_name,
        "language_url": language_url,
        "current_language": str(get_locale() or "vi"),
        "LANGUAGES": LANGUAGES,
    }
