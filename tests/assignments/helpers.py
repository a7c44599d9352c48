"""Shared set-up for the assignment tests: a draft, and people in units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lis.assignments import services
from lis.assignments.models import Assignment
from lis.clock import today
from tests.factories import DocumentFactory, PersonFactory, unit_by_code


def draft(**kw: Any) -> Any:
    """A law draft at verification, led by the law committee."""
    values: dict[str, Any] = {
        "origin": "draft",
        "kind": "law",
        "stage": "S_VERIFY",
        "issued_date": None,
        "lead_unit": unit_by_code("UB-PLTP"),
    }
    values.update(kw)
    return DocumentFactory(**values)


def person_in(unit: str, user: Any = None) -> Any:
    return PersonFactory(unit=unit_by_code(unit), user=user)


def make_assignment(session: Any, actor: Any, doc: Any, **kw: Any) -> Assignment:
    values: dict[str, Any] = {
        "document": doc.external_id,
        "stage": "S_VERIFY",
        "work_kind": "VERIFY_REPORT",
        "unit": "UB-PLTP-V",
        "due_date": today() + dt.timedelta(days=14),
    }
    values.update(kw)
    return services.assign(session, actor, **values)
