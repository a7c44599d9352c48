"""Bằng khen of the NA Standing Committee (Law Art. 74.1.d as the Ministry of Home Affairs
reads it) and Bằng khen of the Prime Minister (Art. 73.1.b)."""

from __future__ import annotations

from emulation import title_rules
from tests.emulation.rules.builders import SEASON, SETTLED, award, initiative, person, result

EX = [(2024, "exemplary")]
D = "R7.bk.art74_1_d"


def test_moha_reading_i_excellent_years_with_one_initiative_each_qualify() -> None:
    """Excellent in 2023 with one initiative (no grassroots title asked), excellent in 2024 with
    one initiative and the 2024 grassroots title granted on the "excellent" ground: qualifies."""
    facts = person(
        ratings={2023: "excellent", 2024: "excellent"},
        initiatives=[initiative(1, 2023), initiative(2, 2024)],
        awards=[award(10, "CSTDCS", 2024, basis="excellent")],
        attested=EX,
    )
    report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON)
    assert report.outcome == "pass"
    d = result(report, D)
    assert d.reason == "bk_excellent_initiatives"
    assert d.params["initiatives"] == [1, 2]
    assert d.params["cstdcs"] == 1  # the first option alone would not do
    assert {"initiative:1", "initiative:2", "rating:2023", "rating:2024"} <= set(d.facts)
    assert title_rules.basis_of(report) == ("initiative", (1, 2))


def test_moha_reading_ii_initiatives_used_for_a_grassroots_title_need_two_more() -> None:
    """The 2024 grassroots title was granted on the initiative ground with both initiatives:
    they cannot be reused, two more recognised and applied at grassroots scope are needed."""
    used = award(10, "CSTDCS", 2024, basis="initiative", initiatives=[1, 2])
    base = {
        "ratings": {2023: "excellent", 2024: "excellent"},
        "awards": [used],
        "attested": EX,
    }
    spent = person(initiatives=[initiative(1, 2023), initiative(2, 2024)], **base)
    report = title_rules.evaluate("BK_UBTVQH", spent, 2024, SEASON)
    d = result(report, D)
    assert (report.outcome, d.reason) == ("fail", "bk_neither")
    assert d.params["initiatives"] == []
    assert d.params["reused"] == [
        {"initiative": 1, "award": 10},
        {"initiative": 2, "award": 10},
    ]
    assert "award:10" in d.facts

    one_more = person(
        initiatives=[initiative(1, 2023), initiative(2, 2024), initiative(3, 2024)], **base
    )
    assert title_rules.evaluate("BK_UBTVQH", one_more, 2024, SEASON).outcome == "fail"

    two_more = person(
        initiatives=[
            initiative(1, 2023),
            initiative(2, 2024),
            initiative(3, 2023, month=9),
            initiative(4, 2024, month=9),
        ],
        **base,
    )
    report = title_rules.evaluate("BK_UBTVQH", two_more, 2024, SEASON)
    assert report.outcome == "pass"
    assert result(report, D).params["initiatives"] == [3, 4]


def test_first_option_two_consecutive_grassroots_titles() -> None:
    facts = person(
        ratings={2023: "good", 2024: "good"},
        awards=[award(10, "CSTDCS", 2023), award(11, "CSTDCS", 2024)],
        attested=EX,
    )
    report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON)
    assert report.outcome == "pass"
    assert result(report, D).reason == "bk_cstdcs_run"
    assert title_rules.basis_of(report) == ("other", ())


def test_a_revoked_or_thematic_grassroots_title_does_not_make_two_in_a_row() -> None:
    for first in (
        award(10, "CSTDCS", 2023, revoked=True),
        award(10, "CSTDCS", 2023, kind="thematic"),
    ):
        facts = person(
            ratings={2023: "good", 2024: "good"},
            awards=[first, award(11, "CSTDCS", 2024)],
            attested=EX,
        )
        report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON)
        assert result(report, D).outcome == "fail"
        assert result(report, D).params["ignored"] == [10]


def test_second_option_needs_consecutive_excellent_years() -> None:
    facts = person(
        ratings={2022: "excellent", 2023: "good", 2024: "excellent"},
        initiatives=[initiative(1, 2022), initiative(2, 2024)],
        attested=EX,
    )
    d = result(title_rules.evaluate("BK_UBTVQH", facts, 2024, SETTLED), D)
    assert d.outcome == "fail"
    assert d.params["excellent_years"] == 1


