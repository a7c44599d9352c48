"""The council pages per role: the meetings, the form to open one, the meeting's page with its
attendance, quorum line, ballot forms, ballots and minutes; and what each form records."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from emulation.commendation_models import Award, Ballot, CouncilMeeting, OpenVote
from lis.auth.models import ROLES
from lis.people.models import Person
from tests.emulation.council.helpers import events, meeting, members, nomination, present_ids

READERS = {"admin", "officer", "council"}
KEEPERS = {"admin", "officer"}
BASE = "/emulation/council"


@pytest.fixture
def m(db_session: Any) -> CouncilMeeting:
    row = meeting(db_session, size=5, present=4)
    db_session.commit()  # a failed form rolls back to here (a savepoint in tests)
    return row


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(
    role: str, client: FlaskClient, login: Any, m: CouncilMeeting, db_session: Any
) -> None:
    n = nomination(db_session)
    db_session.commit()
    login(role, unit="UB-PLTP-V")
    for path in (f"{BASE}/", f"{BASE}/?state=open", f"{BASE}/{m.id}"):
        assert client.get(path).status_code == (200 if role in READERS else 403), path
    assert client.get(f"{BASE}/new").status_code == (200 if role in KEEPERS else 403)
    posts = (
        (f"{BASE}/{m.id}/attendance", {"present": present_ids(m)}),
        (f"{BASE}/{m.id}/nominations/{n.id}/ballot", {f"n{n.id}-mode": "secret"}),
        (f"{BASE}/{m.id}/close", {"minutes": "Biên bản"}),
        (f"{BASE}/new", {"title": "P"}),
    )
    if role not in KEEPERS:
        for path, data in posts:
            assert client.post(path, data=data).status_code == 403, path
    if role in READERS:
        html = client.get(f"{BASE}/?lang=en").get_data(as_text=True)
        assert m.title in html and "4 present of 5, 4 needed" in html
        assert ('id="new-meeting"' in html) == (role in KEEPERS)
        page = client.get(f"{BASE}/{m.id}?lang=en").get_data(as_text=True)
        assert "4 present / 4 needed / 5 members" in page and "quorum met" in page
        assert n.summary in page
        assert ("attendance-form" in page) == (role in KEEPERS)
        assert ("ballot-form" in page) == (role in KEEPERS)
        assert ("close-form" in page) == (role in KEEPERS)


def test_anonymous_is_sent_to_login(client: FlaskClient, m: CouncilMeeting) -> None:
    for path in (f"{BASE}/", f"{BASE}/new", f"{BASE}/{m.id}"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_open_a_meeting_from_the_form(
    client: FlaskClient, login: Any, make_member: Any, db_session: Any
) -> None:
    user = make_member("council", unit="UB-PLTP")
    sitting = db_session.scalar(select(Person).where(Person.user_id == user.id))
    guest = members(1)[0]
    login("officer", unit="UB-PLTP-V")
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    assert sitting.name in page  # council members are offered
    resp = client.post(
        f"{BASE}/new",
        data={
            "title": "Phiên họp xét danh hiệu năm 2025",
            "held_on": "2025-12-18",
            "members": [str(sitting.id)],
            "other_members": guest.email,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db_session.scalar(
        select(CouncilMeeting).where(CouncilMeeting.title == "Phiên họp xét danh hiệu năm 2025")
    )
    assert row is not None and row.members_total == 2
    assert resp.headers["Location"].endswith(f"{BASE}/{row.id}")
    assert events(db_session, "council.open", row.id)


def test_the_meeting_form_refuses_bad_input(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    login("officer")
    for data, shown in (
        ({"title": "", "held_on": "2025-12-18", "other_members": "1"}, 'id="title-error"'),
        ({"title": "P", "held_on": "2025-12-18", "other_members": "nobody@x.vn"}, "nobody@x.vn"),
        ({"title": "P", "held_on": "2025-12-18", "other_members": ""}, 'id="members-error"'),
        ({"title": "P", "held_on": "2023-12-18", "other_members": "1"}, 'id="held_on-error"'),
    ):
        if data["other_members"] == "1":
            data["other_members"] = str(members(1)[0].id)
            db_session.commit()
        resp = client.post(f"{BASE}/new", data=data)
        assert resp.status_code == 422, data
        assert shown in resp.get_data(as_text=True), data
    assert db_session.scalar(select(func.count()).select_from(CouncilMeeting)) == 0


def test_attendance_from_the_checkboxes(
    client: FlaskClient, login: Any, m: CouncilMeeting, db_session: Any
) -> None:
    login("officer")
    here = present_ids(m)
    resp = client.post(f"{BASE}/{m.id}/attendance", data={"present": [str(i) for i in here[:2]]})
    assert resp.status_code == 302
    db_session.expire_all()
    assert present_ids(db_session.get(CouncilMeeting, m.id)) == here[:2]
    page = client.get(f"{BASE}/{m.id}?lang=en").get_data(as_text=True)
    assert "2 present / 4 needed / 5 members" in page and "quorum not met" in page
    bad = client.post(f"{BASE}/{m.id}/attendance", data={"present": ["999999"]})
    assert bad.status_code == 422


def test_a_secret_ballot_from_the_page(
    client: FlaskClient, login: Any, m: CouncilMeeting, db_session: Any
) -> None:
    n = nomination(db_session)
    db_session.commit()
    login("officer")
    prefix = f"n{n.id}-"
    resp = client.post(
        f"{BASE}/{m.id}/nominations/{n.id}/ballot",
        data={
            f"{prefix}mode": "secret",
            f"{prefix}yes": "3",
            f"{prefix}no": "1",
            f"{prefix}abstain": "0",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    ballot = db_session.scalar(select(Ballot).where(Ballot.nomination_id == n.id))
    assert ballot.secret and (ballot.yes, ballot.no, ballot.abstain) == (3, 1, 0)
    assert db_session.scalar(select(func.count()).select_from(OpenVote)) == 0
    assert db_session.scalar(select(func.count()).where(Award.nomination_id == n.id)) == 1
    page = client.get(f"{BASE}/{m.id}?lang=en").get_data(as_text=True)
    assert f'id="ballot-{ballot.id}"' in page and "Passed" in page
    assert "more than 50 % of 5" in page and "Decided" in page
    assert "Votes:" not in page  # a secret ballot shows counts only
    [event] = events(db_session, "council.ballot", ballot.id)
    assert "votes" not in event.after and event.after["yes"] == 3


def test_an_open_ballot_from_the_page(
    client: FlaskClient, login: Any, m: CouncilMeeting, db_session: Any
) -> None:
    n = nomination(db_session)
    db_session.commit()
    login("admin")
    prefix = f"n{n.id}-"
    here = present_ids(m)
    data = {f"{prefix}mode": "open"}
    data.update({f"{prefix}vote-{pid}": "no" for pid in here[:2]})
    data.update({f"{prefix}vote-{pid}": "yes" for pid in here[2:]})
    resp = client.post(f"{BASE}/{m.id}/nominations/{n.id}/ballot", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    ballot = db_session.scalar(select(Ballot).where(Ballot.nomination_id == n.id))
    assert (ballot.yes, ballot.no, ballot.abstain) == (2, 2, 0) and ballot.result == "failed"
    assert n.state == "rejected"
    page = client.get(f"{BASE}/{m.id}?lang=en").get_data(as_text=True)
    assert "Not passed" in page and "Rejected" in page
    assert f'href="/emulation/nominations/{n.id}"' in page
    names = {a.person_id: a.person.name for a in m.attendance}
    assert f"{names[here[0]]}: Against" in page and f"{names[here[3]]}: In favour" in page
    assert "R2.cstdcs.excellent_or_initiative@1" in page and "council_ballot_threshold=0.5" in page
    [event] = events(db_session, "council.ballot", ballot.id)
    assert event.actor_email and event.after["votes"][str(here[0])] == "no"


def test_ballot_refusals_on_the_page(client: FlaskClient, login: Any, db_session: Any) -> None:
    short = meeting(db_session, size=9, present=5)
    n = nomination(db_session)
    db_session.commit()
    login("officer")
    prefix = f"n{n.id}-"
    secret = {
        f"{prefix}mode": "secret",
        f"{prefix}yes": "5",
        f"{prefix}no": "0",
        f"{prefix}abstain": "0",
    }
    resp = client.post(f"{BASE}/{short.id}/nominations/{n.id}/ballot", data=secret)
    assert resp.status_code == 409 and "no quorum" in resp.get_data(as_text=True)
    full = meeting(db_session, size=3)
    db_session.commit()
    too_many = dict(secret, **{f"{prefix}yes": "4"})
    resp = client.post(f"{BASE}/{full.id}/nominations/{n.id}/ballot", data=too_many)
    assert resp.status_code == 422 and "exceeds" in resp.get_data(as_text=True)
    no_votes = {f"{prefix}mode": "open"}
    resp = client.post(f"{BASE}/{full.id}/nominations/{n.id}/ballot", data=no_votes)
    assert resp.status_code == 422
    missing = {f"{prefix}mode": "secret", f"{prefix}yes": "2"}
    resp = client.post(f"{BASE}/{full.id}/nominations/{n.id}/ballot", data=missing)
    assert resp.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert n.state == "council"


def test_close_with_minutes_from_the_page(
    client: FlaskClient, login: Any, m: CouncilMeeting, db_session: Any
) -> None:
    login("officer")
    assert client.post(f"{BASE}/{m.id}/close", data={"minutes": ""}).status_code == 422
    resp = client.post(f"{BASE}/{m.id}/close", data={"minutes": "Hội đồng đã họp đủ."})
    assert resp.status_code == 302
    page = client.get(f"{BASE}/{m.id}?lang=en").get_data(as_text=True)
    assert "Hội đồng đã họp đủ." in page and "close-form" not in page
    assert "attendance-form" not in page
    assert [e.after["state"] for e in events(db_session, "council.close", m.id)] == ["closed"]
    assert client.post(f"{BASE}/{m.id}/close", data={"minutes": "x"}).status_code == 409
