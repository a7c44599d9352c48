"""Shared by the advisers tests: contributions made as the ledger records them.

The rows are created directly (the model is the contract), so these tests hold whatever the
logging service does around them; what reaches the index depends only on the rows.
"""

from __future__ import annotations

from sqlalchemy import select

from lis import clock
from lis.contributions.models import Contribution
from lis.db import db
from lis.documents.models import Document
from lis.reference.models import WorkKind
from tests.factories import PersonFactory, unit_by_code


def work_kind(code: str = "VERIFY_REPORT") -> WorkKind:
    found = db.session().scalar(select(WorkKind).where(WorkKind.code == code))
    assert found is not None, f"no work kind {code}"
    return found


def contribute(
    document: Document, unit: str = "UB-PLTP-V", state: str = "submitted"
) -> Contribution:
    """A contribution of a person of `unit` to `document`, added to the session (not flushed)."""
    unit_row = unit_by_code(unit)
    person = PersonFactory(unit=unit_row)
    row = Contribution(
        document=document,
        stage=document.stage or "S_VERIFY",
        work_kind=work_kind(),
        person=person,
        unit=unit_row,
        title=f"Báo cáo thẩm tra của {unit}",
        delivered_date=clock.today(),
        state=state,
    )
    db.session().add(row)
    return row