def test_unknown_while_the_years_rating_is_not_decided() -> None:
    facts = person(
        ratings={2023: "excellent"},
        initiatives=[initiative(1, 2023), initiative(2, 2024)],
        attested=EX,
    )
    report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON)
    assert report.outcome == "unknown"
    assert result(report, D).reason == "bk_pending"


def test_unknown_while_the_second_grassroots_title_may_still_come() -> None:
    facts = person(ratings={2024: "good"}, awards=[award(10, "CSTDCS", 2023)], attested=EX)
    assert result(title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON), D).outcome == "unknown"
    assert result(title_rules.evaluate("BK_UBTVQH", facts, 2024, SETTLED), D).outcome == "fail"


def test_bk_needs_the_exemplary_attestation() -> None:
    facts = person(awards=[award(10, "CSTDCS", 2023), award(11, "CSTDCS", 2024)])
    report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON)
    assert report.outcome == "unknown"
    assert result(report, "R7.bk.exemplary").reason == "attestation_missing"


def test_what_if_one_initiative_is_enough() -> None:
    facts = person(
        ratings={2023: "excellent", 2024: "excellent"},
        initiatives=[initiative(1, 2023)],
        attested=EX,
    )
    assert title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON).outcome == "fail"
    what_if = {"bk_initiatives_needed": 1}
    report = title_rules.evaluate("BK_UBTVQH", facts, 2024, SEASON, what_if)
    assert report.outcome == "pass"
    assert report.params["bk_initiatives_needed"] == 1


# ---------------------------------------------------------------- BK_TTG (Art. 73.1.b)


def ttg_candidate(**kw) -> object:  # type: ignore[no-untyped-def]
    values = {
        "ratings": dict.fromkeys(range(2020, 2025), "good"),
        "awards": [
            award(60, "BK_UBTVQH", 2022),
            award(61, "CSTDCS", 2020),
            award(62, "CSTDCS", 2022),
            award(63, "CSTDCS", 2024),
        ],
    }
    values.update(kw)
    return person(**values)


def test_bk_ttg_option_b_passes() -> None:
    report = title_rules.evaluate("BK_TTG", ttg_candidate(), 2024, SEASON)
    assert report.outcome == "pass"
    times = result(report, "R8.bkttg.cstdcs_times")
    assert (times.params["count"], times.params["first"]) == (3, 2020)
    assert result(report, "R8.bkttg.holds_bk").params["award_year"] == 2022


def test_bk_ttg_fails_without_five_good_years() -> None:
    ratings = dict.fromkeys(range(2020, 2025), "good") | {2021: "completed"}
    report = title_rules.evaluate("BK_TTG", ttg_candidate(ratings=ratings), 2024, SEASON)
    assert result(report, "R8.bkttg.good_years").reason == "band_run_short"
    assert report.outcome == "fail"


def test_bk_ttg_is_unknown_while_the_fifth_year_is_not_rated() -> None:
    ratings = dict.fromkeys(range(2020, 2024), "good")
    report = title_rules.evaluate("BK_TTG", ttg_candidate(ratings=ratings), 2024, SEASON)
    assert result(report, "R8.bkttg.good_years").reason == "band_run_pending"
    assert report.outcome == "unknown"


def test_bk_ttg_needs_a_held_bk_not_revoked_nor_thematic() -> None:
    awards = [
        award(60, "BK_UBTVQH", 2022, revoked=True),
        award(64, "BK_UBTVQH", 2023, kind="extraordinary"),
        award(61, "CSTDCS", 2020),
        award(62, "CSTDCS", 2022),
        award(63, "CSTDCS", 2024),
    ]
    report = title_rules.evaluate("BK_TTG", ttg_candidate(awards=awards), 2024, SEASON)
    held = result(report, "R8.bkttg.holds_bk")
    assert (held.outcome, held.params["ignored"]) == ("fail", [60, 64])


def test_bk_ttg_needs_three_grassroots_titles_in_the_run() -> None:
    awards = [award(60, "BK_UBTVQH", 2022), award(61, "CSTDCS", 2019), award(62, "CSTDCS", 2022)]
    report = title_rules.evaluate("BK_TTG", ttg_candidate(awards=awards), 2024, SETTLED)
    times = result(report, "R8.bkttg.cstdcs_times")
    assert (times.outcome, times.params["count"]) == ("fail", 1)
