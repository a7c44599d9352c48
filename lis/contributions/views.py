"""Pages: log a contribution, and a person's own record with its exports.

- `/contributions/`: my contributions of a year, by state, with totals per state and per kind
  of work, late deliveries marked, and links to the CSV and XLSX exports.
- `/contributions/new`: log one in under a minute. Step one picks the draft (a text box that
  suggests drafts as one types, from `/contributions/drafts.json`; without JavaScript a plain
  list); step two (`?doc=<external id>`, optionally `&assignment=<id>`) is the form itself.
  A key made when the form is rendered goes with the POST, so a double click or a resent form
  never logs twice.
- `/contributions/<id>`: one contribution with its file and its history from the audit log;
  its author edits or withdraws it while it is submitted or rejected.

Rules live in `lis.contributions.services`; this module only turns forms into its calls and
its field errors back into messages next to the fields. Deputies get 403 on every page here.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lis import clock
from lis.assignments.models import Assignment
from lis.assignments.services import stages_for
from lis.audit.models import AuditEvent
from lis.audit.services import AuditFilter, list_events
from lis.auth.access import require_roles
from lis.contributions import exports, rules, services
from lis.contributions.forms import (
    ContributionFields,
    EditForm,
    LogForm,
    PickDraftForm,
    WithdrawForm,
)
from lis.contributions.models import STATES, Contribution
from lis.db import db, transaction
from lis.documents.models import Document, Version, VersionPart
from lis.drafts.machine import stage_label
from lis.errors import Conflict, DomainError, PermissionDenied
from lis.people.queries import person_of_user, unit_ids_of_user
from lis.reference.models import WorkKind
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name
from search.analysis import fold

bp = Blueprint("contributions", __name__, url_prefix="/contributions")

# Who logs their own work, and who may open the ledger's pages at all (deputies may not).
LOG_ROLES: tuple[str, ...] = services.LOG_ROLES
READ_ROLES: tuple[str, ...] = services.READ_ROLES
MAX_SUGGESTIONS = 12

STATE_NAMES = {
    "submitted": _l("Submitted"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
AUDIT_ACTIONS = {
    "create": _l("Logged"),
    "log": _l("Logged"),
    "import": _l("Imported"),
    "update": _l("Changed"),
    "edit": _l("Changed"),
    "resubmit": _l("Corrected and resubmitted"),
    "withdraw": _l("Withdrawn"),
    "verify": _l("Verified"),
    "reject": _l("Rejected"),
    "rate": _l("Rated"),
    "re-rate": _l("Rated again"),
    "outcome": _l("Outcome recorded"),
}
# A service's field problems (lis.contributions.rules and services), in the UI language; the
# text after the known start (a date, a stage…) is kept. Unknown problems are shown as they are.
PROBLEMS: tuple[tuple[str, Any], ...] = (
    ("required", _l("This is required.")),
    ("not a date", _l("Enter a date as YYYY-MM-DD.")),
    ("in the future", _l("The date is in the future.")),
    ("before the draft existed", _l("The date is before the draft was created")),
    (
        "more than 5 years after the draft",
        _l("The date is more than five years after the draft was created."),
    ),
    (
        "not a stage of this draft's procedure",
        _l("This stage is not part of the draft's procedure."),
    ),
    ("after the draft's current stage", _l("The draft has not reached this stage yet.")),
    ("not work for stage", _l("This kind of work does not belong to the chosen stage.")),
    ("unknown", _l("There is no such entry.")),
    ("another draft", _l("This assignment is for another draft.")),
    ("assigned to another", _l("This assignment is given to someone else.")),
    ("for stage", _l("This assignment is for another stage: choose its stage.")),
    ("not a version of this draft", _l("This version does not belong to the draft.")),
    ("not articles of version", _l("These articles are not in the chosen version:")),
    ("no version", _l("The draft has no version to take articles from.")),
    ("at most", _l("The text is too long.")),
    ("empty", _l("The file is empty.")),
    ("larger than", _l("The file is larger than")),
    ("NUL character", _l("Remove the invalid characters.")),
    ("not a draft", _l("Contributions are logged on drafts only.")),
)
# The service's field names that have no field of their own on the forms.
FORM_FIELD = {"document": "doc", "assignment_id": "assignment"}


def _today() -> dt.date:
    return clock.today()


def _is_late(c: Contribution) -> bool:
    return c.due_date is not None and c.delivered_date > c.due_date


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "contribution_state_label": lambda code: str(STATE_NAMES.get(code, code)),
        "contribution_name": _name,
        "contribution_stage_label": lambda code: stage_label(code, _lang()),
        "contribution_is_late": _is_late,
    }


# --------------------------------------------------------------------------
# Drafts: the picker's suggestions
# --------------------------------------------------------------------------


def _drafts() -> list[Document]:
    """Every draft, newest first: there are at most a few hundred at a time."""
    stmt = select(Document).where(Document.origin == "draft").order_by(Document.id.desc())
    return list(db.session().scalars(stmt))


def match_drafts(query: str, limit: int = MAX_SUGGESTIONS) -> list[Document]:
    """Drafts whose id, number or title holds every word typed, with or without diacritics;
    the last word may be partial (people are still typing it). The id counts because a draft
    made in LIS has no number until it is adopted: its id (draft-12) is what its page shows."""
    words = fold(query).split()
    found = []
    for doc in _drafts():
        haystack = fold(f"{doc.external_id} {doc.number or ''} {doc.title or ''}")
        if all(word in haystack for word in words):
            found.append(doc)
            if len(found) >= limit:
                break
    return found


def _draft_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.external_id,
        "number": doc.number or "",
        "title": doc.title,
        "stage": doc.stage,
        "stage_label": stage_label(doc.stage, _lang()),
        "url": url_for("contributions.new", doc=doc.external_id),
    }


@bp.route("/drafts.json")
@require_roles(*LOG_ROLES)
def drafts_json() -> Any:
    """Suggestions for the draft picker: `?q=` words of the number or title."""
    query = request.args.get("q", "")[:200]
    if not query.isprintable():
        query = ""
    return jsonify({"items": [_draft_json(d) for d in match_drafts(query)]})


# --------------------------------------------------------------------------
# Logging
# --------------------------------------------------------------------------


def _draft_or_404(external_id: str) -> Document:
    doc = None
    if external_id and len(external_id) <= 255 and external_id.isprintable():
        doc = db.session().scalar(
            select(Document).where(Document.external_id == external_id, Document.origin == "draft")
        )
    if doc is None:
        abort(404)
    return doc


def _my_open_assignments(doc: Document) -> list[Assignment]:
    """Open work on this draft given to me, or to one of my units as a whole."""
    session = db.session()
    person = person_of_user(session, current_user.id)
    if person is None:
        return []
    units = unit_ids_of_user(session, current_user.id)
    stmt = (
        select(Assignment)
        .where(
            Assignment.document_id == doc.id,
            Assignment.state == "open",
            or_(
                Assignment.person_id == person.id,
                Assignment.person_id.is_(None) & Assignment.unit_id.in_(sorted(units)),
            ),
        )
        .options(selectinload(Assignment.work_kind))
        .order_by(Assignment.due_date, Assignment.id)
    )
    return list(session.scalars(stmt))


def _versions(doc: Document) -> list[Version]:
    from lis.drafts.queries import versions

    return versions(db.session(), doc)


def _articles(versions: list[Version]) -> dict[int, list[VersionPart]]:
    """The articles of each version (by seq), in their order in the text."""
    by_id = {v.id: v.seq for v in versions}
    out: dict[int, list[VersionPart]] = {v.seq: [] for v in versions}
    if not by_id:
        return out
    stmt = (
        select(VersionPart)
        .where(VersionPart.version_id.in_(sorted(by_id)), VersionPart.kind == "article")
        .order_by(VersionPart.version_id, VersionPart.ordinal)
    )
    for part in db.session().scalars(stmt):
        out[by_id[part.version_id]].append(part)
    return out


def _stages(doc: Document) -> list[str]:
    """The draft's stages up to the one it is in: work is logged on what has happened."""
    stages = stages_for(doc)
    if doc.stage in stages:
        return stages[: stages.index(doc.stage) + 1]
    return stages or ([doc.stage] if doc.stage else [])


