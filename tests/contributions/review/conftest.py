"""Set-up for the review tests: a draft with versions 1 and 2, a staff member of the law
committee's department (UB-PLTP-V) who logged a contribution on version 1, and heads inside and
outside the unit's reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lis.auth.models import User
from lis.contributions.models import Contribution
from lis.documents.models import Document
from tests.contributions.helpers import log, make_draft, member
from tests.factories import UserFactory


@dataclass
class World:
    doc: Document
    staff: User  # the author, in UB-PLTP-V
    head: User  # head of UB-PLTP-V: reviews it
    committee_head: User  # head of UB-PLTP, the unit above: reviews it too
    other_head: User  # head of UB-KTTC-V: outside the reach
    admin: User  # an administrator without a person
    c: Contribution  # submitted, on version 1


@pytest.fixture
def world(db_session: Any) -> World:
    admin = UserFactory(roles=["admin"])
    doc = make_draft(db_session, admin)
    staff = member(db_session, "staff")
    c = log(db_session, staff, document=doc, version=1, articles=["dieu-1"])
    w = World(
        doc=doc,
        staff=staff,
        head=member(db_session, "head"),
        committee_head=member(db_session, "head", unit="UB-PLTP"),
        other_head=member(db_session, "head", unit="UB-KTTC-V"),
        admin=admin,
        c=c,
    )
    # A request that fails rolls back to the last commit (a savepoint in tests): keep the set-up.
    db_session.commit()
    return w
