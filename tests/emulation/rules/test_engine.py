"""The engine around the rules: combining outcomes, the report, overrides, storage."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from emulation import title_rules
from emulation.subject_facts import CaseFact
from emulation.title_rules import RuleResult
from tests.emulation.rules.builders import SEASON, YEAR, person, unit


def res(outcome: str, *, gate: bool = False) -> RuleResult:
    return RuleResult("x", 1, outcome, "rating_missing", {}, (), (), gate)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (("pass", "pass"), "pass"),
        (("pass", "unknown"), "unknown"),
        (("unknown", "fail"), "fail"),
        (("pass", "fail"), "fail"),
        ((), "pass"),
    ],
)
def test_fail_beats_unknown_beats_pass(outcomes: tuple[str, ...], expected: str) -> None:
    assert title_rules.combine(res(o) for o in outcomes) == expected


def test_a_gate_fails_the_report_even_when_the_rest_is_unknown() -> None:
    facts = person(cases=[CaseFact(5, "inspection", dt.date(YEAR, 2, 1))])
    report = title_rules.evaluate("LDTT", facts, YEAR, SEASON)
    assert report.outcome == "fail"
    assert [r.outcome for r in report.results if r.gate] == ["fail", "pass"]


def test_the_report_lists_rule_versions_and_the_parameters_used() -> None:
    report = title_rules.evaluate("CSTDCS", person(), YEAR, SEASON)
    assert report.rule_versions == (
        "G1.no_pending_case@1",
        "G4.no_discipline_in_year@1",
        "R1.ldtt.rating@1",
        "R1.ldtt.solidarity@1",
        "R2.cstdcs.excellent_or_initiative@1",
    )
    assert report.params == {
        "discipline_blocking_form": "reprimand",
        "ldtt_min_band": "good",
        "cstdcs_requires_both_excellent_and_initiative": False,
        "cstdcs_initiative_min_scope": "grassroots",
    }
    assert (report.title_code, report.year, report.on) == ("CSTDCS", YEAR, SEASON)


def test_every_title_with_rules_starts_with_the_open_case_gate() -> None:
    for code in title_rules.titles_with_rules():
        rules = title_rules.rules_for(code)
        assert rules[0].id == "G1.no_pending_case"
        assert all(r.version >= 1 for r in rules)


def test_an_unknown_title_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="GK"):
        title_rules.rules_for("GK")
    with pytest.raises(ValueError, match="NOPE"):
        title_rules.evaluate("NOPE", person(), YEAR, SEASON)


def test_a_subject_of_the_wrong_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unit"):
        title_rules.evaluate("TTLDTT", person(), YEAR, SEASON)
    with pytest.raises(ValueError, match="person"):
        title_rules.evaluate("LDTT", unit([]), YEAR, SEASON)


def test_an_unknown_override_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="cstdcs_needs_everything"):
        title_rules.evaluate("CSTDCS", person(), YEAR, SEASON, {"cstdcs_needs_everything": True})


def test_a_result_survives_storage_as_json() -> None:
    report = title_rules.evaluate("CSTDCS", person(ratings={YEAR: "excellent"}), YEAR, SEASON)
    stored = json.loads(json.dumps([title_rules.result_to_dict(r) for r in report.results]))
    assert tuple(title_rules.result_from_dict(d) for d in stored) == report.results
    assert title_rules.basis_of(stored) == ("excellent", ())


def test_every_reason_a_rule_can_give_is_declared() -> None:
    assert len(set(title_rules.REASONS)) == len(title_rules.REASONS)
