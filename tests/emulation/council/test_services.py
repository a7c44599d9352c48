"""Meetings, attendance, quorum and ballots through the services: every refusal with the field
it names, the secret ballot that keeps no names, the open ballot that keeps each vote, and the
decision handed to the nominations (decided with its award, or rejected)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from emulation import council
from emulation.commendation_models import (
    Attendance,
    Award,
    Ballot,
    CouncilMeeting,
    Nomination,
    NominationEvent,
    OpenVote,
)
from lis.audit.models import AuditEvent
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.emulation.council.helpers import (
    PARAMS,
    RULE_VERSIONS,
    events,
    meeting,
    members,
    nomination,
    officer,
    present_ids,
)
from tests.emulation.helpers import person
from tests.factories import UserFactory


def _fields(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    return exc.value.fields


# --------------------------------------------------------------------------
# Meetings and attendance
# --------------------------------------------------------------------------


def test_open_a_meeting(db_session: Any) -> None:
    actor = officer()
    people = members(9)
    row = council.open_meeting(
        db_session,
        actor,
        title="  Phiên họp  ",
        held_on=dt.date(2025, 12, 15),
        members=[p.id for p in people],
    )
    assert row.title == "Phiên họp" and row.state == "open" and row.members_total == 9
    assert row.quorum_share == pytest.approx(2 / 3)
    assert present_ids(row) == []
    assert council.quorum(row) == council.QuorumState(present=0, total=9, needed=6, met=False)
    [event] = events(db_session, "council.open", row.id)
    assert event.actor_id == actor.id and event.before is None
    assert event.after["members_total"] == 9
    assert event.after["absent"] == sorted(p.id for p in people)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"held_on": None}, "held_on"),
        ({"held_on": dt.date(2023, 12, 31)}, "held_on"),  # no quorum rule in force yet
        ({"held_on": dt.date(1989, 1, 1)}, "held_on"),
        ({"members": []}, "members"),
        ({"members": "1,2"}, "members"),
        ({"members": [2**31]}, "members"),
        ({"members": [True]}, "members"),
        ({"members": list(range(1, 202))}, "members"),
    ],
)
def test_bad_meetings_name_the_field(db_session: Any, change: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {
        "title": "Phiên họp",
        "held_on": dt.date(2025, 12, 15),
        "members": [p.id for p in members(3)],
    }
    values.update(change)
    with pytest.raises(ValidationError) as exc:
        council.open_meeting(db_session, officer(), **values)
    assert field in _fields(exc)


def test_members_are_active_and_listed_once(db_session: Any) -> None:
    a, _b = members(2)
    gone = person("UB-PLTP", active=False)
    for listed in ([a.id, a.id], [a.id, gone.id], [a.id, 2**31 - 1]):
        with pytest.raises(ValidationError) as exc:
            council.open_meeting(
                db_session, officer(), title="P", held_on=dt.date(2025, 3, 1), members=listed
            )
        assert set(_fields(exc)) == {"members"}
    assert db_session.scalar(select(func.count()).select_from(CouncilMeeting)) == 0


def test_attendance_and_quorum_at_exactly_two_thirds(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=9, present=5)
    assert council.quorum(row) == council.QuorumState(present=5, total=9, needed=6, met=False)
    people = council.members_of(row)
    council.record_attendance(db_session, actor, row.id, {people[5].person_id: True})
    assert council.quorum(row) == council.QuorumState(present=6, total=9, needed=6, met=True)
    [_first, event] = events(db_session, "council.attendance", row.id)
    assert event.before["quorum"] == {"present": 5, "needed": 6, "met": False}
    assert event.after["quorum"] == {"present": 6, "needed": 6, "met": True}
    # Marking what is already marked changes nothing and logs nothing.
    council.record_attendance(db_session, actor, row.id, {people[5].person_id: True})
    assert len(events(db_session, "council.attendance", row.id)) == 2


def test_attendance_refusals(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=3)
    stranger = person("UB-PLTP")
    member = row.attendance[0].person_id
    for marks in ({stranger.id: True}, {}, {member: "yes"}):
        with pytest.raises(ValidationError) as exc:
            council.record_attendance(db_session, actor, row.id, marks)
        assert set(_fields(exc)) == {"attendance"}
    council.close_meeting(db_session, actor, row.id, "Biên bản")
    with pytest.raises(Conflict) as conflict:
        council.record_attendance(db_session, actor, row.id, {member: False})
    assert _fields(conflict) == {"state": "is closed, must be open"}
    with pytest.raises(NotFound):
        council.record_attendance(db_session, actor, 2**31, {member: False})


def test_close_with_minutes(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=3)
    with pytest.raises(ValidationError) as exc:
        council.close_meeting(db_session, actor, row.id, "   ")
    assert _fields(exc) == {"minutes": "required"}
    council.close_meeting(db_session, actor, row.id, "Hội đồng đã xét 2 hồ sơ.")
    assert row.state == "closed" and row.minutes == "Hội đồng đã xét 2 hồ sơ."
    [event] = events(db_session, "council.close", row.id)
    assert event.before["state"] == "open" and event.after["state"] == "closed"
    assert event.after["minutes"] == "Hội đồng đã xét 2 hồ sơ."
    with pytest.raises(Conflict) as conflict:
        council.close_meeting(db_session, actor, row.id, "Lần nữa")
    assert "state" in _fields(conflict)


@pytest.mark.parametrize("role", ["council", "head", "staff", "deputy"])
def test_only_officers_and_admins_keep_meetings(db_session: Any, role: str) -> None:
    row = meeting(db_session, size=3)
    n = nomination(db_session)
    who = UserFactory(roles=[role])
    member = row.attendance[0].person_id
    calls = [
        lambda: council.open_meeting(
            db_session, who, title="P", held_on=dt.date(2025, 3, 1), members=[member]
        ),
        lambda: council.record_attendance(db_session, who, row.id, {member: False}),
        lambda: council.record_ballot(
            db_session, who, row.id, n.id, secret=True, yes=3, no=0, abstain=0
        ),
        lambda: council.close_meeting(db_session, who, row.id, "Biên bản"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    if role == "council":
        assert council.get_meeting(db_session, row.id, who) is row
        assert council.list_meetings(db_session, who) is not None
    else:
        with pytest.raises(PermissionDenied):
            council.get_meeting(db_session, row.id, who)


def test_admins_keep_meetings_too(db_session: Any) -> None:
    admin = UserFactory(roles=["admin"])
    row = meeting(db_session, admin, size=3)
    n = nomination(db_session)
    ballot = council.record_ballot(
        db_session, admin, row.id, n.id, secret=True, yes=3, no=0, abstain=0
    )
    assert ballot.result == "passed" and ballot.recorded_by_id == admin.id


# --------------------------------------------------------------------------
# Ballots
# --------------------------------------------------------------------------


def _after_ballot(db_session: Any, since: int) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.id > since)))


def _last_event_id(db_session: Any) -> int:
    return db_session.scalar(select(func.max(AuditEvent.id))) or 0


def test_a_secret_ballot_keeps_counts_only(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=9, present=8)
    n = nomination(db_session)
    since = _last_event_id(db_session)
    ballot = council.record_ballot(
        db_session, actor, row.id, n.id, secret=True, yes=6, no=1, abstain=1
    )
    assert (ballot.yes, ballot.no, ballot.abstain) == (6, 1, 1)
    assert ballot.secret and ballot.result == "passed" and ballot.threshold == 0.5
    assert ballot.votes == []
    assert db_session.scalar(select(func.count()).select_from(OpenVote)) == 0
    [event] = events(db_session, "council.ballot", ballot.id)
    assert event.before is None
    assert set(event.after) == {
        "meeting_id",
        "nomination_id",
        "secret",
        "threshold",
        "yes",
        "no",
        "abstain",
        "result",
        "rule_versions",
    }
    assert (event.after["yes"], event.after["no"], event.after["abstain"]) == (6, 1, 1)
    # No event written by the ballot (the ballot, the decision, the award) names a voter.
    voters = {str(a.person_id) for a in row.attendance}
    for written in _after_ballot(db_session, since):
        text = json.dumps([written.before, written.after, written.summary])
        assert "vote" not in json.dumps([written.before, written.after]).lower()
        for key, value in _leaves(written.before) + _leaves(written.after):
            assert not (str(value) in voters and "person" in key), (written.action, key)
        assert "choice" not in text


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, f"{prefix}.{k}")]
    if isinstance(data, list):
        return [leaf for v in data for leaf in _leaves(v, prefix)]
    return [(prefix, data)]


def test_an_open_ballot_keeps_each_vote_and_counts_them(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=5, present=4)
    here = present_ids(row)
    n = nomination(db_session)
    votes = {here[0]: "yes", here[1]: "yes", here[2]: "no", here[3]: "abstain"}
    ballot = council.record_ballot(db_session, actor, row.id, n.id, secret=False, votes=votes)
    assert (ballot.yes, ballot.no, ballot.abstain) == (2, 1, 1)
    assert ballot.result == "failed"  # 2 of 5 is not more than half
    stored = db_session.scalars(select(OpenVote).where(OpenVote.ballot_id == ballot.id))
    assert {v.person_id: v.choice for v in stored} == votes
    [event] = events(db_session, "council.ballot", ballot.id)
    assert event.after["votes"] == {str(k): v for k, v in votes.items()}
    # Counts sent with the votes must agree with them.
    n2 = nomination(db_session)
    ok = council.record_ballot(
        db_session,
        actor,
        row.id,
        n2.id,
        secret=False,
        yes=3,
        no=0,
        abstain=0,
        votes=dict.fromkeys(here[:3], "yes"),
    )
    assert ok.result == "passed" and ok.yes == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"secret": True, "yes": 1, "no": 0, "abstain": 0, "votes": {}}, "votes"),
        ({"secret": True, "yes": None, "no": 0, "abstain": 0}, "yes"),
        ({"secret": True, "yes": 1, "no": None, "abstain": 0}, "no"),
        ({"secret": True, "yes": 1, "no": 0}, "abstain"),
        ({"secret": True, "yes": -1, "no": 0, "abstain": 0}, "yes"),
        ({"secret": True, "yes": 1.5, "no": 0, "abstain": 0}, "yes"),
        ({"secret": True, "yes": 1, "no": 201, "abstain": 0}, "no"),
        ({"secret": True, "yes": 3, "no": 1, "abstain": 1}, "counts"),  # 5 votes, 4 present
        ({"secret": False}, "votes"),
        ({"secret": False, "votes": {}}, "votes"),
    ],
)
def test_bad_ballots_name_the_field(db_session: Any, kwargs: dict[str, Any], field: str) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=5, present=4)
    n = nomination(db_session)
    with pytest.raises(ValidationError) as exc:
        council.record_ballot(db_session, actor, row.id, n.id, **kwargs)
    assert set(_fields(exc)) == {field}
    assert db_session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert n.state == "council"


def test_open_votes_only_from_members_present(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=5, present=4)
    absent = next(a.person_id for a in row.attendance if not a.present)
    stranger = person("UB-PLTP").id
    here = present_ids(row)
    n = nomination(db_session)
    for votes in ({absent: "yes"}, {stranger: "yes"}, {here[0]: "maybe"}):
        with pytest.raises(ValidationError) as exc:
            council.record_ballot(db_session, actor, row.id, n.id, secret=False, votes=votes)
        assert set(_fields(exc)) == {"votes"}
    with pytest.raises(ValidationError) as exc:
        council.record_ballot(
            db_session, actor, row.id, n.id, secret=False, yes=2, votes={here[0]: "yes"}
        )
    assert _fields(exc) == {"yes": "the votes give 1"}


def test_no_ballot_without_quorum(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=9, present=5)
    n = nomination(db_session)
    with pytest.raises(Conflict) as exc:
        council.record_ballot(db_session, actor, row.id, n.id, secret=True, yes=5, no=0, abstain=0)
    assert _fields(exc) == {"quorum": "5 present, 6 needed"}
    assert n.state == "council"


@pytest.mark.parametrize("state", ["draft", "unit_review", "decided", "rejected", "announced"])
def test_only_nominations_before_the_council(db_session: Any, state: str) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=3)
    n = nomination(db_session, state=state)
    with pytest.raises(Conflict) as exc:
        council.record_ballot(db_session, actor, row.id, n.id, secret=True, yes=3, no=0, abstain=0)
    assert _fields(exc) == {"nomination_id": f"is {state}, must be council"}


def test_no_ballot_in_a_closed_meeting_nor_on_nothing(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=3)
    n = nomination(db_session)
    with pytest.raises(NotFound) as missing:
        council.record_ballot(
            db_session, actor, row.id, 2**31 - 1, secret=True, yes=3, no=0, abstain=0
        )
    assert _fields(missing) == {"nomination_id": "unknown"}
    council.close_meeting(db_session, actor, row.id, "Biên bản")
    with pytest.raises(Conflict) as exc:
        council.record_ballot(db_session, actor, row.id, n.id, secret=True, yes=3, no=0, abstain=0)
    assert _fields(exc) == {"state": "is closed, must be open"}


# --------------------------------------------------------------------------
# The decision
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("yes", "decided"), [(5, False), (6, True)])
def test_the_threshold_edge_decides_the_nomination(
    db_session: Any, yes: int, decided: bool
) -> None:
    """10 members: 5 yes is exactly half (not more): rejected; 6 yes: decided, with its award."""
    actor = officer()
    row = meeting(db_session, actor, size=10)
    n = nomination(db_session)
    ballot = council.record_ballot(
        db_session, actor, row.id, n.id, secret=True, yes=yes, no=10 - yes, abstain=0
    )
    assert ballot.result == ("passed" if decided else "failed")
    assert n.state == ("decided" if decided else "rejected")
    assert f"phiếu số {ballot.id}" in n.decision_note and f"{yes} đồng ý" in n.decision_note
    awards = list(db_session.scalars(select(Award).where(Award.nomination_id == n.id)))
    if decided:
        [award] = awards
        assert (award.person_id, award.title_code, award.year) == (n.person_id, "CSTDCS", 2025)
    else:
        assert awards == []
    [move] = db_session.scalars(
        select(NominationEvent).where(NominationEvent.nomination_id == n.id)
    )
    assert (move.from_state, move.to_state) == ("council", n.state)
    [decide] = events(db_session, "decide", n.id)
    assert decide.after["ballot_id"] == ballot.id


def test_the_threshold_counts_all_members_not_those_present(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=9, present=6)
    n = nomination(db_session)
    # 4 of 6 present voted yes: a majority of those present, not of the 9 members.
    ballot = council.record_ballot(
        db_session, actor, row.id, n.id, secret=True, yes=4, no=2, abstain=0
    )
    assert ballot.result == "failed" and n.state == "rejected"


def test_the_decision_records_the_rule_versions(db_session: Any) -> None:
    actor = officer()
    row = meeting(db_session, actor, size=3)
    n = nomination(db_session)
    ballot = council.record_ballot(
        db_session, actor, row.id, n.id, secret=True, yes=3, no=0, abstain=0
    )
    assert ballot.rule_versions == [
        f"eligibility_report:{n.eligibility_report_id}",
        *RULE_VERSIONS,
        *(f"{k}={json.dumps(v)}" for k, v in sorted(PARAMS.items())),
        f"council_quorum_share={json.dumps(2 / 3)}",
        "council_ballot_threshold=0.5",
    ]
    bare = nomination(db_session, report=False)
    other = council.record_ballot(
        db_session, actor, row.id, bare.id, secret=True, yes=3, no=0, abstain=0
    )
    assert other.rule_versions == [
        f"council_quorum_share={json.dumps(2 / 3)}",
        "council_ballot_threshold=0.5",
    ]


def test_reading(db_session: Any) -> None:
    actor = officer()
    old = meeting(db_session, actor, size=3, held_on=dt.date(2025, 6, 1))
    new = meeting(db_session, actor, size=3, held_on=dt.date(2025, 12, 1))
    waiting = nomination(db_session)
    nomination(db_session, state="draft")
    ids = [m.id for m in db_session.scalars(council.list_meetings(db_session, actor))]
    assert ids.index(new.id) < ids.index(old.id)
    assert waiting in council.awaiting_ballot(db_session)
    assert all(n.state == "council" for n in council.awaiting_ballot(db_session))
    assert [a.person.name for a in council.members_of(new)] == sorted(
        a.person.name for a in new.attendance
    )
    assert db_session.scalar(select(func.count()).select_from(Attendance)) >= 6
    with pytest.raises(NotFound):
        council.get_meeting(db_session, 0)
    assert isinstance(db_session.get(Nomination, waiting.id), Nomination)
