"""The seed: what it loads, that it is idempotent, that it checks its files; the tree, validity
dates and the order of sessions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from lis.documents.models import KINDS
from lis.errors import ValidationError
from lis.reference import queries
from lis.reference.models import DocumentKind, Term, Unit, WorkKind
from lis.reference.models import Session as NaSession
from lis.reference.seed import DATA_DIR, SeedReport, load_data, seed_reference

# The stage codes of ../shared/research/na-reference.md §2.1-2.2.
STAGES = {
    "S_ORIENT", "S_PROGRAMME", "S_POLICY", "S_DRAFTING", "S_APPRAISAL", "S_GOV_OPINION",
    "S_SUBMITTED", "S_VERIFY", "S_UBTVQH_OPINION", "S_UBTVQH_DEBATE", "S_NA_DEBATE",
    "S_REVISION", "S_ADOPTED", "S_AUTHENTICATED", "S_PROMULGATED", "S_GAZETTED", "S_IN_FORCE",
}  # fmt: skip


def _count(session: Any, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _unit(session: Any, code: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.code == code))


def _edited_copy(tmp_path: Path, name: str, edit: Any) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return data_dir


def test_seed_loads_every_row(db_session: Any, reference: SeedReport) -> None:
    data = load_data()
    sessions = sum(len(t["sessions"]) for t in data["terms"])
    expected = {
        "units": len(data["units"]),
        "terms": 4,
        "sessions": sessions,
        "document_kinds": len(data["document_kinds"]),
        "work_kinds": 21,
    }
    assert {name: t.created for name, t in reference.tallies.items()} == expected
    assert _count(db_session, Unit) == len(data["units"]) >= 40
    assert _count(db_session, Term) == 4
    assert _count(db_session, NaSession) == sessions == 14
    assert _count(db_session, DocumentKind) == len(KINDS)
    assert _count(db_session, WorkKind) == 21
    assert [t.code for t in queries.list_terms(db_session)] == ["XIII", "XIV", "XV", "XVI"]


def test_seed_twice_changes_nothing(db_session: Any, reference: SeedReport) -> None:
    again = seed_reference(db_session)
    assert not again.changed
    for name, tally in again.tallies.items():
        assert (tally.created, tally.updated) == (0, 0), name
        assert tally.unchanged == reference.tallies[name].created


def test_an_edited_value_updates_its_row(db_session: Any, reference: Any, tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        for row in doc["units"]:
            if row["code"] == "UB-PLTP":
                row["name_en"] = "Committee on Law and Justice"
            if row["code"] == "VPQH-CDS":
                row["parent"] = "QH"  # a changed link counts as an update too

    report = seed_reference(db_session, _edited_copy(tmp_path, "units.json", edit))
    units = report.tallies["units"]
    assert (units.created, units.updated) == (0, 2)
    assert not any(t.created or t.updated for n, t in report.tallies.items() if n != "units")
    assert _unit(db_session, "UB-PLTP").name_en == "Committee on Law and Justice"
    assert _unit(db_session, "VPQH-CDS").parent.code == "QH"


def test_a_new_session_is_added(db_session: Any, reference: Any, tmp_path: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        xvi = next(t for t in doc["terms"] if t["code"] == "XVI")
        xvi["sessions"] = [
            {"number": 1, "kind": "regular", "start_date": "2026-04-06", "source": "test"}
        ]

    report = seed_reference(db_session, _edited_copy(tmp_path, "terms.json", edit))
    assert report.tallies["sessions"].created == 1
    assert report.tallies["terms"].updated == 0
    xvi = db_session.scalar(select(Term).where(Term.code == "XVI"))
    assert [(s.number, s.start_date) for s in xvi.sessions] == [(1, dt.date(2026, 4, 6))]


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("units.json", lambda d: d["units"][1].update(colour="red"), "colour"),
        ("units.json", lambda d: d["units"][1].update(kind="club"), "kind"),
        ("units.json", lambda d: d["units"][1].update(parent="NOPE"), "'NOPE' is not a unit"),
        ("units.json", lambda d: d["units"][0].update(parent="UBTVQH"), "loop"),
        ("units.json", lambda d: d["units"].append(d["units"][0]), "'QH' appears twice"),
        (
            "units.json",
            lambda d: d["units"][1].update(valid_from="2030-01-01", valid_to="2029-01-01"),
            "valid_from",
        ),
        ("terms.json", lambda d: d["terms"][2]["sessions"][0].update(kind="special"), "kind"),
        ("terms.json", lambda d: d["terms"][2]["sessions"][0].pop("source"), "source"),
        (
            "document_kinds.json",
            lambda d: d["document_kinds"][0].update(number_patterns=["("]),
            "regular expression",
        ),
        ("work_kinds.json", lambda d: d["work_kinds"][0].update(stages=["verify"]), "stages"),
        ("work_kinds.json", lambda d: d.update(extra=[]), "expected"),
    ],
)
def test_bad_seed_files_are_refused_before_any_write(
    db_session: Any, tmp_path: Path, name: str, edit: Any, message: str
) -> None:
    before = {m: _count(db_session, m) for m in (Unit, Term, NaSession, DocumentKind, WorkKind)}
    unit = _unit(db_session, "UBTVQH")
    with pytest.raises(ValidationError) as err:
        seed_reference(db_session, _edited_copy(tmp_path, name, edit))
    assert name in err.value.message and message in err.value.message
    assert {m: _count(db_session, m) for m in before} == before
    db_session.refresh(unit)
    assert unit.parent.code == "QH"


def test_the_unit_tree(db_session: Any, reference: Any) -> None:
    assert _unit(db_session, "UB-PLTP-V").parent.code == "UB-PLTP"
    assert _unit(db_session, "UB-PLTP").parent.code == "QH"
    assert _unit(db_session, "QH").parent is None
    vpqh = {u.code for u in _unit(db_session, "VPQH").children}
    assert {"VPQH-TH", "VPQH-TCCB", "VPQH-QHQT", "VPQH-HC", "VPQH-CDS", "VPQH-KHTC"} <= vpqh
    assert {"VPQH-TTTV", "VPQH-CQT", "VPQH-BDBND"} <= vpqh
    bodies = {"HDDT", "UB-PLTP", "UB-KTTC", "UB-QPANDN", "UB-VHXH", "UB-KHCNMT"}
    for body in bodies | {"UB-CTDB", "UB-DNGS"}:  # one department (vụ) per body [C-71 Art 22]
        assert [c.code for c in _unit(db_session, body).children] == [f"{body}-V"]
    # In tree order every parent comes before its children.
    seen: set[str] = set()
    for unit in queries.list_units(db_session):
        assert unit.parent is None or unit.parent.code in seen, unit.code
        seen.add(unit.code)


def test_closed_units_by_date(db_session: Any, reference: Any) -> None:
    def active(day: dt.date, kind: str = "committee") -> set[str]:
        return {u.code for u in queries.list_units(db_session, kind=[kind], active_on=day)}

    before, after = active(dt.date(2024, 1, 1)), active(dt.date(2025, 3, 1))
    assert "UB-PL" in before and "UB-PL" not in after
    assert "UB-PLTP" in after and "UB-PLTP" not in before
    assert "UB-KHCNMT" in before and "UB-KHCNMT" in after  # it went through the 2025 reform
    assert len(after) == 7  # the Ethnic Council + 7 committees [C-178]
    # valid_to is the first day without the unit: on 2025-02-18 only the new committees exist.
    assert "UB-PL" not in active(dt.date(2025, 2, 18)) and "UB-PLTP" in active(dt.date(2025, 2, 18))
    ub_pl = _unit(db_session, "UB-PL")
    assert ub_pl.valid_to == dt.date(2025, 2, 18) and ub_pl.replaced_by.code == "UB-PLTP"
    assert _unit(db_session, "BAN-CTDB").replaced_by.code == "UB-CTDB"
    assert "VIEN-NCLP" in active(dt.date(2025, 1, 14), "agency")
    assert "VIEN-NCLP" not in active(dt.date(2025, 1, 15), "agency")


def test_term_xv_sessions_in_order(db_session: Any, reference: Any) -> None:
    xv = db_session.scalar(select(Term).where(Term.code == "XV"))
    assert (xv.number, xv.start_year, xv.end_year) == (15, 2021, 2026)
    assert xv.start_date == dt.date(2021, 7, 20)
    order = [(s.kind[0], s.number) for s in xv.sessions]
    assert order == [
        ("r", 1), ("r", 2), ("r", 3), ("r", 4), ("i", 2), ("i", 3), ("r", 5), ("r", 6),
        ("r", 7), ("i", 8), ("r", 8), ("i", 9), ("r", 9), ("r", 10),
    ]  # fmt: skip
    days = [s.start_date or s.end_date for s in xv.sessions]
    assert days == sorted(days)
    third = xv.sessions[2]
    assert third.start_date is None and third.end_date == dt.date(2022, 6, 16)
    assert not third.verified  # its opening day was not found


def test_document_kinds_are_the_importers_kinds(db_session: Any, reference: Any) -> None:
    kinds = {k.code: k for k in queries.list_document_kinds(db_session)}
    assert set(kinds) == set(KINDS.values())
    for label, code in KINDS.items():
        assert kinds[code].name == label


def test_work_kinds_name_known_stages(db_session: Any, reference: Any) -> None:
    kinds = queries.list_work_kinds(db_session)
    for kind in kinds:
        assert kind.stages and set(kind.stages) <= STAGES, kind.code
        assert kind.source
    verify = {k.code for k in queries.list_work_kinds(db_session, stage="S_VERIFY")}
    assert verify == {
        "VERIFY_REPORT", "PRELIM_VERIFY", "JOINT_VERIFY", "CONSTITUTIONALITY", "ETHNIC_POLICY",
        "VOTER_INPUT_SUMMARY", "CONSULT_EVENT", "RESEARCH_BRIEF", "STATUS_REPORT",
    }  # fmt: skip
    guesses = {k.code for k in kinds if not k.verified}
    assert guesses == {"COMPARISON_TABLE", "CONSULT_EVENT", "SESSION_SERVICE"}


def test_every_row_cites_a_source() -> None:
    data = load_data()
    rows = [*data["units"], *data["terms"], *data["document_kinds"], *data["work_kinds"]]
    rows += [s for t in data["terms"] for s in t["sessions"]]
    assert all(row["source"].strip() for row in rows)


def test_cli_seed_reference_is_idempotent(app: Flask, db_session: Any) -> None:
    db_session.execute(text("DELETE FROM work_kinds"))
    db_session.execute(text("UPDATE units SET name_en = 'old' WHERE code = 'QH'"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "reference"])
    assert first.exit_code == 0, first.output
    assert "units: created 0, updated 1, unchanged 41" in first.output
    assert "work_kinds: created 21, updated 0, unchanged 0" in first.output
    second = runner.invoke(args=["seed", "reference"])
    assert second.exit_code == 0, second.output
    assert "units: created 0, updated 0, unchanged 42" in second.output
    assert "reference data unchanged" in second.output


def test_cli_seed_demo_seeds_reference_data_first(app: Flask, db_session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert result.output.index("units: created") < result.output.index("Demo logins")
    assert _count(db_session, Unit) == 42


def test_units_edited_by_an_administrator_are_kept(db_session: Any, make_user: Any) -> None:
    """`make run` seeds on every start: it must not undo what an administrator changed."""
    from lis.reference.services import update_unit

    unit = _unit(db_session, "UB-PLTP")
    update_unit(db_session, unit, actor=make_user("admin"), changes={"name_en": "Law Committee"})
    report = seed_reference(db_session)
    assert report.tallies["units"].kept == 1
    assert report.tallies["units"].updated == 0
    assert _unit(db_session, "UB-PLTP").name_en == "Law Committee"
