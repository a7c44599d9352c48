"""Movements for tests, launched through the services (their rules are what is tested)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulation import movements
from emulation.models import Movement
from lis.audit.models import AuditEvent
from tests.factories import UserFactory

START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)


def officer() -> Any:
    return UserFactory(roles=["officer"])


def launch(
    session: Session,
    actor: Any = None,
    *,
    units: Sequence[str] = ("UB-PLTP",),
    people: Sequence[int] = (),
    **kw: Any,
) -> Movement:
    """An open movement of the law committee (and the units under it) unless told."""
    values: dict[str, Any] = {
        "name": "Thi đua thẩm tra dự án luật đúng tiến độ",
        "theme": "Nâng cao chất lượng thẩm tra",
        "slogan": "Đúng hạn, chất lượng",
        "launching_unit": "VPQH",
        "kind": "thematic",
        "start_date": START,
        "end_date": END,
    }
    values.update(kw)
    return movements.launch(
        session, actor or officer(), units=list(units), people=list(people), **values
    )


def events(session: Session, action: str, entity_id: object) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )
