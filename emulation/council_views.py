"""Pages: the Emulation and Commendation Council's meetings.

- `/emulation/council/`: the meetings, the latest first, with their quorum.
- `/emulation/council/new`: open a meeting and choose its members (officers, administrators).
- `/emulation/council/<id>`: the meeting: attendance, the quorum line, the nominations before
  the council with a ballot form each, the ballots recorded, the minutes and the close form.

Officers and administrators keep meetings; council members read them; heads, staff and deputies
get 403. The rules are in `emulation.council`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from emulation import council as services
from emulation.commendation_models import VOTE_CHOICES, CouncilMeeting, Nomination
from emulation.council_forms import AttendanceForm, BallotForm, CloseForm, MeetingForm
from emulation.models import Title
from emulation.movement_forms import options
from emulation.movement_views import person_ids_from_text
from lis.auth.access import require_roles
from lis.auth.models import User
from lis.db import db, page_of, transaction
from lis.errors import Conflict, DomainError, NotFound, ValidationError
from lis.people.models import Person
from lis.web.labels import current_language as _lang

bp = Blueprint(
    "emulation_council", __name__, url_prefix="/emulation/council", template_folder="templates"
)

PER_PAGE = 50
MAX_CANDIDATES = 2000  # people offered as members (those whose login holds the council role)
STATE_NAMES = {"open": _l("Open"), "closed": _l("Closed")}
RESULT_NAMES = {"passed": _l("Passed"), "failed": _l("Not passed")}
CHOICE_NAMES = {"yes": _l("In favour"), "no": _l("Against"), "abstain": _l("Abstain")}
OUTCOME_NAMES = {"pass": _l("meets the rules"), "fail": _l("fails"), "unknown": _l("cannot tell")}
NOMINATION_STATE_NAMES = {
    "draft": _l("Draft"),
    "unit_review": _l("Unit review"),
    "council": _l("Before the council"),
    "decided": _l("Decided"),
    "rejected": _l("Rejected"),
    "announced": _l("Announced"),
    "revoked": _l("Revoked"),
}


def _title_name(titles: dict[str, Title], code: str) -> str:
    title = titles.get(code)
    if title is None:
        return code
    return title.name_en if _lang() == "en" and title.name_en else title.name


def _subject(n: Nomination) -> str:
    if n.person is not None:
        return n.person.name
    if n.unit is not None:
        name = n.unit.name_en if _lang() == "en" and n.unit.name_en else n.unit.name
        return f"{n.unit.code} — {name}"
    return "—"


def _nomination_url(nomination_id: int) -> str:
    return url_for("emulation_nominations.detail", nomination_id=nomination_id)


def _percent(value: float) -> str:
    """A share as a percentage in the reader's locale (66,67 % in Vietnamese)."""
    return f"{format_decimal(value * 100, format='#,##0.##')} %"


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "council_state_label": lambda code: str(STATE_NAMES.get(code, code)),
        "ballot_result_label": lambda code: str(RESULT_NAMES.get(code, code)),
        "vote_choice_label": lambda code: str(CHOICE_NAMES.get(code, code)),
        "nomination_state_label": lambda code: str(NOMINATION_STATE_NAMES.get(code, code)),
        "council_percent": _percent,
        "eligibility_outcome_label": lambda code: str(OUTCOME_NAMES.get(code, code)),
    }


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{request.path}?{urlencode(params)}"


@bp.route("/")
@require_roles(*services.READ_ROLES)
def index() -> Any:
    session = db.session()
    state = request.args.get("state", "")
    state = state if state in services.MEETING_STATES else ""
    stmt = services.list_meetings(session, current_user)
    if state:
        stmt = stmt.where(CouncilMeeting.state == state)
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    return render_template(
        "emulation/council/index.html",
        rows=rows,
        quorum=services.quorum,
        state=state,
        states=services.MEETING_STATES,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        may_keep=services.may_keep(current_user),
    )


# --------------------------------------------------------------------------
# Opening a meeting
# --------------------------------------------------------------------------


def _candidates() -> list[Person]:
    """Active people whose login holds the council role: the usual members."""
    rows = db.session().scalars(
        select(Person)
        .join(User, Person.user_id == User.id)
        .where(Person.active, User.active)
        .options(selectinload(Person.unit), selectinload(Person.user))
        .order_by(Person.name, Person.id)
        .limit(MAX_CANDIDATES)
    )
    return [p for p in rows if p.user is not None and "council" in (p.user.roles or [])]


def _fill_members(form: MeetingForm) -> None:
    form.members.choices = options([(p.id, f"{p.name} ({p.unit.code})") for p in _candidates()])


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*services.KEEP_ROLES)
def new() -> Any:
    form = MeetingForm()
    _fill_members(form)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            others, unknown = person_ids_from_text(form.other_members.data or "")
            if unknown:
                form.other_members.errors = [
                    *list(form.other_members.errors or []),
                    _(
                        "Nobody with this id or e-mail: %(entries)s",
                        entries=", ".join(unknown[:10]),
                    ),
                ]
            else:
                members = [*list(form.members.data or []), *others]
                try:
                    with transaction() as session:
                        row = services.open_meeting(
                            session,
                            current_user,
                            title=form.title.data or "",
                            held_on=form.held_on.data,  # type: ignore[arg-type]
                            members=members,
                        )
                        row_id = row.id
                except ValidationError as exc:
                    for name, problem in exc.fields.items():
                        field = getattr(form, name, None)
                        if field is not None and hasattr(field, "errors"):
                            field.errors = [*list(field.errors or []), str(problem)]
                        else:
                            errors.append(f"{name}: {problem}")
                else:
                    flash(_("The meeting is open."), "info")
                    return redirect(url_for("emulation_council.detail", meeting_id=row_id))
    return render_template("emulation/council/form.html", form=form, errors=errors), status