def _fill_choices(form: ContributionFields, doc: Document, stage: str | None) -> dict[str, Any]:
    """Fill the form's choices from the draft; return what the template needs besides."""
    lang = _lang()
    form.stage.choices = [(s, stage_label(s, lang)) for s in _stages(doc)]
    kinds = list(db.session().scalars(select(WorkKind).order_by(WorkKind.code)))
    # The kinds of work of the chosen stage first: that is what one usually logs.
    kinds.sort(key=lambda k: (bool(k.stages) and stage not in k.stages, _name(k)))
    form.work_kind.choices = [("", _("— choose —"))] + [(k.code, _name(k)) for k in kinds]
    versions = _versions(doc)
    form.version.choices = [("", _("— none —"))] + [
        (str(v.seq), f"{v.seq}. {v.label}") for v in versions
    ]
    articles = _articles(versions)
    form.articles.choices = sorted({p.path for parts in articles.values() for p in parts})
    return {
        "versions": versions,
        "articles": articles,
        "kind_stages": {k.code: k.stages for k in kinds},
    }


def _show_errors(form: Any, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (the rest in a flash message)."""
    placed = False
    for name, problem in exc.fields.items():
        field = getattr(form, FORM_FIELD.get(name, name), None)
        if field is not None and hasattr(field, "errors") and name != "document":
            field.errors = [*list(field.errors or []), problem_text(str(problem))]
            placed = True
    if not placed:
        flash(exc.message, "error")


def problem_text(problem: str) -> str:
    """A service's field problem in the UI language, keeping its particulars (a date…)."""
    for start, message in PROBLEMS:
        if problem.startswith(start):
            text = str(message)
            if text.endswith("."):
                return text
            # Messages without a full stop take the problem's particulars after them.
            rest = problem[len(start) :].strip()
            rest = rest.partition(":")[2].strip() if ":" in rest else rest
            return f"{text} {rest}.".replace(" .", ".")
    return problem


def _upload(form: ContributionFields) -> Any:
    """The uploaded file as the service's Upload, or None; too large is a field error."""
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data = storage.stream.read(rules.MAX_FILE_BYTES + 1)
    return services.Upload(
        name=storage.filename[:255],
        content_type=(storage.mimetype or "application/octet-stream")[:100],
        data=data,
    )


def _changes(form: ContributionFields) -> dict[str, Any]:
    """The service's `data` keys from the fields both forms share."""
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    return {
        "stage": form.stage.data or None,
        "work_kind": form.work_kind.data or "",
        "title": (form.title.data or "").strip(),
        "due_date": form.due_date.data,
        "delivered_date": form.delivered_date.data,
        "version": version,
        "articles": list(form.articles.data or []) if version is not None else [],
        "note": (form.note.data or "").strip(),
    }


def _pick_page(status: int = 200) -> Any:
    """Step one: which draft? (JavaScript turns the list into search-as-you-type.)"""
    pick = PickDraftForm(formdata=None)
    pick.doc.choices = [("", _("— choose a draft —"))] + [
        (d.external_id, f"{d.number} — {d.title}" if d.number else d.title) for d in _drafts()
    ]
    assignment = request.args.get("assignment", "")
    return render_template(
        "contributions/log.html",
        doc=None,
        pick=pick,
        assignment=assignment if assignment.isdigit() else "",
    ), status


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*LOG_ROLES)
def new() -> Any:
    """Log a contribution: pick the draft, then fill in what was delivered."""
    external_id = request.values.get("doc", "").strip()
    if not external_id:
        if request.method == "POST":
            return _pick_page(422)
        return _pick_page()
    doc = _draft_or_404(external_id)
    assignments = _my_open_assignments(doc)
    form = LogForm(doc=doc.external_id)
    stage = form.stage.data if request.method == "POST" else doc.stage
    extra = _fill_choices(form, doc, stage)
    form.assignment.choices = [("", _("— none —"))] + [
        (str(a.id), f"{a.title} · {_('due')} {a.due_date.isoformat()}") for a in assignments
    ]
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.stage.data = doc.stage
        form.delivered_date.data = _today()
        chosen = next((a for a in assignments if str(a.id) == request.args.get("assignment")), None)
        if chosen is not None:
            form.assignment.data = str(chosen.id)
            form.due_date.data = chosen.due_date
            if chosen.stage in dict(form.stage.choices):
                form.stage.data = chosen.stage
            form.work_kind.data = chosen.work_kind.code
            form.title.data = chosen.title
        if doc.versions:
            form.version.data = str(doc.versions[-1].seq)
    status = 200
    if form.validate_on_submit():
        data = {
            "document": doc.external_id,
            **_changes(form),
            "assignment_id": int(form.assignment.data) if form.assignment.data else None,
        }
        try:
            with transaction() as session:
                row, created = services.log_contribution(
                    session,
                    current_user,
                    data,
                    idempotency_key=form.idempotency_key.data,
                    upload=_upload(form),
                )
                row_id = row.id
        except Conflict as exc:
            if not ({"Idempotency-Key", "idempotency_key"} & set(exc.fields)):
                raise
            # The same form was saved before with other values: make this one a new form.
            form.idempotency_key.data = uuid.uuid4().hex
            flash(
                _("This form was already saved. Check the values and save again to log another."),
                "error",
            )
            status = 409
        except DomainError as exc:
            if exc.status == 403 and not exc.fields.keys() - {"role"}:
                raise
            _show_errors(form, exc)
            status = 422
        else:
            if created:
                flash(_("The contribution is logged."), "info")
            else:
                flash(_("This contribution was already logged."), "info")
            return redirect(url_for("contributions.detail", contribution_id=row_id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "contributions/log.html",
        doc=doc,
        form=form,
        assignments=assignments,
        **extra,
    ), status


# --------------------------------------------------------------------------
# My record
# --------------------------------------------------------------------------


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year is not None and 1990 <= year <= 2100 else _today().year


def _state() -> str:
    state = request.args.get("state", "")
    return state if state in STATES else ""


def _years_of(totals: list[dict[str, int]]) -> list[int]:
    """Years the person has contributions in, with the current year, newest first."""
    return sorted({_today().year} | {t["year"] for t in totals}, reverse=True)


def _url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return f"{request.path}?{urlencode(params)}" if params else request.path


@bp.route("/")
@require_roles(*READ_ROLES)
def mine() -> Any:
    """My contributions of a year, by state, with totals and exports."""
    session = db.session()
    person = person_of_user(session, current_user.id)
    year, state = _year(), _state()
    rows: list[Contribution] = []
    all_of_year: list[Contribution] = []
    totals: list[dict[str, int]] = []
    if person is not None:
        all_of_year = services.own_contributions(session, person.id, year=year)
        rows = [c for c in all_of_year if not state or c.state == state]
        totals = services.year_totals(session, person.id)
    of_year = next((t for t in totals if t["year"] == year), None)
    counts = {s: of_year[s] if of_year else 0 for s in STATES}
    kinds: Counter[str] = Counter()
    kind_names: dict[str, str] = {}
    for c in all_of_year:
        kinds[c.work_kind.code] += 1
        kind_names[c.work_kind.code] = _name(c.work_kind)
    return render_template(
        "contributions/mine.html",
        person=person,
        year=year,
        years=_years_of(totals),
        state=state,
        states=STATES,
        counts=counts,
        total=of_year["total"] if of_year else 0,
        late=of_year["late"] if of_year else 0,
        kinds=sorted(kinds.items(), key=lambda kv: (-kv[1], kind_names[kv[0]])),
        kind_names=kind_names,
        rows=rows,
        url=_url,
        may_log=current_user.has_role(*LOG_ROLES),
    )


def _export(fmt: str) -> Any:
    """My record (of `?year=`, else every year; of `?state=`, else every state) through the
    exports module: the page's links pass its filters, so the file holds what the page shows."""
    session = db.session()
    person = person_of_user(session, current_user.id)
    year = request.args.get("year", type=int)
    if year is not None and not 1990 <= year <= 2100:
        year = None
    state = _state() or None
    rows = services.own_contributions(session, person.id, year=year, state=state) if person else []
    if fmt == "csv":
        body, mimetype = exports.to_csv(rows), exports.CSV_MIMETYPE
    else:
        body, mimetype = exports.to_xlsx(rows), exports.XLSX_MIMETYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(year, fmt, state)}"'
        },
    )


