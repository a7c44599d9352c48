"""Totals, ranks and the checks on a set of criteria, worked by hand."""

from __future__ import annotations

import pytest

from emulation.criteria import FormulaError
from emulation.scorecard import CriterionDef, check_definitions, rank, rule_version, score, total
from tests.emulation.test_criteria import LATE, item

DEFS = [
    CriterionDef("progress", "progress@1", 30),
    CriterionDef("quality", "quality@1", 35),
    CriterionDef("effectiveness", "effectiveness@1", 20),
    CriterionDef("volume", "volume@1", 15, {"target": 4}),
]


def test_a_subject_scored_by_hand() -> None:
    facts = [
        item(1, quality="excellent", outcome="accepted"),
        item(2, quality="good", major_errors=1, outcome="partly_accepted", **LATE),
    ]
    s = score(DEFS, facts)
    # progress (1 + .75)/2 = 87.5; quality (100 + 60)/2 = 80; effectiveness 75; volume 2/4 = 50
    assert s.values == pytest.approx(
        {"progress": 87.5, "quality": 80, "effectiveness": 75, "volume": 50}
    )
    # (30×87.5 + 35×80 + 20×75 + 15×50) / 100 = 76.75
    assert s.total == pytest.approx(76.75)


def test_criteria_that_cannot_be_scored_are_left_out_of_the_total() -> None:
    s = score(DEFS, [item(1, due_date=None)])  # no due date, unrated, not judged
    assert s.values["progress"] is None and s.values["quality"] is None
    assert s.values["volume"] == 25
    assert s.total == pytest.approx(25)  # only volume counts: 15×25 / 15


def test_nothing_scorable_means_no_total() -> None:
    defs = [CriterionDef("quality", "quality@1", 1)]
    assert score(defs, []).total is None
    assert total({"quality": None}, defs) is None


def test_competition_ranking() -> None:
    ranks = rank({"a": 80.0, "b": 91.5, "c": 80.0, "d": None, "e": 70.0})
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}
    # totals equal to six places are a tie, whatever float noise says
    assert rank({"x": 0.1 + 0.2, "y": 0.3}) == {"x": 1, "y": 1}
    assert rank({}) == {}


def test_rule_version_names_every_formula() -> None:
    assert rule_version(DEFS) == (
        "progress=progress@1,quality=quality@1,effectiveness=effectiveness@1,volume=volume@1"
    )


def test_definitions_round_trip_with_their_resolved_parameters() -> None:
    stored = DEFS[0].as_dict()
    assert stored["params"] == {"late_deduction": 0.25}
    assert CriterionDef.from_dict(stored).as_dict() == stored


@pytest.mark.parametrize(
    ("defs", "field"),
    [
        ([], "criteria"),
        ([DEFS[0], DEFS[0]], "criteria"),
        ([CriterionDef("x", "nope@1", 1)], "formula"),
        ([CriterionDef("p", "progress@1", -1)], "criteria.weight"),
        ([CriterionDef("p", "progress@1", float("nan"))], "criteria.weight"),
        ([CriterionDef("p", "progress@1", 0)], "criteria.weight"),
        ([CriterionDef("p", "progress@1", 1, {"late_deduction": -1})], "params.late_deduction"),
    ],
)
def test_sets_that_cannot_be_scored_are_refused(defs: list, field: str) -> None:
    with pytest.raises(FormulaError) as err:
        check_definitions(defs)
    assert err.value.field == field


def test_the_catalogue_defaults_are_a_valid_set() -> None:
    import json
    from pathlib import Path

    import emulation

    data = json.loads((Path(emulation.__file__).parent / "data" / "criteria.json").read_text())
    defaults = [CriterionDef.from_dict(c) for c in data["criteria"] if c.get("default", True)]
    check_definitions(defaults)
    assert sum(d.weight for d in defaults) == 100
