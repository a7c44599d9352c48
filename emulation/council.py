"""The Emulation and Commendation Council (Hội đồng Thi đua – Khen thưởng): its meetings, who
attended, whether the quorum was met, and the ballots it held on nominations.

Who may do what (the same rules hold in the API and on the pages):

- officers and administrators keep meetings (open, attendance, close) and record ballots;
- council members read everything;
- heads, staff and deputies: nothing (403).

A meeting's members are fixed when it opens (one attendance row each, absent until marked);
`members_total` is their number. The quorum share and the ballot threshold are dated
parameters read on the day of the meeting and kept with it, so a later change of rule does not
rewrite an old meeting: the quorum is met when at least ⌈share × members⌉ are present; a
nomination passes when the yes votes are *more than* the threshold share of all members.

A secret ballot (bỏ phiếu kín) keeps three counts and nothing else: no OpenVote row, no name in
the audit log. An open ballot keeps each present member's vote and the counts are computed
from them. Either way the ballot copies the rule versions and parameters of the nomination's
eligibility report, so the decision records what it stood on, and then hands the result to
`emulation.nominations.record_decision`, which moves the nomination on and creates the award.

Services take a session and plain values, flush, audit each change in the same transaction and
never commit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from emulation import legal, nominations
from emulation.commendation_models import (
    VOTE_CHOICES,
    Attendance,
    Ballot,
    CouncilMeeting,
    Nomination,
    OpenVote,
)
from lis.audit.services import record
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person

MEETING_ENTITY = "council_meeting"
BALLOT_ENTITY = "ballot"
# Who keeps meetings and records ballots; who reads them.
KEEP_ROLES = ("admin", "officer")
READ_ROLES = ("admin", "officer", "council")
QUORUM_PARAM = "council_quorum_share"
THRESHOLD_PARAM = "council_ballot_threshold"
MEETING_STATES = ("open", "closed")
MAX_TITLE = 300
MAX_MINUTES = 20_000
MAX_NOTE = 2000
MAX_MEMBERS = 200
MAX_COUNT = MAX_MEMBERS  # no count can exceed the members present
MAX_ID = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1990, 2100
# A share read from a parameter is a float; 2/3 is stored as 0.666…, which must count as 2/3
# (⌈0.666… × 9⌉ is 6, but 0.55 × 100 is 55.000…1 in floating point and would ask for 56).
_DENOMINATOR = 10_000


class Actor(Protocol):
    id: int | None
    email: str

    def has_role(self, *roles: str) -> bool: ...


# --------------------------------------------------------------------------
# Parameters: the quorum share and the ballot threshold in force on a day
# --------------------------------------------------------------------------


class NoCouncilParam(LookupError):
    """No value of a council parameter is in force on the day asked."""


def param(name: str, on: dt.date) -> Any:
    """A council parameter in force on `on`, from the dated catalogue
    (emulation/data/rule_params.json says where each figure comes from)."""
    try:
        return legal.param(name, on)
    except legal.NoParamInForce as exc:
        raise NoCouncilParam(str(exc)) from None


def share(value: Any) -> Fraction:
    """A share (0 < share ≤ 1) as an exact fraction: 0.666… is 2/3, 0.7 is 7/10."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Fraction):
        raise ValueError(f"a share is a number, not {value!r}")
    fraction = Fraction(value).limit_denominator(_DENOMINATOR)
    if not 0 < fraction <= 1:
        raise ValueError(f"a share lies in (0, 1], not {value!r}")
    return fraction


# --------------------------------------------------------------------------
# The arithmetic (pure)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumState:
    present: int
    total: int
    needed: int
    met: bool


def needed_for_quorum(total: int, quorum_share: Any) -> int:
    """At least ⌈share × members⌉ present (2/3 of 9 is 6; 2/3 of 10 is 7)."""
    return math.ceil(share(quorum_share) * total)


def quorum_of(present: int, total: int, quorum_share: Any) -> QuorumState:
    needed = needed_for_quorum(total, quorum_share)
    return QuorumState(present=present, total=total, needed=needed, met=present >= needed)


