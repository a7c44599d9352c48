"""Read-side queries for reference data: nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from lis.errors import NotFound
from lis.reference.models import UNIT_KINDS, DocumentKind, Term, Unit, WorkKind

MAX_CODE = 40


def _sibling_key(unit: Unit) -> tuple[bool, int, str]:
    """Units that exist before closed ones, then by kind (bodies before offices), then code."""
    return (unit.valid_to is not None, UNIT_KINDS.index(unit.kind), unit.code)


def list_units(
    session: Session, *, kind: Sequence[str] = (), active_on: dt.date | None = None
) -> list[Unit]:
    """The units that pass the filters, in tree order (each parent before its children)."""
    stmt = select(Unit).options(selectinload(Unit.parent), selectinload(Unit.replaced_by))
    if kind:
        stmt = stmt.where(Unit.kind.in_(kind))
    if active_on is not None:
        stmt = stmt.where(
            or_(Unit.valid_from.is_(None), Unit.valid_from <= active_on),
            or_(Unit.valid_to.is_(None), Unit.valid_to > active_on),
        )
    return tree_order(session.scalars(stmt))


def tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Depth-first, parents before their children; a unit whose parent is not among `units`
    counts as a root."""
    units = list(units)
    present = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in present else None
        children.setdefault(parent, []).append(unit)
    out: list[Unit] = []

    def visit(parent: int | None) -> None:
        for unit in sorted(children.get(parent, []), key=_sibling_key):
            out.append(unit)
            visit(unit.id)

    visit(None)
    return out


def get_unit(session: Session, code: str) -> Unit:
    unit = None
    if 0 < len(code) <= MAX_CODE and code.isprintable():
        unit = session.scalar(
            select(Unit)
            .where(Unit.code == code.upper())
            .options(
                selectinload(Unit.parent),
                selectinload(Unit.replaced_by),
                selectinload(Unit.children).selectinload(Unit.replaced_by),
            )
        )
    if unit is None:
        raise NotFound(f"no unit with code {code[:MAX_CODE]!r}", {"code": "unknown"})
    return unit


def list_terms(session: Session) -> list[Term]:
    return list(
        session.scalars(select(Term).options(selectinload(Term.sessions)).order_by(Term.number))
    )


def list_document_kinds(session: Session) -> list[DocumentKind]:
    return list(session.scalars(select(DocumentKind).order_by(DocumentKind.code)))


def list_work_kinds(session: Session, *, stage: str | None = None) -> list[WorkKind]:
    kinds = session.scalars(select(WorkKind).order_by(WorkKind.code))
    # `stages` is a JSON list: filtering a handful of rows here beats dialect-specific SQL.
    return [k for k in kinds if stage is None or stage in k.stages]
