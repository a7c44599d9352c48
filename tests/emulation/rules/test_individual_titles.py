"""Lao động tiên tiến and Chiến sĩ thi đua cơ sở, and the gates every individual title has."""

from __future__ import annotations

import datetime as dt

import pytest

from emulation import title_rules
from emulation.subject_facts import CaseFact, DisciplineFact
from tests.emulation.rules.builders import (
    SEASON,
    YEAR,
    award,
    initiative,
    outcomes,
    person,
    result,
)

SOLID = [(YEAR, "solidarity")]


def test_ldtt_passes_with_a_good_rating_and_the_attestation() -> None:
    report = title_rules.evaluate(
        "LDTT", person(ratings={YEAR: "good"}, attested=SOLID), YEAR, SEASON
    )
    assert report.outcome == "pass"
    rating = result(report, "R1.ldtt.rating")
    assert rating.facts == (f"rating:{YEAR}",)
    assert rating.params["min_band"] == "good"
    assert rating.provisions == ("LAW_06_2022.A24.K1.Pa",)


def test_ldtt_fails_below_good() -> None:
    report = title_rules.evaluate(
        "LDTT", person(ratings={YEAR: "completed"}, attested=SOLID), YEAR, SEASON
    )
    assert report.outcome == "fail"
    assert result(report, "R1.ldtt.rating").reason == "rating_below"


def test_ldtt_cannot_tell_without_the_rating() -> None:
    report = title_rules.evaluate("LDTT", person(attested=SOLID), YEAR, SEASON)
    assert report.outcome == "unknown"
    assert result(report, "R1.ldtt.rating").reason == "rating_missing"


def test_a_missing_attestation_is_unknown_and_a_denied_one_fails() -> None:
    missing = title_rules.evaluate("LDTT", person(ratings={YEAR: "good"}), YEAR, SEASON)
    assert missing.outcome == "unknown"
    assert result(missing, "R1.ldtt.solidarity").reason == "attestation_missing"
    denied = title_rules.evaluate(
        "LDTT", person(ratings={YEAR: "good"}, denied=SOLID), YEAR, SEASON
    )
    assert denied.outcome == "fail"
    denial = result(denied, "R1.ldtt.solidarity")
    assert denial.reason == "attestation_denied"
    assert denial.params["by"] == "head@example.vn"
    assert denial.facts[0].startswith("attestation:")


def test_an_attestation_of_another_year_does_not_count() -> None:
    facts = person(ratings={YEAR: "good"}, attested=[(YEAR - 1, "solidarity")])
    assert title_rules.evaluate("LDTT", facts, YEAR, SEASON).outcome == "unknown"


# ---------------------------------------------------------------- gates


def test_an_open_case_blocks_as_a_gate_and_names_the_case() -> None:
    case = CaseFact(5, "investigation", dt.date(YEAR, 11, 2))
    facts = person(ratings={YEAR: "excellent"}, attested=SOLID, cases=[case])
    report = title_rules.evaluate("CSTDCS", facts, YEAR, SEASON)
    assert report.outcome == "fail"
    gate = result(report, "G1.no_pending_case")
    assert gate.gate is True
    assert gate.reason == "open_case"
    assert gate.facts == ("case:5",)
    assert gate.params["cases"] == [{"id": 5, "kind": "investigation", "opened_on": "2024-11-02"}]
    assert outcomes(report)["R2.cstdcs.excellent_or_initiative"] == "pass"


def test_a_closed_case_or_one_opened_later_does_not_block() -> None:
    closed = CaseFact(5, "complaint", dt.date(YEAR, 3, 1), dt.date(YEAR, 9, 1))
    later = CaseFact(6, "press_report", SEASON + dt.timedelta(days=1))
    facts = person(ratings={YEAR: "good"}, attested=SOLID, cases=[closed, later])
    report = title_rules.evaluate("LDTT", facts, YEAR, SEASON)
    assert result(report, "G1.no_pending_case").outcome == "pass"
    assert report.outcome == "pass"


@pytest.mark.parametrize(
    ("discipline", "blocked"),
    [
        (DisciplineFact(2, "reprimand", dt.date(YEAR, 5, 1)), True),
        (DisciplineFact(2, "warning", dt.date(YEAR, 5, 1)), True),
        (DisciplineFact(2, "reprimand", dt.date(YEAR - 1, 5, 1)), False),
        (DisciplineFact(2, "warning", dt.date(YEAR - 1, 9, 1), dt.date(YEAR, 3, 1)), True),
        (DisciplineFact(2, "reprimand", dt.date(YEAR + 1, 1, 5)), False),
    ],
)
def test_discipline_in_the_year_is_a_gate(discipline: DisciplineFact, blocked: bool) -> None:
    facts = person(ratings={YEAR: "good"}, attested=SOLID, disciplines=[discipline])
    report = title_rules.evaluate("LDTT", facts, YEAR, dt.date(YEAR + 1, 6, 1))
    gate = result(report, "G4.no_discipline_in_year")
    assert gate.gate is True
    assert gate.outcome == ("fail" if blocked else "pass")
    assert report.outcome == ("fail" if blocked else "pass")
    if blocked:
        assert gate.facts == ("discipline:2",)


def test_the_discipline_threshold_is_a_parameter() -> None:
    facts = person(
        ratings={YEAR: "good"},
        attested=SOLID,
        disciplines=[DisciplineFact(2, "reprimand", dt.date(YEAR, 5, 1))],
    )
    lenient = {"discipline_blocking_form": "warning"}
    assert title_rules.evaluate("LDTT", facts, YEAR, SEASON, lenient).outcome == "pass"


# ---------------------------------------------------------------- CSTDCS (Art. 23, Res. 44)