# --------------------------------------------------------------------------
# One meeting
# --------------------------------------------------------------------------


def _attendance_form(meeting: CouncilMeeting, formdata: Any = None) -> AttendanceForm:
    form = AttendanceForm(formdata=formdata)
    members = services.members_of(meeting)
    form.present.choices = options([(a.person_id, a.person.name) for a in members])
    if formdata is None:
        form.present.data = [a.person_id for a in members if a.present]
    return form


def _ballot_form(nomination_id: int, formdata: Any = None) -> BallotForm:
    return BallotForm(formdata=formdata, prefix=f"n{nomination_id}")


def _render_detail(
    meeting: CouncilMeeting,
    *,
    attendance_form: AttendanceForm | None = None,
    ballot_forms: dict[int, BallotForm] | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> Any:
    session = db.session()
    may_keep = services.may_keep(current_user)
    awaiting = services.awaiting_ballot(session) if meeting.state == "open" else []
    forms = dict(ballot_forms or {})
    if may_keep and meeting.state == "open":
        for n in awaiting:
            forms.setdefault(n.id, _ballot_form(n.id))
    titles = {t.code: t for t in session.scalars(select(Title))}
    q = services.quorum(meeting)
    threshold = services.threshold_on(meeting.held_on)
    return render_template(
        "emulation/council/detail.html",
        meeting=meeting,
        members=services.members_of(meeting),
        present=[a for a in services.members_of(meeting) if a.present],
        q=q,
        threshold=threshold,
        yes_needed=None
        if threshold is None
        else services.yes_needed(meeting.members_total, threshold),
        awaiting=awaiting,
        ballot_forms=forms,
        choices=VOTE_CHOICES,
        attendance_form=attendance_form
        or (_attendance_form(meeting) if may_keep and meeting.state == "open" else None),
        close_form=close_form or (CloseForm() if may_keep and meeting.state == "open" else None),
        may_keep=may_keep,
        title_name=lambda code: _title_name(titles, code),
        subject=_subject,
        nomination_url=_nomination_url,
    ), status


@bp.route("/<int:meeting_id>")
@require_roles(*services.READ_ROLES)
def detail(meeting_id: int) -> Any:
    return _render_detail(services.get_meeting(db.session(), meeting_id, current_user))


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@require_roles(*services.KEEP_ROLES)
def attendance(meeting_id: int) -> Any:
    meeting = services.get_meeting(db.session(), meeting_id)
    form = _attendance_form(meeting, request.form)
    if not form.validate_on_submit():
        return _render_detail(meeting, attendance_form=form, status=422)
    chosen = set(form.present.data or [])
    marks = {a.person_id: a.person_id in chosen for a in meeting.attendance}
    with transaction() as session:
        services.record_attendance(session, current_user, meeting_id, marks)
    flash(_("The attendance is recorded."), "info")
    return redirect(url_for("emulation_council.detail", meeting_id=meeting_id))


def _votes_from(nomination_id: int, meeting: CouncilMeeting) -> dict[int, str]:
    """The open ballot's votes: one radio group per member present (blank ones left out, so
    the service names a missing vote only if no vote at all was given)."""
    out: dict[int, str] = {}
    for a in meeting.attendance:
        if a.present:
            choice = request.form.get(f"n{nomination_id}-vote-{a.person_id}", "")
            if choice:
                out[a.person_id] = choice[:10]
    return out


@bp.route("/<int:meeting_id>/nominations/<int:nomination_id>/ballot", methods=["POST"])
@require_roles(*services.KEEP_ROLES)
def ballot(meeting_id: int, nomination_id: int) -> Any:
    meeting = services.get_meeting(db.session(), meeting_id)
    form = _ballot_form(nomination_id, request.form)
    if not form.validate_on_submit():
        return _render_detail(meeting, ballot_forms={nomination_id: form}, status=422)
    secret = form.mode.data == "secret"
    try:
        with transaction() as session:
            row = services.record_ballot(
                session,
                current_user,
                meeting_id,
                nomination_id,
                secret=secret,
                yes=form.yes.data,
                no=form.no.data,
                abstain=form.abstain.data,
                votes=None if secret else _votes_from(nomination_id, meeting),
            )
            result = row.result
    except (ValidationError, Conflict, NotFound) as exc:
        meeting = services.get_meeting(db.session(), meeting_id)
        _errors_on(form, exc)
        flash(exc.message, "error")
        return _render_detail(meeting, ballot_forms={nomination_id: form}, status=exc.status)
    flash(_("The ballot is recorded: %(result)s.", result=RESULT_NAMES.get(result, result)), "info")
    return redirect(url_for("emulation_council.detail", meeting_id=meeting_id))


def _errors_on(form: Any, exc: DomainError) -> None:
    for name, problem in exc.fields.items():
        field = getattr(form, {"votes": "mode", "counts": "yes"}.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), str(problem)]


@bp.route("/<int:meeting_id>/close", methods=["POST"])
@require_roles(*services.KEEP_ROLES)
def close(meeting_id: int) -> Any:
    form = CloseForm()
    if not form.validate_on_submit():
        meeting = services.get_meeting(db.session(), meeting_id)
        return _render_detail(meeting, close_form=form, status=422)
    with transaction() as session:
        services.close_meeting(session, current_user, meeting_id, form.minutes.data or "")
    flash(_("The meeting is closed."), "info")
    return redirect(url_for("emulation_council.detail", meeting_id=meeting_id))