def yes_needed(total: int, threshold: Any) -> int:
    """The fewest yes votes that are *more than* the threshold share of all members (more than
    half of 10 is 6; of 9, 5)."""
    return math.floor(share(threshold) * total) + 1


def passes(yes: int, total: int, threshold: Any) -> bool:
    return total > 0 and Fraction(yes, total) > share(threshold)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def may_keep(actor: Actor) -> bool:
    return actor.has_role(*KEEP_ROLES)


def may_read(actor: Actor) -> bool:
    return actor.has_role(*READ_ROLES)


def _require_keeper(actor: Actor) -> None:
    if not may_keep(actor):
        raise PermissionDenied(
            "only officers and administrators keep council meetings", {"role": "missing"}
        )


def _require_reader(actor: Actor) -> None:
    if not may_read(actor):
        raise PermissionDenied(
            "only officers, council members and administrators read council meetings",
            {"role": "missing"},
        )


def _loaded() -> Select[tuple[CouncilMeeting]]:
    return select(CouncilMeeting).options(
        selectinload(CouncilMeeting.attendance).selectinload(Attendance.person),
        selectinload(CouncilMeeting.ballots).selectinload(Ballot.votes),
        selectinload(CouncilMeeting.ballots).selectinload(Ballot.nomination),
    )


def list_meetings(session: Session, actor: Actor) -> Select[tuple[CouncilMeeting]]:
    """Meetings, the latest first."""
    _require_reader(actor)
    return _loaded().order_by(CouncilMeeting.held_on.desc(), CouncilMeeting.id.desc())


def get_meeting(session: Session, meeting_id: int, actor: Actor | None = None) -> CouncilMeeting:
    if actor is not None:
        _require_reader(actor)
    found = None
    if 0 < meeting_id <= MAX_ID:  # larger ids cannot exist and overflow the driver
        found = session.scalar(_loaded().where(CouncilMeeting.id == meeting_id))
    if found is None:
        raise NotFound(f"no council meeting {meeting_id}", {"meeting_id": "unknown"})
    return found


def members_of(meeting: CouncilMeeting) -> list[Attendance]:
    """The meeting's members (their attendance rows), by name."""
    return sorted(meeting.attendance, key=lambda a: (a.person.name, a.person_id))


def quorum(meeting: CouncilMeeting) -> QuorumState:
    present = sum(1 for a in meeting.attendance if a.present)
    return quorum_of(present, meeting.members_total, meeting.quorum_share)


def awaiting_ballot(session: Session) -> list[Nomination]:
    """Nominations before the council (state "council"), the oldest first."""
    return list(
        session.scalars(
            select(Nomination)
            .where(Nomination.state == "council")
            .options(selectinload(Nomination.person), selectinload(Nomination.unit))
            .order_by(Nomination.year, Nomination.id)
        )
    )


def get_ballot(session: Session, ballot_id: int) -> Ballot:
    found = session.get(Ballot, ballot_id) if 0 < ballot_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"no ballot {ballot_id}", {"ballot_id": "unknown"})
    return found


# --------------------------------------------------------------------------
# Checking input
# --------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{field} is required", {field: "required"})
    if len(value) > limit:
        raise ValidationError(f"{field} is too long", {field: f"at most {limit} characters"})
    if "\x00" in value:
        raise ValidationError(f"{field} holds a NUL character", {field: "invalid characters"})
    return value


def _day(value: dt.date | None) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError("held_on is required", {"held_on": "required"})
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            "held_on is out of range", {"held_on": f"a year from {FIRST_YEAR} to {LAST_YEAR}"}
        )
    return value


def _members(session: Session, members: Sequence[int]) -> list[Person]:
    if not isinstance(members, Sequence) or isinstance(members, str):
        raise ValidationError("members is a list of person ids", {"members": "a list"})
    if not members:
        raise ValidationError("a meeting needs its members", {"members": "required"})
    if len(members) > MAX_MEMBERS:
        raise ValidationError("too many members", {"members": f"at most {MAX_MEMBERS}"})
    found: list[Person] = []
    for person_id in members:
        person = None
        if isinstance(person_id, int) and not isinstance(person_id, bool):
            person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
        if person is None or not person.active:
            raise ValidationError(
                f"no active person {person_id!s:.20}",
                {"members": f"no active person {person_id!s:.20}"},
            )
        if person in found:
            raise ValidationError(
                f"person {person_id} is listed twice", {"members": f"{person_id} listed twice"}
            )
        found.append(person)
    return found


