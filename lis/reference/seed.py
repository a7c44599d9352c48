"""Load the reference data declared in `data/*.json`: upsert by code, so a second run changes
nothing and an edited value updates its row. Rows missing from the files are left alone (other
data may point at them). Flushes, never commits: the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.audit.models import AuditEvent
from lis.errors import ValidationError
from lis.reference import schemas
from lis.reference.models import DocumentKind, Term, Unit, WorkKind
from lis.reference.models import Session as NaSession

DATA_DIR = Path(__file__).resolve().parent / "data"

# file name -> (the list's key in it, the schema of one row)
FILES: dict[str, tuple[str, type[ma.Schema]]] = {
    "units.json": ("units", schemas.UnitSeedSchema),
    "terms.json": ("terms", schemas.TermSeedSchema),
    "document_kinds.json": ("document_kinds", schemas.DocumentKindSeedSchema),
    "work_kinds.json": ("work_kinds", schemas.WorkKindSeedSchema),
}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited by an administrator since: the seed leaves them as they are

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


@dataclass
class SeedReport:
    tallies: dict[str, Tally] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated for t in self.tallies.values())


# --- reading and checking the files -------------------------------------------------------------
def _invalid(name: str, message: str, fields: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError(f"{name}: {message}", {"file": name, **(fields or {})})


def _read(data_dir: Path, name: str) -> list[dict[str, Any]]:
    key, schema = FILES[name]
    path = data_dir / name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _invalid(name, f"cannot read: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) - {"about", key} or key not in raw:
        raise _invalid(name, f'expected {{"about": "...", "{key}": [...]}}')
    try:
        rows: list[dict[str, Any]] = schema(many=True).load(raw[key])
    except ma.ValidationError as exc:
        raise _invalid(name, f"invalid rows: {exc.messages}", {"rows": exc.messages}) from exc
    return rows


def _unique(name: str, keys: list[Any]) -> None:
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            raise _invalid(name, f"{key!r} appears twice")
        seen.add(key)


def _check_units(rows: list[dict[str, Any]]) -> None:
    name = "units.json"
    _unique(name, [r["code"] for r in rows])
    parents = {r["code"]: r["parent"] for r in rows}
    for row in rows:
        for ref in ("parent", "replaced_by"):
            if row[ref] is not None and row[ref] not in parents:
                raise _invalid(name, f"{row['code']}: {ref} {row[ref]!r} is not a unit here")
        path, code = [row["code"]], row["parent"]
        while code is not None:
            if code in path:
                raise _invalid(name, f"parents form a loop: {' -> '.join([*path, code])}")
            path.append(code)
            code = parents[code]


def load_data(data_dir: Path = DATA_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every file read and checked, before anything is written."""
    data = {FILES[name][0]: _read(data_dir, name) for name in FILES}
    _check_units(data["units"])
    _unique("terms.json", [t["code"] for t in data["terms"]])
    _unique("terms.json", [t["number"] for t in data["terms"]])
    for term in data["terms"]:
        _unique("terms.json", [(term["code"], s["kind"], s["number"]) for s in term["sessions"]])
    _unique("document_kinds.json", [k["code"] for k in data["document_kinds"]])
    _unique("work_kinds.json", [k["code"] for k in data["work_kinds"]])
    return data


# --- writing ------------------------------------------------------------------------------------
def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes whose value differs; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(
    session: Session, existing: dict[Any, Any], key: Any, model: type, values: dict[str, Any]
) -> tuple[Any, str]:
    obj = existing.get(key)
    if obj is None:
        obj = existing[key] = model(**values)
        session.add(obj)
        return obj, "created"
    return obj, "updated" if _apply(obj, values) else "unchanged"


def _edited_units(session: Session) -> set[str]:
    """Codes of units an administrator has changed: the audit log remembers every such edit."""
    stmt = select(AuditEvent.entity_id).where(AuditEvent.entity == "unit").distinct()
    return set(session.scalars(stmt))


def _seed_units(session: Session, rows: list[dict[str, Any]]) -> Tally:
    edited = _edited_units(session)
    existing = {u.code: u for u in session.scalars(select(Unit))}
    statuses: dict[str, str] = {code: "kept" for code in edited if code in existing}
    rows = [row for row in rows if row["code"] not in statuses]
    for row in rows:
        values = {k: v for k, v in row.items() if k not in ("parent", "replaced_by")}
        _unit, statuses[row["code"]] = _upsert(session, existing, row["code"], Unit, values)
    # Links second: a row may name a unit declared further down.
    for row in rows:
        links = {
            ref: existing.get(row[ref]) if row[ref] else None for ref in ("parent", "replaced_by")
        }
        if _apply(existing[row["code"]], links) and statuses[row["code"]] == "unchanged":
            statuses[row["code"]] = "updated"
    tally = Tally()
    for status in statuses.values():
        tally.count(status)
    return tally


def _seed_terms(session: Session, rows: list[dict[str, Any]]) -> tuple[Tally, Tally]:
    terms, sessions = Tally(), Tally()
    existing = {t.code: t for t in session.scalars(select(Term))}
    for row in rows:
        values = {k: v for k, v in row.items() if k != "sessions"}
        term, status = _upsert(session, existing, row["code"], Term, values)
        terms.count(status)
        held = {(s.kind, s.number): s for s in term.sessions}
        for srow in row["sessions"]:
            key = (srow["kind"], srow["number"])
            _na_session, status = _upsert(session, held, key, NaSession, {**srow, "term": term})
            sessions.count(status)
    return terms, sessions


def seed_by_code(session: Session, model: type, rows: list[dict[str, Any]]) -> Tally:
    """Create or update rows of `model` by their code (kept: rows an administrator edited)."""
    tally = Tally()
    existing = {obj.code: obj for obj in session.scalars(select(model))}
    for row in rows:
        _obj, status = _upsert(session, existing, row["code"], model, row)
        tally.count(status)
    return tally


def seed_reference(session: Session, data_dir: Path = DATA_DIR) -> SeedReport:
    """Create or update the reference rows declared in `data_dir`; report what it did."""
    data = load_data(data_dir)
    report = SeedReport()
    report.tallies["units"] = _seed_units(session, data["units"])
    report.tallies["terms"], report.tallies["sessions"] = _seed_terms(session, data["terms"])
    report.tallies["document_kinds"] = seed_by_code(session, DocumentKind, data["document_kinds"])
    report.tallies["work_kinds"] = seed_by_code(session, WorkKind, data["work_kinds"])
    session.flush()
    return report
