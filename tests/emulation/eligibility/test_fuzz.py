"""schemathesis over the eligibility endpoints with a stored report in place, as an officer
(who may evaluate anyone) and as a head (who may evaluate their units only)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from emulation import eligibility
from emulation.title_rules import SOLIDARITY
from tests.emulation.eligibility.helpers import ON, YEAR, attest, rating
from tests.emulation.helpers import person
from tests.factories import UserFactory
from tests.fuzzing import fuzz


@pytest.mark.parametrize("role", ["officer", "head"])
def test_no_server_errors(app: Flask, db_session: Any, token_for: Any, role: str) -> None:
    who = person("UB-KTTC-V")
    rating(db_session, who, "excellent")
    attest(db_session, criterion=SOLIDARITY, who=who)
    eligibility.evaluate(
        db_session,
        UserFactory(roles=["officer"]),
        title="CSTDCS",
        year=YEAR,
        person_id=who.id,
        on=ON,
    )
    token = token_for(role, unit="UB-KTTC")
    db_session.commit()
    failures = fuzz(app, token, prefix="/api/v1/emulation/eligibility", max_examples=30)
    failures += fuzz(app, token, prefix="/api/v1/emulation/rule", max_examples=20)
    assert not failures, "\n\n".join(failures)
