"""Pages: the relations panel of a document page; confirm, dismiss, enter or delete relations.

The panel is a partial (``relations/_panel.html``) that the document page includes; its data
comes from the template global ``relations_panel(document)`` registered here, so the document
view needs no change when relations do.  Every form posts here and comes back to the document
page it was sent from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from lis.auth.access import require_roles
from lis.db import db, transaction
from lis.documents import queries
from lis.documents.models import Document
from lis.errors import DomainError
from lis.relations import services
from lis.relations.api import DECIDERS
from lis.relations.forms import KIND_NAMES, BackForm, ConfirmForm, CreateForm, DismissForm
from lis.relations.models import KINDS, Relation

bp = Blueprint("relations", __name__)

# How each kind reads from the source's side and from the target's side.
DIRECTION_NAMES = {
    ("basis", "outgoing"): _l("Legal basis"),
    ("basis", "incoming"): _l("Legal basis of"),
    ("amends", "outgoing"): _l("Amends"),
    ("amends", "incoming"): _l("Amended by"),
    ("replaces", "outgoing"): _l("Replaces"),
    ("replaces", "incoming"): _l("Replaced by"),
    ("guides", "outgoing"): _l("Guides or details"),
    ("guides", "incoming"): _l("Guided or detailed by"),
    ("repeals", "outgoing"): _l("Repeals"),
    ("repeals", "incoming"): _l("Repealed by"),
}
assert {kind for kind, _direction in DIRECTION_NAMES} == set(KINDS)


@dataclass
class Group:
    kind: str
    direction: str
    title: str
    relations: list[Relation]


@dataclass
class Panel:
    """What the partial shows for one document, and what the reader may do there."""

    document: Document
    groups: list[Group]
    suggestions: list[Relation]
    can_decide: bool
    can_delete: bool

    def kind_name(self, kind: str) -> str:
        return str(KIND_NAMES.get(kind, kind))

    def other(self, relation: Relation) -> Document | None:
        """The document at the other end of a relation (None: only its number is known)."""
        return relation.target if relation.source_id == self.document.id else relation.source


def relations_panel(document: Document) -> Panel:
    data = services.relations_of(db.session(), document)
    groups = [
        Group(kind, direction, str(DIRECTION_NAMES[kind, direction]), rows)
        for kind, direction, rows in data.grouped()
    ]
    return Panel(
        document=document,
        groups=groups,
        suggestions=data.suggestions,
        can_decide=bool(current_user.has_role("admin", *DECIDERS)),
        can_delete=bool(current_user.has_role("admin")),
    )


@bp.app_context_processor
def _panel_globals() -> dict[str, Any]:
    return {"relations_panel": relations_panel}


def _back(form: BackForm, fallback: Document | None) -> Response:
    """The document page the form was sent from (when it exists), at the relations panel."""
    doc_id = form.back.data or ""
    if (
        not doc_id
        or db.session().scalar(select(Document.id).where(Document.external_id == doc_id[:255]))
        is None
    ):
        doc_id = fallback.external_id if fallback is not None else ""
    if not doc_id:
        return redirect(url_for("web.search"))
    return redirect(url_for("web.document", doc_id=doc_id, _anchor="relations"))


def _invalid(form: FlaskForm) -> None:
    for name, problems in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        flash(_("%(field)s: %(problem)s", field=label, problem="; ".join(problems)), "error")


def _failed(exc: DomainError) -> None:
    flash(_("The change was not saved: %(reason)s", reason=exc.message), "error")


def _source_of(relation_id: int) -> Document | None:
    relation = db.session().get(Relation, relation_id)
    return relation.source if relation is not None else None


@bp.post("/relations/<int:relation_id>/confirm")
@require_roles(*DECIDERS)
def confirm(relation_id: int) -> Response:
    form = ConfirmForm()
    fallback = _source_of(relation_id)
    if not form.validate_on_submit():
        _invalid(form)
        return _back(form, fallback)
    try:
        with transaction() as session:
            services.confirm(
                session, relation_id, current_user, kind=form.kind.data or None, note=form.note.data
            )
        flash(_("The relation was confirmed."), "info")
    except DomainError as exc:
        _failed(exc)
    return _back(form, fallback)


@bp.post("/relations/<int:relation_id>/dismiss")
@require_roles(*DECIDERS)
def dismiss(relation_id: int) -> Response:
    form = DismissForm()
    fallback = _source_of(relation_id)
    if not form.validate_on_submit():
        _invalid(form)
        return _back(form, fallback)
    try:
        with transaction() as session:
            services.dismiss(session, relation_id, current_user, note=form.note.data)
        flash(_("The suggestion was dismissed."), "info")
    except DomainError as exc:
        _failed(exc)
    return _back(form, fallback)


@bp.post("/relations/<int:relation_id>/delete")
@require_roles("admin")
def delete(relation_id: int) -> Response:
    form = BackForm()
    fallback = _source_of(relation_id)
    try:
        with transaction() as session:
            services.delete(session, relation_id, current_user)
        flash(_("The relation was deleted."), "info")
    except DomainError as exc:
        _failed(exc)
    return _back(form, fallback)


@bp.post("/documents/<string:doc_id>/relations")
@require_roles(*DECIDERS)
def create(doc_id: str) -> Response:
    source = queries.get_document(db.session(), doc_id)
    form = CreateForm()
    if not form.validate_on_submit():
        _invalid(form)
        return _back(form, source)
    try:
        with transaction() as session:
            services.create_relation(
                session,
                source,
                current_user,
                kind=form.kind.data,
                cited_number=form.cited_number.data,
                note=form.note.data,
            )
        flash(_("The relation was saved."), "info")
    except DomainError as exc:
        _failed(exc)
    return _back(form, source)


@bp.post("/documents/<string:doc_id>/relations/suggest")
@require_roles(*DECIDERS)
def suggest(doc_id: str) -> Response:
    document = queries.get_document(db.session(), doc_id)
    form = BackForm()
    with transaction() as session:
        created = services.suggest_for_document(session, document, current_user)
    flash(
        ngettext("%(num)s new suggestion.", "%(num)s new suggestions.", len(created))
        if created
        else _("No new suggestions."),
        "info",
    )
    return _back(form, document)