@bp.route("/export.csv")
@require_roles(*READ_ROLES)
def export_csv() -> Any:
    """My record as CSV (of a year with `?year=`, of a state with `?state=`)."""
    return _export("csv")


@bp.route("/export.xlsx")
@require_roles(*READ_ROLES)
def export_xlsx() -> Any:
    """My record as an XLSX workbook (of a year with `?year=`, of a state with `?state=`)."""
    return _export("xlsx")


# --------------------------------------------------------------------------
# One contribution
# --------------------------------------------------------------------------


def _history(c: Contribution) -> list[AuditEvent]:
    stmt = list_events(AuditFilter(entity="contribution", entity_id=str(c.id)))
    return list(reversed(list(db.session().scalars(stmt))))


def _render_detail(c: Contribution, withdraw: WithdrawForm | None = None, status: int = 200) -> Any:
    editable = services.may_edit(current_user, c)
    return render_template(
        "contributions/detail.html",
        c=c,
        late=_is_late(c),
        history=_history(c),
        action_label=lambda code: str(AUDIT_ACTIONS.get(code, code)),
        editable=editable,
        withdraw_form=withdraw or WithdrawForm(),
    ), status


@bp.route("/<int:contribution_id>")
@require_roles(*READ_ROLES)
def detail(contribution_id: int) -> Any:
    c = services.read_contribution(db.session(), current_user, contribution_id)
    return _render_detail(c)


