"""Pages for heads: the review queue, verify or reject, rate, record outcomes.

- `/review/`: submitted contributions of the head's unit and the units under it (administrators:
  every unit, or the one they pick), grouped by draft or sorted by delivery date, each with
  Verify and Reject-with-a-reason.
- `/review/?tab=recent`: what was verified or rejected lately; verified ones carry the quality
  rating form (the four bands of DESIGN §2) and the outcome form (a later version of the draft).
- POST `/review/<id>/verify|reject|rate|outcome`: the changes, back to the page they came from.

Only heads and administrators open these; the rules (reach, nobody reviews their own work,
states) are `lis.contributions.review`'s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lis.auth.access import require_roles
from lis.contributions import review
from lis.contributions.models import Contribution
from lis.contributions.review_forms import (
    OUTCOME_NAMES,
    QUALITY_NAMES,
    OutcomeForm,
    RatingForm,
    RejectForm,
    VerifyForm,
)
from lis.db import db, page_of, transaction
from lis.drafts.machine import stage_label
from lis.errors import DomainError
from lis.people.queries import person_of_user, units_with_depth
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint("review", __name__, url_prefix="/review")

PER_PAGE = 50
TABS = ("queue", "recent")
ORDERS = ("draft", "delivered")
FIELD_MESSAGES = {
    "reason": _l("Say why it goes back (at most 2,000 characters)."),
    "quality": _l("Choose one of the four bands."),
    "major_errors": _l("Give a whole number from 0 to 100."),
    "comment": _l("The comment is too long."),
    "outcome": _l("Choose an outcome."),
    "version": _l("Choose a later version of the draft than the one the advice concerns."),
}


def _is_late(c: Contribution) -> bool:
    return c.due_date is not None and c.delivered_date > c.due_date


def _args() -> Any:
    """The page's query: the request's, or (re-rendering after a failed form) the query of the
    page the form was posted from."""
    return g.get("review_args") or request.args


def _arg(name: str, allowed: tuple[str, ...]) -> str:
    value = _args().get(name, allowed[0])
    return value if value in allowed else allowed[0]


def _page() -> int:
    page = _args().get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in _args().items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{url_for('review.queue')}?{urlencode(params)}"


def _unit_choices() -> list[tuple[Unit, int]]:
    """Units a reviewer may pick, indented by depth: all for administrators, else their reach."""
    session = db.session()
    reach = review.review_reach(session, current_user)
    units = [(u, d) for u, d in units_with_depth(session) if reach is None or u.id in reach]
    top = min((d for _u, d in units), default=0)  # a head's own unit is not indented
    return [(u, d - top) for u, d in units]


def _filter() -> tuple[review.QueueFilter, Unit | None]:
    session = db.session()
    code = _args().get("unit", "").strip()
    unit = None
    if code:
        if len(code) > 40 or not code.isprintable():
            abort(404)
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            abort(404)
    elif not current_user.has_role("admin"):
        person = person_of_user(session, current_user.id)
        unit = person.unit if person is not None else None
    # The filter form sends `f=1` and the box only when ticked; links without `f` mean "yes".
    subs = _args().get("sub_units") == "1" if _args().get("f") else True
    f = review.QueueFilter(unit_id=unit.id if unit else None, include_sub_units=subs)
    return f, unit


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "review_name": _name,
        "review_stage_label": lambda code: stage_label(code, _lang()),
        "review_is_late": _is_late,
        "review_quality_label": lambda code: str(QUALITY_NAMES.get(code, code or "")),
        "review_outcome_label": lambda code: str(OUTCOME_NAMES.get(code, code or "")),
    }


def _render(errors: dict[int, dict[str, str]] | None = None, status: int = 200) -> Any:
    session = db.session()
    tab = _arg("tab", TABS)
    order = _arg("order", ORDERS)
    f, unit = _filter()
    queue = review.review_queue(session, current_user, f=f)
    recent = review.recently_reviewed(session, current_user, f)
    stmt = queue if tab == "queue" else recent
    if tab == "queue" and order == "draft":
        stmt = stmt.order_by(None).order_by(
            Contribution.document_id.desc(), Contribution.delivered_date, Contribution.id
        )
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    counts = review.queue_counts(session, queue)
    groups = (
        review.group_by_document(rows) if tab == "queue" and order == "draft" else [(None, rows)]
    )
    later = {c.id: review.later_versions(session, c) for c in rows if c.state == "verified"}
    return render_template(
        "review/queue.html",
        tab=tab,
        tabs=TABS,
        order=order,
        unit=unit,
        sub_units=f.include_sub_units,
        unit_choices=_unit_choices(),
        groups=groups,
        rows=rows,
        total=total,
        counts=counts,
        recent_total=page_of(session, recent, 1, 1)[0],
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        later=later,
        errors=errors or {},
        values=request.form if errors else {},
        quality_names=QUALITY_NAMES,
        outcome_names=OUTCOME_NAMES,
        next_url=_page_url(),
    ), status


@bp.route("/")
@require_roles(*review.REVIEW_ROLES)
def queue() -> Any:
    """The review queue (or the recently reviewed tab) of the head's units."""
    return _render()