def test_cstdcs_on_an_excellent_rating_alone() -> None:
    report = title_rules.evaluate(
        "CSTDCS", person(ratings={YEAR: "excellent"}, attested=SOLID), YEAR, SEASON
    )
    assert report.outcome == "pass"
    r2 = result(report, "R2.cstdcs.excellent_or_initiative")
    assert (r2.reason, r2.params["basis"]) == ("cstdcs_excellent", "excellent")
    assert title_rules.basis_of(report) == ("excellent", ())


def test_cstdcs_on_an_initiative_with_a_good_rating() -> None:
    facts = person(ratings={YEAR: "good"}, attested=SOLID, initiatives=[initiative(3, YEAR)])
    report = title_rules.evaluate("CSTDCS", facts, YEAR, SEASON)
    assert report.outcome == "pass"
    r2 = result(report, "R2.cstdcs.excellent_or_initiative")
    assert r2.reason == "cstdcs_initiative"
    assert "initiative:3" in r2.facts
    assert title_rules.basis_of(report) == ("initiative", (3,))


def test_cstdcs_prefers_the_excellent_basis_so_initiatives_stay_free() -> None:
    facts = person(ratings={YEAR: "excellent"}, attested=SOLID, initiatives=[initiative(3, YEAR)])
    report = title_rules.evaluate("CSTDCS", facts, YEAR, SEASON)
    assert title_rules.basis_of(report) == ("excellent", ())


@pytest.mark.parametrize(
    "item",
    [
        initiative(3, YEAR - 1),  # recognised the year before
        initiative(3, YEAR, applied=False),  # not applied effectively (Art. 3.4)
    ],
)
def test_cstdcs_fails_with_a_good_rating_and_no_usable_initiative(item) -> None:  # type: ignore[no-untyped-def]
    facts = person(ratings={YEAR: "good"}, attested=SOLID, initiatives=[item])
    report = title_rules.evaluate("CSTDCS", facts, YEAR, SEASON)
    assert report.outcome == "fail"
    assert result(report, "R2.cstdcs.excellent_or_initiative").reason == "cstdcs_neither"


def test_g2_an_initiative_used_by_an_earlier_grassroots_title_is_not_reused() -> None:
    used = award(10, "CSTDCS", YEAR - 1, basis="initiative", initiatives=[3])
    facts = person(
        ratings={YEAR: "good"},
        attested=SOLID,
        awards=[used],
        initiatives=[initiative(3, YEAR, month=1)],
    )
    r2 = result(
        title_rules.evaluate("CSTDCS", facts, YEAR, SEASON), "R2.cstdcs.excellent_or_initiative"
    )
    assert r2.outcome == "fail"
    assert r2.params["reused"] == [3]


def test_g2_a_revoked_award_frees_its_initiative_and_an_award_is_not_counted_against_itself() -> (
    None
):
    revoked = award(10, "CSTDCS", YEAR - 1, basis="initiative", initiatives=[3], revoked=True)
    this_one = award(11, "CSTDCS", YEAR, basis="initiative", initiatives=[3])
    facts = person(
        ratings={YEAR: "good"},
        attested=SOLID,
        awards=[revoked, this_one],
        initiatives=[initiative(3, YEAR)],
    )
    report = title_rules.evaluate("CSTDCS", facts, YEAR, SEASON)
    assert report.outcome == "pass"


def test_cstdcs_with_a_good_rating_pending_is_unknown_and_with_no_rating_too() -> None:
    report = title_rules.evaluate("CSTDCS", person(attested=SOLID), YEAR, SEASON)
    assert report.outcome == "unknown"
    assert result(report, "R2.cstdcs.excellent_or_initiative").reason == "rating_missing"


def test_what_if_requiring_both_changes_the_outcome() -> None:
    excellent_only = person(ratings={YEAR: "excellent"}, attested=SOLID)
    both = {"cstdcs_requires_both_excellent_and_initiative": True}
    assert title_rules.evaluate("CSTDCS", excellent_only, YEAR, SEASON).outcome == "pass"
    report = title_rules.evaluate("CSTDCS", excellent_only, YEAR, SEASON, both)
    assert report.outcome == "fail"
    assert result(report, "R2.cstdcs.excellent_or_initiative").reason == "cstdcs_needs_initiative"
    assert report.params["cstdcs_requires_both_excellent_and_initiative"] is True

    initiative_only = person(
        ratings={YEAR: "good"}, attested=SOLID, initiatives=[initiative(3, YEAR)]
    )
    report = title_rules.evaluate("CSTDCS", initiative_only, YEAR, SEASON, both)
    assert result(report, "R2.cstdcs.excellent_or_initiative").reason == "cstdcs_needs_excellent"

    full = person(ratings={YEAR: "excellent"}, attested=SOLID, initiatives=[initiative(3, YEAR)])
    report = title_rules.evaluate("CSTDCS", full, YEAR, SEASON, both)
    assert report.outcome == "pass"
    assert title_rules.basis_of(report) == ("initiative", (3,))


def test_ldtt_reads_an_exemplary_attestation_too_but_a_denial_wins() -> None:
    exemplary = person(ratings={YEAR: "good"}, attested=[(YEAR, "exemplary")])
    report = title_rules.evaluate("LDTT", exemplary, YEAR, SEASON)
    assert report.outcome == "pass"
    assert result(report, "R1.ldtt.solidarity").params["criterion"] == "exemplary"
    mixed = person(ratings={YEAR: "good"}, attested=[(YEAR, "exemplary")], denied=SOLID)
    assert title_rules.evaluate("LDTT", mixed, YEAR, SEASON).outcome == "fail"