def _param_at(name: str, on: dt.date, field: str) -> float:
    try:
        value = share(param(name, on))
    except NoCouncilParam:
        raise ValidationError(
            f"no {name} is in force on {on.isoformat()}", {field: f"no {name} in force"}
        ) from None
    return float(value)


def threshold_on(day: dt.date) -> float | None:
    """The ballot threshold in force on a meeting's day (None when no rule is)."""
    try:
        return float(share(param(THRESHOLD_PARAM, day)))
    except NoCouncilParam:
        return None


def _require_open(meeting: CouncilMeeting, doing: str) -> None:
    if meeting.state != "open":
        raise Conflict(
            f"the meeting is {meeting.state}; only an open meeting can be {doing}",
            {"state": f"is {meeting.state}, must be open"},
        )


# --------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------


def snapshot(meeting: CouncilMeeting) -> dict[str, Any]:
    """What the audit log keeps of a meeting (attendance is public: who sat, not how they
    voted)."""
    q = quorum(meeting)
    return {
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "state": meeting.state,
        "members_total": meeting.members_total,
        "quorum_share": meeting.quorum_share,
        "present": sorted(a.person_id for a in meeting.attendance if a.present),
        "absent": sorted(a.person_id for a in meeting.attendance if not a.present),
        "quorum": {"present": q.present, "needed": q.needed, "met": q.met},
        "minutes": meeting.minutes,
    }


def open_meeting(
    session: Session, actor: Actor, *, title: str, held_on: dt.date, members: Sequence[int]
) -> CouncilMeeting:
    """Open a meeting of the given members (all absent until attendance is recorded), with the
    quorum share in force on its day."""
    _require_keeper(actor)
    title = _text(title, "title", MAX_TITLE, required=True)
    held_on = _day(held_on)
    people = _members(session, members)
    quorum_share = _param_at(QUORUM_PARAM, held_on, "held_on")
    meeting = CouncilMeeting(
        title=title,
        held_on=held_on,
        members_total=len(people),
        quorum_share=quorum_share,
        state="open",
        minutes="",
        created_by_id=actor.id,
    )
    meeting.attendance = [Attendance(person=p, present=False) for p in people]
    session.add(meeting)
    session.flush()
    record(
        session,
        actor=actor,
        action="council.open",
        entity=MEETING_ENTITY,
        entity_id=meeting.id,
        summary=f"opened {meeting.title[:200]} ({len(people)} members)",
        after=snapshot(meeting),
    )
    return meeting


def record_attendance(
    session: Session, actor: Actor, meeting_id: int, present: Mapping[int, bool]
) -> CouncilMeeting:
    """Mark members present or absent; members not named keep their mark."""
    _require_keeper(actor)
    meeting = get_meeting(session, meeting_id)
    _require_open(meeting, "changed")
    if not isinstance(present, Mapping) or not present:
        raise ValidationError("name at least one member", {"attendance": "required"})
    if len(present) > MAX_MEMBERS:
        raise ValidationError("too many entries", {"attendance": f"at most {MAX_MEMBERS}"})
    rows = {a.person_id: a for a in meeting.attendance}
    for person_id, here in present.items():
        if person_id not in rows:
            raise ValidationError(
                f"person {person_id!s:.20} is not a member of this meeting",
                {"attendance": f"{person_id!s:.20} is not a member"},
            )
        if not isinstance(here, bool):
            raise ValidationError(
                "present is true or false", {"attendance": f"{person_id}: true or false"}
            )
    before = snapshot(meeting)
    for person_id, here in present.items():
        rows[person_id].present = here
    after = snapshot(meeting)
    if after == before:
        return meeting
    session.flush()
    q = quorum(meeting)
    record(
        session,
        actor=actor,
        action="council.attendance",
        entity=MEETING_ENTITY,
        entity_id=meeting.id,
        summary=f"{q.present} of {q.total} present, {q.needed} needed",
        before=before,
        after=after,
    )
    return meeting


