"""The provisions and dated parameters the title rules stand on."""

from __future__ import annotations

import datetime as dt

import pytest

from emulation import commendation_models, legal, models, title_rules


def test_every_rule_cites_provisions_that_exist() -> None:
    for rule in title_rules.all_rules():
        assert rule.provisions, rule.id
        for pid in rule.provisions:
            assert legal.provision(pid).id == pid


def test_every_parameter_a_rule_reads_is_in_the_catalogue_today() -> None:
    today = dt.date(2025, 6, 1)
    for rule in title_rules.all_rules():
        for name in rule.params:
            assert legal.param_row(name, today).provision, (rule.id, name)


def test_every_parameter_row_cites_a_provision_and_says_why() -> None:
    for row in legal.params_catalogue():
        assert legal.provision(row.provision)
        assert len(row.note) > 20, row.name


def test_the_brief_thresholds_have_their_values_in_force_in_2025() -> None:
    on = dt.date(2025, 6, 1)
    expected = {
        "cstdcs_consecutive_for_ministry": 3,
        "cstd_consecutive_for_national": 2,
        "bk_consecutive_cstdcs": 2,
        "bk_consecutive_excellent_years": 2,
        "bk_initiatives_needed": 2,
        "bk_ttg_consecutive_good_years": 5,
        "bk_ttg_cstdcs_times": 3,
        "ttldtt_share_ldtt": 0.70,
        "ttldxs_share_ldtt": 0.70,
        "ttldxs_needs_cstdcs": 1,
        "discipline_blocking_form": "reprimand",
        "member_discipline_blocking_form": "warning",
        "cstdcs_requires_both_excellent_and_initiative": False,
        "ldtt_min_band": "good",
    }
    assert {name: legal.param(name, on) for name in expected} == expected


def test_a_parameter_changes_with_the_day() -> None:
    assert legal.param("ttldtt_share_ldtt", dt.date(2023, 12, 31)) == 0.50
    assert legal.param("ttldtt_share_ldtt", dt.date(2024, 1, 1)) == 0.70
    old = legal.param_row("ttldtt_share_ldtt", dt.date(2023, 12, 31))
    assert old.valid_to == dt.date(2024, 1, 1)
    assert legal.provision(old.provision).verified is False


def test_no_parameter_in_force_raises_naming_it() -> None:
    with pytest.raises(legal.NoParamInForce, match="bk_initiatives_needed"):
        legal.param("bk_initiatives_needed", dt.date(2023, 6, 1))
    with pytest.raises(legal.NoParamInForce, match="nothing_like_it"):
        legal.param("nothing_like_it", dt.date(2025, 6, 1))


def test_an_override_wins_for_one_call_only() -> None:
    on = dt.date(2025, 6, 1)
    what_if = {"cstdcs_requires_both_excellent_and_initiative": True}
    assert legal.param("cstdcs_requires_both_excellent_and_initiative", on, what_if) is True
    assert legal.param("cstdcs_requires_both_excellent_and_initiative", on) is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"no_such_param": 1}, "no_such_param"),
        ({"bk_initiatives_needed": "2"}, "bk_initiatives_needed"),
        ({"bk_initiatives_needed": 2.5}, "bk_initiatives_needed"),
        ({"bk_initiatives_needed": -1}, "bk_initiatives_needed"),
        ({"bk_initiatives_needed": True}, "bk_initiatives_needed"),
        ({"cstdcs_requires_both_excellent_and_initiative": "false"}, "cstdcs_requires_both"),
        ({"cstdcs_requires_both_excellent_and_initiative": 1}, "cstdcs_requires_both"),
        ({"ttldtt_share_ldtt": 1.5}, "ttldtt_share_ldtt"),
        ({"ldtt_min_band": "superb"}, "ldtt_min_band"),
        ({"bk_initiative_min_scope": "planet"}, "bk_initiative_min_scope"),
        ({"discipline_blocking_form": "scolding"}, "discipline_blocking_form"),
    ],
)
def test_bad_overrides_are_refused_naming_the_parameter(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        legal.check_overrides(overrides)


def test_a_whole_share_is_read_as_a_share() -> None:
    assert legal.check_overrides({"ttldtt_share_ldtt": 1}) == {"ttldtt_share_ldtt": 1.0}


def test_verified_only_where_the_research_quotes_law_text_or_an_official_reading() -> None:
    verified = {p.id for p in legal.provisions() if p.verified}
    assert "LAW_06_2022.A74.K1.Pd" in verified  # chinhsachonline.chinhphu.vn (MoHA)
    assert "LAW_06_2022.A3.K4" in verified  # the law text
    for pid in (
        "LAW_06_2022.A27",
        "LAW_06_2022.A28",
        "LAW_06_2022.A23.K2",
        "DECREE_98_2023.A4",
        "DECREE_335_2025",
        "DECREE_91_2017.A9.K3",
        "DECREE_91_2017.A10",
        "LAW_2003.A28",
    ):
        assert pid not in verified, pid
    for item in legal.provisions():
        assert item.summary and item.summary_en and item.url_note, item.id


def test_articles_are_only_those_the_research_gives() -> None:
    articles = {p.id: p.article for p in legal.provisions()}
    assert articles["RES_44_2024.CSTD_QH"] is None
    assert articles["DECREE_335_2025"] is None
    assert articles["LAW_06_2022.PRINCIPLE_ONE_AWARD"] is None
    assert articles["LAW_06_2022.A84"] == 84


def test_the_engine_vocabularies_match_the_models() -> None:
    assert legal.DISCIPLINE_FORMS == commendation_models.DISCIPLINE_FORMS
    assert legal.SCOPES == commendation_models.INITIATIVE_SCOPES
    assert set(legal.BANDS) == set(models.BANDS)
    assert title_rules.OUTCOMES == commendation_models.OUTCOMES


def test_every_title_with_rules_is_in_the_catalogue() -> None:
    assert set(title_rules.titles_with_rules()) <= set(title_rules.title_levels())
