"""Seed the criteria catalogue and the titles from emulation/data (idempotent; part of
`lis seed reference`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from emulation import criteria
from emulation.models import Criterion, Title
from lis.errors import ValidationError
from lis.reference.seed import SeedReport, seed_by_code

DATA_DIR = Path(__file__).parent / "data"


def _rows(name: str, key: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return list(json.load(fh)[key])


def seed_emulation(session: Session, report: SeedReport) -> SeedReport:
    rows = _rows("criteria.json", "criteria")
    for row in rows:
        try:
            criteria.resolve_params(row["formula"], row.get("params"))
        except criteria.FormulaError as exc:
            raise ValidationError(
                f"criteria.json: {row['code']}: {exc}", {"file": "criteria.json"}
            ) from None
    report.tallies["emulation_criteria"] = seed_by_code(session, Criterion, rows)
    report.tallies["titles"] = seed_by_code(session, Title, _rows("titles.json", "titles"))
    session.flush()
    return report