@bp.route("/<int:contribution_id>/file")
@require_roles(*READ_ROLES)
def download(contribution_id: int) -> Any:
    """The deliverable's file, as it was uploaded."""
    found = services.file_of(db.session(), current_user, contribution_id)
    return send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=found.name,
        etag=found.sha256,
    )


def _edit_form(c: Contribution, *, get: bool) -> tuple[EditForm, dict[str, Any]]:
    """The edit form, filled from the row on GET and from the request (and its file) on POST."""
    form = EditForm(
        **({"formdata": None} if get else {}),
        stage=c.stage,
        work_kind=c.work_kind.code,
        title=c.title,
        due_date=c.due_date,
        delivered_date=c.delivered_date,
        version=str(c.version.seq) if c.version is not None else "",
        articles=list(c.articles or []),
        note=c.note,
    )
    extra = _fill_choices(form, c.document, form.stage.data)
    return form, extra


def _require_editable(c: Contribution) -> None:
    """The service says the same on saving; saying it first spares the author a form."""
    if not services.may_edit(current_user, c):
        if c.state in services.EDITABLE_STATES:
            raise PermissionDenied(
                "only its author may change a contribution", {"id": "not your contribution"}
            )
        raise Conflict(
            f"the contribution is {c.state}: it can no longer change", {"state": c.state}
        )


