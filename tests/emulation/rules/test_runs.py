"""Consecutive-year rules: the fighter titles of the NA's agencies and of the nation."""

from __future__ import annotations

import datetime as dt

from emulation import title_rules
from tests.emulation.rules.builders import (
    SEASON,
    SETTLED,
    YEAR,
    award,
    initiative,
    person,
    result,
)

OUT = [(YEAR, "outstanding")]


def cstdcs(*years: int, start: int = 20, **kw) -> list:  # type: ignore[no-untyped-def]
    return [award(start + i, "CSTDCS", y, **kw) for i, y in enumerate(years)]


# ---------------------------------------------------------------- the helper


def test_a_run_counts_unbroken_years_back_from_its_end() -> None:
    facts = person(awards=cstdcs(2020, 2022, 2023, 2024))
    run = title_rules.award_run(facts, ("CSTDCS",), 2024)
    assert (run.count, run.first, run.last) == (3, 2022, 2024)
    assert run.ids == (23, 22, 21)


def test_a_gap_year_breaks_a_run() -> None:
    facts = person(awards=cstdcs(2021, 2022, 2024))
    assert title_rules.award_run(facts, ("CSTDCS",), 2024).count == 1


def test_a_revoked_award_breaks_a_run() -> None:
    awards = [*cstdcs(2022, 2024), award(30, "CSTDCS", 2023, revoked=True)]
    assert title_rules.award_run(person(awards=awards), ("CSTDCS",), 2024).count == 1


def test_g3_thematic_and_extraordinary_awards_do_not_count() -> None:
    awards = [
        *cstdcs(2022, 2024),
        award(30, "CSTDCS", 2023, kind="thematic"),
        award(31, "CSTDCS", 2023, kind="extraordinary"),
    ]
    assert title_rules.award_run(person(awards=awards), ("CSTDCS",), 2024).count == 1


def test_a_revoked_award_beside_a_valid_one_of_the_same_year_does_not_break_it() -> None:
    awards = [*cstdcs(2022, 2023, 2024), award(30, "CSTDCS", 2023, revoked=True)]
    assert title_rules.award_run(person(awards=awards), ("CSTDCS",), 2024).count == 3


# ---------------------------------------------------------------- CSTD_QH (Res. 44)


def qh_candidate(**kw) -> object:  # type: ignore[no-untyped-def]
    values = {
        "awards": cstdcs(YEAR - 2, YEAR - 1, YEAR),
        "initiatives": [initiative(7, YEAR - 1, scope="na_agencies")],
        "attested": OUT,
    }
    values.update(kw)
    return person(**values)


def test_cstd_qh_passes_with_three_grassroots_titles_an_initiative_and_the_attestation() -> None:
    report = title_rules.evaluate("CSTD_QH", qh_candidate(), YEAR, SEASON)
    assert report.outcome == "pass"
    run = result(report, "R3.cstdqh.consecutive_cstdcs")
    assert run.params["count"] == 3 and run.params["need"] == 3
    assert set(run.facts) == {"award:20", "award:21", "award:22"}
    assert title_rules.basis_of(report) == ("initiative", (7,))


def test_cstd_qh_fails_when_a_revoked_award_breaks_the_run() -> None:
    awards = [
        award(20, "CSTDCS", YEAR - 2),
        award(21, "CSTDCS", YEAR - 1, revoked=True),
        award(22, "CSTDCS", YEAR),
    ]
    report = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SEASON)
    assert report.outcome == "fail"
    run = result(report, "R3.cstdqh.consecutive_cstdcs")
    assert run.reason == "run_short"
    assert run.params["ignored"] == [21]
    assert "award:21" in run.facts


def test_cstd_qh_fails_with_a_gap_year() -> None:
    awards = cstdcs(YEAR - 3, YEAR - 1, YEAR)
    report = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SEASON)
    assert result(report, "R3.cstdqh.consecutive_cstdcs").outcome == "fail"


def test_cstd_qh_ignores_a_thematic_grassroots_title() -> None:
    awards = [award(20, "CSTDCS", YEAR - 2, kind="thematic"), *cstdcs(YEAR - 1, YEAR, start=21)]
    report = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SEASON)
    assert result(report, "R3.cstdqh.consecutive_cstdcs").reason == "run_short"


def test_cstd_qh_is_unknown_while_the_years_grassroots_title_may_still_come() -> None:
    awards = cstdcs(YEAR - 2, YEAR - 1)
    pending = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SEASON)
    run = result(pending, "R3.cstdqh.consecutive_cstdcs")
    assert (run.outcome, run.reason, run.params["count"]) == ("unknown", "run_pending", 2)
    settled = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SETTLED)
    assert result(settled, "R3.cstdqh.consecutive_cstdcs").outcome == "fail"


