"""Every reason code reads as a sentence naming its numbers, in Vietnamese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from emulation import rule_texts, title_rules
from emulation.title_rules import RuleResult
from tests.emulation.rules.builders import SEASON, YEAR, award, initiative, person
from tests.web.conftest import compile_catalogues

RUN = {"title": "CSTDCS", "year": 2024, "count": 2, "need": 3, "first": 2023, "last": 2024}
SHARE = {"year": 2024, "need": 0.7, "strict": False, "count": 6, "total": 10, "share": 0.6}
BK = {
    "year": 2024,
    "need_cstdcs": 2,
    "cstdcs": 1,
    "cstdcs_first": 2024,
    "cstdcs_last": 2024,
    "need_years": 2,
    "excellent_years": 2,
    "first": 2023,
    "last": 2024,
    "need_initiatives": 2,
    "scope": "grassroots",
    "initiatives": [31, 32],
}
RATED = {"year": 2024, "band": "good", "min_band": "good"}
# For each reason: its params and what the sentence must show in either language.
SAMPLES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "param_not_in_force": (
        {"names": ["ttldxs_share_ldtt"], "date": "2023-06-01"},
        ("ttldxs_share_ldtt", "2023"),
    ),
    "no_open_case": ({"date": "2025-01-15"}, ("2025",)),
    "open_case": (
        {
            "date": "2025-01-15",
            "cases": [{"id": 5, "kind": "investigation", "opened_on": "2024-11-02"}],
        },
        ("5", "2024"),
    ),
    "no_discipline": ({"year": 2024, "form": "reprimand"}, ("2024",)),
    "disciplined": ({"year": 2024, "form": "reprimand", "forms": ["warning"]}, ("2024",)),
    "rating_missing": ({"year": 2024, "min_band": "good"}, ("2024",)),
    "rating_meets": (RATED, ("2024",)),
    "rating_below": ({**RATED, "band": "completed"}, ("2024",)),
    "attestation_missing": ({"year": 2024, "criterion": "solidarity"}, ("2024",)),
    "attestation_holds": (
        {"year": 2024, "criterion": "exemplary", "by": "a@b.vn"},
        ("2024", "a@b.vn"),
    ),
    "attestation_denied": (
        {"year": 2024, "criterion": "outstanding", "by": "a@b.vn"},
        ("2024", "a@b.vn"),
    ),
    "cstdcs_excellent": ({"year": 2024, "band": "excellent"}, ("2024",)),
    "cstdcs_initiative": ({"year": 2024, "scope": "grassroots", "initiatives": [3]}, ("2024", "3")),
    "cstdcs_both": (
        {"year": 2024, "band": "excellent", "scope": "grassroots", "initiatives": [3]},
        ("2024", "3"),
    ),
    "cstdcs_neither": ({"year": 2024, "scope": "grassroots", "reused": [4]}, ("2024", "4")),
    "cstdcs_needs_initiative": ({"year": 2024, "scope": "grassroots"}, ("2024",)),
    "cstdcs_needs_excellent": ({"year": 2024, "band": "good", "initiatives": [3]}, ("2024", "3")),
    "run_met": ({**RUN, "count": 3, "first": 2022}, ("3", "2022", "2024")),
    "run_short": ({**RUN, "ignored": [21]}, ("2", "3", "2024", "21")),
    "run_pending": (RUN, ("2", "3", "2024")),
    "initiative_found": (
        {"scope": "na_agencies", "first": 2022, "last": 2024, "initiatives": [7]},
        ("7", "2022", "2024"),
    ),
    "initiative_missing": ({"scope": "national", "first": 2022, "last": 2024}, ("2022", "2024")),
    "bk_cstdcs_run": ({**BK, "cstdcs": 2, "cstdcs_first": 2023}, ("2", "2023", "2024")),
    "bk_excellent_initiatives": (BK, ("2023", "2024", "31", "32")),
    "bk_neither": (
        {**BK, "initiatives": [], "reused": [{"initiative": 1, "award": 10}]},
        ("2023", "2024", "10"),
    ),
    "bk_pending": (BK, ("2024", "2")),
    "holds_award": (
        {"title": "BK_UBTVQH", "award": 60, "award_year": 2022, "year": 2024},
        ("60", "2022"),
    ),
    "no_award": ({"title": "BK_UBTVQH", "year": 2024, "ignored": [60]}, ("2024", "60")),
    "band_run_met": (
        {**RUN, "count": 5, "need": 5, "first": 2020, "min_band": "good"},
        ("5", "2020", "2024"),
    ),
    "band_run_short": ({**RUN, "count": 1, "need": 5, "min_band": "good"}, ("1", "5", "2024")),
    "band_run_pending": (
        {**RUN, "count": 4, "need": 5, "last": 2023, "min_band": "good"},
        ("4", "5", "2023", "2024"),
    ),
    "count_met": ({**RUN, "count": 3, "first": 2020}, ("3", "2020", "2024")),
    "count_short": ({**RUN, "count": 1, "first": 2020}, ("1", "3", "2020")),
    "count_pending": ({**RUN, "first": 2020}, ("2", "3", "2020", "2024")),
    "no_members": ({"year": 2024}, ("2024",)),
    "share_met": ({**SHARE, "count": 7, "share": 0.7}, ("7", "10", "70")),
    "share_short": (SHARE, ("6", "10", "60", "70")),
    "share_pending": ({**SHARE, "unrated": [8, 9]}, ("6", "10", "70")),
    "members_clean": ({"year": 2024, "form": "warning"}, ("2024",)),
    "member_disciplined": ({"year": 2024, "form": "warning", "people": [50]}, ("50", "2024")),
    "members_rated_enough": ({"year": 2024, "min_band": "completed", "total": 10}, ("10", "2024")),
    "member_below": ({"year": 2024, "min_band": "completed", "people": [77]}, ("77", "2024")),
    "members_unrated": ({"year": 2024, "min_band": "completed", "people": [78]}, ("78", "2024")),
    "members_titled": (
        {"title": "CSTDCS", "year": 2024, "need": 1, "count": 2},
        ("2", "1", "2024"),
    ),
    "members_titled_short": (
        {"title": "CSTDCS", "year": 2024, "need": 1, "count": 0},
        ("0", "1", "2024"),
    ),
    "members_titled_pending": (
        {"title": "CSTDCS", "year": 2024, "need": 1, "count": 0},
        ("0", "1", "2024"),
    ),
}


@pytest.fixture(scope="module", autouse=True)
def _catalogue() -> None:
    compile_catalogues()


@pytest.fixture
def in_language(app: Flask) -> Iterator[Any]:
    def render(lang: str, fn: Any, *args: Any) -> str:
        with app.test_request_context(f"/?lang={lang}"):
            return str(fn(*args))

    yield render


def sample(code: str) -> RuleResult:
    params, _ = SAMPLES[code]
    return RuleResult("R.sample", 1, "fail", code, params, (), ())


def test_every_reason_code_has_a_sentence_and_a_sample() -> None:
    assert rule_texts.reason_codes() == set(title_rules.REASONS)
    assert set(SAMPLES) == set(title_rules.REASONS)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_every_reason_renders_in_vietnamese_and_english_with_its_numbers(
    code: str, in_language: Any
) -> None:
    en = in_language("en", rule_texts.explain, sample(code))
    vi = in_language("vi", rule_texts.explain, sample(code))
    for text in (en, vi):
        assert "%(" not in text and code not in text
        for needed in SAMPLES[code][1]:
            assert needed in text, (code, text)
    assert vi != en  # the Vietnamese catalogue has the sentence


def test_a_real_report_reads_in_both_languages(in_language: Any) -> None:
    facts = person(
        ratings={YEAR - 1: "excellent", YEAR: "excellent"},
        initiatives=[initiative(1, YEAR - 1), initiative(2, YEAR)],
        awards=[award(10, "CSTDCS", YEAR, basis="initiative", initiatives=[2])],
        attested=[(YEAR, "exemplary")],
    )
    report = title_rules.evaluate("BK_UBTVQH", facts, YEAR, SEASON)
    d = report.results[-1]
    en = in_language("en", rule_texts.explain, d)
    vi = in_language("vi", rule_texts.explain, title_rules.result_to_dict(d))
    assert "initiative #2 (award #10)" in en
    assert "sáng kiến số 2 (khen thưởng số 10)" in vi
    assert "Chiến sĩ thi đua cơ sở" in vi and "Grassroots Emulation Fighter" in en


def test_provision_labels_cite_article_clause_point_and_say_when_unverified(
    in_language: Any,
) -> None:
    vi = in_language("vi", rule_texts.provision_label, "LAW_06_2022.A23.K2")
    assert vi == "Luật 06/2022/QH15, Điều 23, khoản 2 (chưa xác minh)"
    en = in_language("en", rule_texts.provision_label, "LAW_06_2022.A74.K1.Pd")
    assert en == "Law 06/2022/QH15, Art. 74, cl. 1, pt. d"
    assert in_language("vi", rule_texts.provision_label, "RES_44_2024.CSTD_QH") == (
        "Nghị quyết 44/2024/UBTVQH15"
    )
    assert in_language("en", rule_texts.provision_label, "nope") == "nope"


def test_every_rule_provision_has_a_label_and_a_summary(in_language: Any) -> None:
    for rule in title_rules.all_rules():
        for pid in rule.provisions:
            assert in_language("vi", rule_texts.provision_label, pid) != pid
            assert in_language("en", rule_texts.provision_summary, pid)