@bp.route("/<int:contribution_id>/edit", methods=["GET", "POST"])
@require_roles(*LOG_ROLES)
def edit(contribution_id: int) -> Any:
    """Correct a submitted contribution, or a rejected one (which resubmits it)."""
    session = db.session()
    c = services.read_contribution(session, current_user, contribution_id)
    _require_editable(c)
    was_rejected = c.state == "rejected"
    form, extra = _edit_form(c, get=request.method == "GET")
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                with transaction() as tx:
                    services.edit_contribution(
                        tx, current_user, contribution_id, _changes(form), upload=_upload(form)
                    )
            except DomainError as exc:
                if exc.status == 403 and not exc.fields.keys() - {"role", "id"}:
                    raise
                session.rollback()
                c = services.read_contribution(db.session(), current_user, contribution_id)
                _show_errors(form, exc)
                status = exc.status if exc.status == 409 else 422
            else:
                if was_rejected:
                    flash(_("The contribution is corrected and submitted again."), "info")
                else:
                    flash(_("The contribution is changed."), "info")
                return redirect(url_for("contributions.detail", contribution_id=contribution_id))
        else:
            status = 422
    return render_template("contributions/edit.html", c=c, form=form, **extra), status


@bp.route("/<int:contribution_id>/withdraw", methods=["POST"])
@require_roles(*LOG_ROLES)
def withdraw(contribution_id: int) -> Any:
    """Withdraw a contribution before it is verified (it stays in the record, marked)."""
    session = db.session()
    c = services.read_contribution(session, current_user, contribution_id)
    _require_editable(c)
    form = WithdrawForm()
    if not form.validate():
        return _render_detail(c, form, 422)
    with transaction() as tx:
        services.withdraw_contribution(tx, current_user, contribution_id, form.reason.data or "")
    flash(_("The contribution is withdrawn."), "info")
    return redirect(url_for("contributions.detail", contribution_id=contribution_id))