def test_cstd_qh_fails_at_once_when_the_years_title_was_revoked() -> None:
    awards = [*cstdcs(YEAR - 2, YEAR - 1), award(30, "CSTDCS", YEAR, revoked=True)]
    report = title_rules.evaluate("CSTD_QH", qh_candidate(awards=awards), YEAR, SEASON)
    assert result(report, "R3.cstdqh.consecutive_cstdcs").outcome == "fail"


def test_cstd_qh_needs_an_initiative_of_na_agencies_scope_or_wider() -> None:
    narrow = qh_candidate(initiatives=[initiative(7, YEAR, scope="grassroots")])
    report = title_rules.evaluate("CSTD_QH", narrow, YEAR, SEASON)
    assert result(report, "R3.cstdqh.initiative").reason == "initiative_missing"
    wide = qh_candidate(initiatives=[initiative(7, YEAR, scope="national")])
    assert title_rules.evaluate("CSTD_QH", wide, YEAR, SEASON).outcome == "pass"


def test_cstd_qh_initiative_must_fall_in_the_years_of_the_run() -> None:
    old = qh_candidate(initiatives=[initiative(7, YEAR - 3, scope="na_agencies")])
    report = title_rules.evaluate("CSTD_QH", old, YEAR, SEASON)
    found = result(report, "R3.cstdqh.initiative")
    assert found.outcome == "fail"
    assert (found.params["first"], found.params["last"]) == (YEAR - 2, YEAR)


def test_cstd_qh_initiative_used_by_an_earlier_fighter_title_is_not_reused() -> None:
    earlier = award(40, "CSTD_QH", YEAR - 1, basis="initiative", initiatives=[7])
    facts = qh_candidate(awards=[*cstdcs(YEAR - 2, YEAR - 1, YEAR), earlier])
    found = result(title_rules.evaluate("CSTD_QH", facts, YEAR, SEASON), "R3.cstdqh.initiative")
    assert found.outcome == "fail"
    assert found.params["reused"] == [7]


def test_cstd_qh_without_the_outstanding_attestation_is_unknown() -> None:
    report = title_rules.evaluate("CSTD_QH", qh_candidate(attested=[]), YEAR, SEASON)
    assert report.outcome == "unknown"


# ---------------------------------------------------------------- CSTD_TQ (Art. 21)


def tq_candidate(**kw) -> object:  # type: ignore[no-untyped-def]
    values = {
        "awards": [award(50, "CSTD_QH", YEAR - 2), award(51, "CSTD_QH", YEAR - 1)],
        "initiatives": [initiative(8, YEAR - 1, scope="national")],
        "attested": OUT,
    }
    values.update(kw)
    return person(**values)


def test_cstd_tq_passes_the_year_after_two_consecutive_na_fighter_titles() -> None:
    report = title_rules.evaluate("CSTD_TQ", tq_candidate(), YEAR, SETTLED)
    assert report.outcome == "pass"
    run = result(report, "R4.cstdtq.consecutive_fighter")
    assert (run.params["first"], run.params["last"]) == (YEAR - 2, YEAR - 1)


def test_cstd_tq_passes_in_the_year_of_the_second_title_too() -> None:
    awards = [award(50, "CSTD_QH", YEAR - 1), award(51, "CSTD_QH", YEAR)]
    report = title_rules.evaluate("CSTD_TQ", tq_candidate(awards=awards), YEAR, SETTLED)
    assert result(report, "R4.cstdtq.consecutive_fighter").outcome == "pass"


def test_cstd_tq_fails_when_the_na_fighter_titles_are_not_consecutive() -> None:
    awards = [award(50, "CSTD_QH", YEAR - 3), award(51, "CSTD_QH", YEAR - 1)]
    report = title_rules.evaluate("CSTD_TQ", tq_candidate(awards=awards), YEAR, SETTLED)
    assert result(report, "R4.cstdtq.consecutive_fighter").outcome == "fail"


def test_cstd_tq_needs_a_national_initiative() -> None:
    facts = tq_candidate(initiatives=[initiative(8, YEAR - 1, scope="ministry")])
    report = title_rules.evaluate("CSTD_TQ", facts, YEAR, SETTLED)
    assert result(report, "R4.cstdtq.national_initiative").reason == "initiative_missing"


def test_an_initiative_recognised_after_the_evaluation_day_is_not_read() -> None:
    facts = qh_candidate(initiatives=[initiative(7, YEAR, scope="na_agencies", month=12)])
    report = title_rules.evaluate("CSTD_QH", facts, YEAR, dt.date(YEAR, 11, 1))
    assert result(report, "R3.cstdqh.initiative").outcome == "fail"