def _back() -> Any:
    """Back to the queue page the form was posted from (only ever a path of ours)."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(url_for("review.queue")):
        target = url_for("review.queue")
    return redirect(target)


def _failed(contribution_id: int, fields: dict[str, Any], message: str) -> Any:
    """Show a form's problems beside its row, on the page it came from (422)."""
    g.review_args = MultiDict(parse_qsl(urlsplit(request.form.get("next", "")).query))
    errors = {
        name: str(FIELD_MESSAGES.get(name, problem if isinstance(problem, str) else problem[0]))
        for name, problem in fields.items()
    }
    db.session().rollback()
    flash(message, "error")
    return _render({contribution_id: errors}, 422)


def _apply(contribution_id: int, form: Any, change: Any, done: str) -> Any:
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _failed(contribution_id, form.errors, _("Please correct the marked fields."))
    try:
        with transaction() as session:
            change(session)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if exc.status == 409:
            flash(_("This contribution was changed meanwhile; the page shows it as it is now."))
            return _back()
        return _failed(contribution_id, exc.fields, _("Please correct the marked fields."))
    flash(done, "info")
    return _back()


@bp.route("/<int:contribution_id>/verify", methods=["POST"])
@require_roles(*review.REVIEW_ROLES)
def verify(contribution_id: int) -> Any:
    return _apply(
        contribution_id,
        VerifyForm(),
        lambda s: review.verify(s, current_user, contribution_id),
        _("The contribution is verified."),
    )


@bp.route("/<int:contribution_id>/reject", methods=["POST"])
@require_roles(*review.REVIEW_ROLES)
def reject(contribution_id: int) -> Any:
    form = RejectForm()
    return _apply(
        contribution_id,
        form,
        lambda s: review.reject(s, current_user, contribution_id, form.reason.data or ""),
        _("The contribution is sent back to its author."),
    )


@bp.route("/<int:contribution_id>/rate", methods=["POST"])
@require_roles(*review.REVIEW_ROLES)
def rate(contribution_id: int) -> Any:
    form = RatingForm()
    return _apply(
        contribution_id,
        form,
        lambda s: review.rate(
            s,
            current_user,
            contribution_id,
            form.quality.data or "",
            form.comment.data or "",
            form.major_errors.data if form.major_errors.data is not None else 0,
        ),
        _("The rating is saved."),
    )


@bp.route("/<int:contribution_id>/outcome", methods=["POST"])
@require_roles(*review.REVIEW_ROLES)
def outcome(contribution_id: int) -> Any:
    form = OutcomeForm()
    return _apply(
        contribution_id,
        form,
        lambda s: review.record_outcome(
            s, current_user, contribution_id, form.outcome.data or "", form.version.data or 0
        ),
        _("The outcome is recorded."),
    )