def close_meeting(session: Session, actor: Actor, meeting_id: int, minutes: str) -> CouncilMeeting:
    """Close a meeting with its minutes (biên bản): nothing changes afterwards."""
    _require_keeper(actor)
    meeting = get_meeting(session, meeting_id)
    minutes = _text(minutes, "minutes", MAX_MINUTES, required=True)
    _require_open(meeting, "closed")
    before = snapshot(meeting)
    meeting.state = "closed"
    meeting.minutes = minutes
    session.flush()
    record(
        session,
        actor=actor,
        action="council.close",
        entity=MEETING_ENTITY,
        entity_id=meeting.id,
        summary=f"closed {meeting.title[:200]}",
        before=before,
        after=snapshot(meeting),
    )
    return meeting


# --------------------------------------------------------------------------
# Ballots
# --------------------------------------------------------------------------


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} is a whole number", {field: "a whole number"})
    if not 0 <= value <= MAX_COUNT:
        raise ValidationError(f"{field} is out of range", {field: f"from 0 to {MAX_COUNT}"})
    return value


def _open_votes(
    meeting: CouncilMeeting, votes: Mapping[int, str] | None
) -> tuple[dict[int, str], dict[str, int]]:
    """The votes of an open ballot, each by a member present, and their counts."""
    if not isinstance(votes, Mapping) or not votes:
        raise ValidationError(
            "an open ballot lists each present member's vote", {"votes": "required"}
        )
    if len(votes) > MAX_MEMBERS:
        raise ValidationError("too many votes", {"votes": f"at most {MAX_MEMBERS}"})
    present = {a.person_id for a in meeting.attendance if a.present}
    out: dict[int, str] = {}
    for person_id, choice in votes.items():
        if person_id not in present:
            raise ValidationError(
                f"person {person_id!s:.20} is not a member present at this meeting",
                {"votes": f"{person_id!s:.20} is not a member present"},
            )
        if choice not in VOTE_CHOICES:
            raise ValidationError(
                f"a vote is one of {', '.join(VOTE_CHOICES)}",
                {"votes": f"{person_id}: one of {', '.join(VOTE_CHOICES)}"},
            )
        out[person_id] = choice
    counts = {c: sum(1 for v in out.values() if v == c) for c in VOTE_CHOICES}
    return out, counts


def _rule_versions(nomination: Nomination, quorum_share: float, threshold: float) -> list[str]:
    """What the decision stands on: the eligibility report it was voted on, its rule versions
    ("rule@version"), its parameters ("name=value") and the council's own two."""
    out: list[str] = []
    report = nomination.eligibility_report
    if report is not None:
        out.append(f"eligibility_report:{report.id}")
        out.extend(str(v) for v in report.rule_versions or [])
        for name, value in sorted((report.params or {}).items()):
            out.append(f"{name}={json.dumps(value, sort_keys=True, default=str)}")
    out.append(f"{QUORUM_PARAM}={json.dumps(quorum_share)}")
    out.append(f"{THRESHOLD_PARAM}={json.dumps(threshold)}")
    return out


def ballot_snapshot(ballot: Ballot) -> dict[str, Any]:
    """What the audit log keeps of a ballot: counts always; names only for an open ballot."""
    out: dict[str, Any] = {
        "meeting_id": ballot.meeting_id,
        "nomination_id": ballot.nomination_id,
        "secret": ballot.secret,
        "threshold": ballot.threshold,
        "yes": ballot.yes,
        "no": ballot.no,
        "abstain": ballot.abstain,
        "result": ballot.result,
        "rule_versions": list(ballot.rule_versions),
    }
    if not ballot.secret:
        out["votes"] = {str(v.person_id): v.choice for v in ballot.votes}
    return out


