"""A contribution answers only an assignment given to its author or to the author's unit (or a
unit above it); any other is a 4xx naming `assignment_id`, as the request names it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.db import db
from lis.errors import PermissionDenied
from lis.people.queries import person_of_user
from tests.contributions.helpers import LEAD_UNIT, log, make_assignment, make_draft, member
from tests.contributions.log.test_api import auth, body_for


def test_another_units_assignment_is_refused(db_session: Any) -> None:
    draft = make_draft(db_session)
    staff = member(db_session, "staff")  # UB-PLTP-V
    theirs = make_assignment(db_session, draft, unit="UB-KTTC-V")
    with pytest.raises(PermissionDenied) as caught:
        log(db_session, staff, document=draft, assignment_id=theirs.id)
    assert caught.value.fields == {"assignment_id": "assigned to another unit"}


def test_an_assignment_for_someone_else_is_refused(db_session: Any) -> None:
    draft = make_draft(db_session)
    staff, colleague = member(db_session, "staff"), member(db_session, "staff")
    person = person_of_user(db_session, colleague.id)
    assert person is not None
    for_colleague = make_assignment(db_session, draft, person_id=person.id)
    with pytest.raises(PermissionDenied) as caught:
        log(db_session, staff, document=draft, assignment_id=for_colleague.id)
    assert caught.value.fields == {"assignment_id": "assigned to another person"}
    row = log(db_session, colleague, document=draft, assignment_id=for_colleague.id)
    assert row.assignment_id == for_colleague.id


def test_own_units_and_the_unit_above_are_accepted(db_session: Any) -> None:
    draft = make_draft(db_session)
    staff = member(db_session, "staff")
    for unit in ("UB-PLTP-V", LEAD_UNIT):  # the department, and the committee it works for
        assignment = make_assignment(db_session, draft, unit=unit)
        row = log(db_session, staff, document=draft, assignment_id=assignment.id)
        assert row.assignment_id == assignment.id


def test_a_head_logging_for_staff_is_judged_by_the_staffs_units(db_session: Any) -> None:
    draft = make_draft(db_session)
    head = member(db_session, "head", unit=LEAD_UNIT)
    staff = member(db_session, "staff")
    person = person_of_user(db_session, staff.id)
    assert person is not None
    theirs = make_assignment(db_session, draft, unit="UB-KTTC-V")
    with pytest.raises(PermissionDenied) as caught:
        log(db_session, head, document=draft, person_id=person.id, assignment_id=theirs.id)
    assert "assignment_id" in caught.value.fields


def test_the_api_names_assignment_id(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    draft = make_draft(db_session)
    theirs = make_assignment(db_session, draft, unit="UB-KTTC-V")
    token = token_for("staff", unit="UB-PLTP-V")
    db.session().commit()
    resp = client.post(
        "/api/v1/contributions", json=body_for(draft, assignment_id=theirs.id), headers=auth(token)
    )
    assert resp.status_code == 403, resp.get_json()
    assert list(resp.get_json()["error"]["fields"]) == ["assignment_id"]
    for bad in (2**31 - 1, "x"):
        resp = client.post(
            "/api/v1/contributions", json=body_for(draft, assignment_id=bad), headers=auth(token)
        )
        assert resp.status_code == 422 and "assignment_id" in resp.get_json()["error"]["fields"]