def decision_note(ballot: Ballot, meeting: CouncilMeeting) -> str:
    """The decision as the record keeps it, in Vietnamese: the Office's official language (the
    evidence pack prints it for signature whatever the reader's interface language)."""
    kind = "bỏ phiếu kín" if ballot.secret else "biểu quyết công khai"
    result = "thông qua" if ballot.result == "passed" else "không thông qua"
    return (
        f"Phiên họp Hội đồng số {meeting.id} ngày {meeting.held_on:%d/%m/%Y}, {kind} "
        f"(phiếu số {ballot.id}): {ballot.yes} đồng ý, {ballot.no} không đồng ý, "
        f"{ballot.abstain} không biểu quyết trên tổng số {meeting.members_total} thành viên; "
        f"cần quá {ballot.threshold:.4g} tổng số thành viên đồng ý: {result}."
    )


def record_ballot(
    session: Session,
    actor: Actor,
    meeting_id: int,
    nomination_id: int,
    *,
    secret: bool,
    yes: int | None = None,
    no: int | None = None,
    abstain: int | None = None,
    votes: Mapping[int, str] | None = None,
) -> Ballot:
    """Record the council's vote on a nomination and decide it.

    Only at an open meeting whose quorum is met (409 naming `quorum`), on a nomination before
    the council (409 naming `nomination`). A secret ballot gives the three counts and no
    `votes` (422 naming `votes`); an open one gives each present member's vote and the counts
    follow from them (counts sent that differ are 422). Counts never exceed the members
    present (422 naming `counts`). The threshold in force on the meeting's day decides.
    """
    _require_keeper(actor)
    meeting = get_meeting(session, meeting_id)
    _require_open(meeting, "voted in")
    # Locked: two officers recording a ballot on the same nomination cannot both decide it.
    nomination = nominations.get_nomination(session, nomination_id, lock=True)
    q = quorum(meeting)
    if not q.met:
        raise Conflict(
            f"no quorum: {q.present} of {q.total} members present, {q.needed} needed",
            {"quorum": f"{q.present} present, {q.needed} needed"},
        )
    if nomination.state != "council":
        raise Conflict(
            f"the nomination is {nomination.state}; only one before the council is voted on",
            {"nomination_id": f"is {nomination.state}, must be council"},
        )
    given = {"yes": yes, "no": no, "abstain": abstain}
    choices: dict[int, str] = {}
    if secret:
        if votes is not None:
            raise ValidationError(
                "a secret ballot keeps counts only: send no votes",
                {"votes": "not allowed in a secret ballot"},
            )
        counts = {}
        for field, value in given.items():
            if value is None:
                raise ValidationError(f"{field} is required", {field: "required"})
            counts[field] = _count(value, field)
    else:
        choices, counts = _open_votes(meeting, votes)
        for field, value in given.items():
            if value is not None and _count(value, field) != counts[field]:
                raise ValidationError(
                    f"{field} ({value}) differs from the votes listed ({counts[field]})",
                    {field: f"the votes give {counts[field]}"},
                )
    cast = counts["yes"] + counts["no"] + counts["abstain"]
    if cast > q.present:
        raise ValidationError(
            f"{cast} votes counted but only {q.present} members present",
            {"counts": f"yes + no + abstain ({cast}) exceeds the {q.present} present"},
        )
    threshold = _param_at(THRESHOLD_PARAM, meeting.held_on, "threshold")
    passed = passes(counts["yes"], meeting.members_total, threshold)
    ballot = Ballot(
        meeting=meeting,
        nomination=nomination,
        secret=bool(secret),
        threshold=threshold,
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        result="passed" if passed else "failed",
        rule_versions=_rule_versions(nomination, meeting.quorum_share, threshold),
        recorded_by_id=actor.id,
    )
    if not secret:
        ballot.votes = [OpenVote(person_id=pid, choice=c) for pid, c in sorted(choices.items())]
    session.add(ballot)
    session.flush()
    record(
        session,
        actor=actor,
        action="council.ballot",
        entity=BALLOT_ENTITY,
        entity_id=ballot.id,
        summary=f"nomination {nomination.id}: {ballot.result} "
        f"({ballot.yes}/{ballot.no}/{ballot.abstain} of {meeting.members_total})",
        after=ballot_snapshot(ballot),
    )
    nominations.record_decision(
        session,
        actor,
        nomination,
        passed=passed,
        note=decision_note(ballot, meeting),
        ballot_id=ballot.id,
    )
    return ballot
