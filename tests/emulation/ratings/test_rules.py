"""The pure rating rules (RULE Q1/Q2), worked by hand: no database, no Flask."""

from __future__ import annotations

import datetime as dt

import pytest

from emulation import rating_rules as rules
from emulation.rating_rules import (
    CAP,
    CAP_TIE,
    COMPLETED,
    DISCIPLINED,
    EXCELLENT,
    GOOD,
    NO_SCORE,
    NOT_COMPLETED,
    SCORE,
    NoParam,
    Param,
    param,
    suggest,
)

YEAR = 2026
PADDING = {f"p{i}": 75.0 for i in range(4)}


def bands(result: dict[object, rules.Suggestion]) -> dict[object, str | None]:
    return {k: s.band for k, s in result.items()}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100.0, EXCELLENT),
        (90.0, EXCELLENT),
        (89.999, GOOD),
        (70.0, GOOD),
        (69.99, COMPLETED),
        (50.0, COMPLETED),
        (49.99, NOT_COMPLETED),
        (0.0, NOT_COMPLETED),
    ],
)
def test_band_edges(score: float, band: str) -> None:
    # Four colleagues at 75: with the person, five good or better allow one excellent.
    got = suggest({1: score} | PADDING, YEAR)[1]
    assert got.band == band and got.reason_code == SCORE
    assert got.reason_params["score"] == score


def test_band_bounds_are_in_the_reason() -> None:
    got = suggest({1: 75.0, 2: 95.0, 3: 10.0} | PADDING, YEAR)
    assert got[1].reason_params == {"score": 75.0, "min": 70, "max": 90}
    assert got[2].reason_params == {"score": 95.0, "min": 90, "max": None}
    assert got[3].reason_params == {"score": 10.0, "min": None, "max": 50}


def test_no_score_no_suggestion() -> None:
    got = suggest({1: None, 2: 60.0}, YEAR)
    assert got[1] == rules.Suggestion(None, NO_SCORE, {})
    assert got[2].band == COMPLETED


def test_empty_unit() -> None:
    assert suggest({}, YEAR) == {}


def test_ten_good_or_better_allow_two_excellent() -> None:
    # 10 people at 70 or more (good or better): 20 % of 10 = 2 may be excellent.
    scores = {1: 99.0, 2: 97.0, 3: 95.0, 4: 91.0, 5: 85.0, 6: 80.0, 7: 78.0, 8: 75.0}
    scores |= {9: 72.0, 10: 70.0, 11: 60.0, 12: None}
    got = suggest(scores, YEAR)
    assert bands(got) == {
        1: EXCELLENT,
        2: EXCELLENT,
        3: GOOD,
        4: GOOD,
        5: GOOD,
        6: GOOD,
        7: GOOD,
        8: GOOD,
        9: GOOD,
        10: GOOD,
        11: COMPLETED,
        12: None,
    }
    assert got[3].reason_code == CAP and got[4].reason_code == CAP
    assert got[3].reason_params == {
        "score": 95.0,
        "limit": 2,
        "count": 10,
        "share": 0.2,
        "percent": 20,
    }
    assert got[5].reason_code == SCORE


def test_within_the_cap_nothing_changes() -> None:
    scores = dict.fromkeys(range(1, 9), 75.0) | {9: 93.0, 10: 90.0}  # 10 good or better, 2 XS
    got = suggest(scores, YEAR)
    assert got[9].band == EXCELLENT and got[10].band == EXCELLENT
    assert all(s.reason_code == SCORE for s in got.values())


def test_fewer_than_five_good_or_better_allow_no_excellent() -> None:
    got = suggest({1: 95.0, 2: 80.0, 3: 80.0, 4: 72.0}, YEAR)  # floor(0.2 × 4) = 0
    assert got[1] == rules.Suggestion(
        GOOD, CAP, {"score": 95.0, "limit": 0, "count": 4, "share": 0.2, "percent": 20}
    )


def test_fifteen_allow_exactly_three() -> None:
    # 0.2 × 15 in floating point is 3.0000000000000004; the rule counts it exactly: 3.
    scores = {i: 95.0 - i for i in range(5)} | dict.fromkeys(range(5, 15), 80.0)
    got = suggest(scores, YEAR)
    assert [got[i].band for i in range(5)] == [EXCELLENT, EXCELLENT, EXCELLENT, GOOD, GOOD]


def test_tie_at_the_limit_the_head_decides() -> None:
    # Limit 2: 95 is kept; 93 and 93 tie for the second place: both good, the head decides;
    # 91 is below the tie: plain cap.
    scores = {1: 95.0, 2: 93.0, 3: 93.0, 4: 91.0} | dict.fromkeys(range(5, 11), 75.0)
    got = suggest(scores, YEAR)
    assert got[1].band == EXCELLENT and got[1].reason_code == SCORE
    assert (got[2].band, got[2].reason_code) == (GOOD, CAP_TIE)
    assert (got[3].band, got[3].reason_code) == (GOOD, CAP_TIE)
    assert (got[4].band, got[4].reason_code) == (GOOD, CAP)
    assert got[2].reason_params["limit"] == 2 and got[2].reason_params["count"] == 10


def test_tie_of_everyone_at_the_limit() -> None:
    scores = {1: 92.0, 2: 92.0, 3: 92.0} | dict.fromkeys(range(4, 11), 75.0)
    got = suggest(scores, YEAR)
    assert {got[i].reason_code for i in (1, 2, 3)} == {CAP_TIE}
    assert all(got[i].band == GOOD for i in (1, 2, 3))


def test_equal_scores_below_the_limit_are_not_a_tie() -> None:
    # Limit 2: 99 and 97 kept; 93 and 93 are equal to each other but below the limit.
    scores = {1: 99.0, 2: 97.0, 3: 93.0, 4: 93.0} | dict.fromkeys(range(5, 11), 75.0)
    got = suggest(scores, YEAR)
    assert [got[i].band for i in (1, 2)] == [EXCELLENT, EXCELLENT]
    assert {got[3].reason_code, got[4].reason_code} == {CAP}


def test_scores_equal_to_six_places_tie() -> None:
    scores = {1: 95.0, 2: 92.0000000001, 3: 92.0} | dict.fromkeys(range(4, 11), 75.0)
    got = suggest(scores, YEAR)
    assert got[2].reason_code == CAP_TIE and got[3].reason_code == CAP_TIE


def test_disciplined_are_not_completed_whatever_the_score() -> None:
    scores = {1: 98.0, 2: None, 3: 80.0}
    got = suggest(scores, YEAR, disciplined={1, 2})
    assert got[1] == rules.Suggestion(NOT_COMPLETED, DISCIPLINED, {"score": 98.0})
    assert got[2].band == NOT_COMPLETED and got[2].reason_code == DISCIPLINED
    assert got[3].band == GOOD


def test_disciplined_do_not_count_towards_the_cap() -> None:
    # Without the disciplined one: 10 good or better (2 excellent); with: 9 (1 excellent).
    scores = {1: 99.0, 2: 97.0} | dict.fromkeys(range(3, 11), 75.0)
    assert suggest(scores, YEAR)[2].band == EXCELLENT
    got = suggest(scores, YEAR, disciplined={10})
    assert got[1].band == EXCELLENT and got[2].band == GOOD and got[2].reason_code == CAP


def test_row_order_does_not_matter() -> None:
    scores = {1: 95.0, 2: 93.0, 3: 93.0, 4: 91.0} | dict.fromkeys(range(5, 11), 75.0)
    reverse = dict(reversed(list(scores.items())))
    assert suggest(scores, YEAR) == suggest(reverse, YEAR)


# --- dated parameters ---------------------------------------------------------------------


def test_params_in_force_by_date() -> None:
    new = param("excellent_min", dt.date(2026, 1, 1))
    old = param("excellent_min", dt.date(2025, 12, 31))
    assert new.value == 90 and "335/2025" in new.source and new.verified
    assert old.value == 90 and "90/2020" in old.source and not old.verified
    assert "UNVERIFIED" in old.source and "does not verify" in old.source
    assert param("excellent_cap_share", dt.date(2030, 6, 1)).value == 0.20


def test_no_param_in_force_raises() -> None:
    with pytest.raises(NoParam) as info:
        param("excellent_min", dt.date(2019, 12, 31))
    assert info.value.name == "excellent_min" and "2019-12-31" in str(info.value)
    with pytest.raises(NoParam):
        param("no_such_param", dt.date(2026, 1, 1))
    with pytest.raises(NoParam):
        suggest({1: 95.0}, 2019)


def test_params_never_overlap() -> None:
    for p in rules.PARAMS:
        for day in (p.valid_from, (p.valid_to or dt.date(2100, 1, 1)) - dt.timedelta(days=1)):
            assert param(p.name, day) is p


def test_a_year_is_judged_by_the_rules_in_force_at_its_end() -> None:
    table = (
        Param("excellent_min", 90, dt.date(2026, 1, 1), None, "new"),
        Param("good_min", 70, dt.date(2026, 1, 1), None, "new"),
        Param("completed_min", 50, dt.date(2026, 1, 1), None, "new"),
        Param("excellent_cap_share", 0.2, dt.date(2026, 1, 1), None, "new"),
        Param("excellent_min", 80, dt.date(2020, 1, 1), dt.date(2026, 1, 1), "old", False),
        Param("good_min", 65, dt.date(2020, 1, 1), dt.date(2026, 1, 1), "old", False),
        Param("completed_min", 50, dt.date(2020, 1, 1), dt.date(2026, 1, 1), "old", False),
        Param("excellent_cap_share", 0.5, dt.date(2020, 1, 1), dt.date(2026, 1, 1), "old", False),
    )
    scores = {1: 85.0, 2: 66.0}
    assert bands(suggest(scores, 2025, table=table)) == {1: EXCELLENT, 2: GOOD}
    assert bands(suggest(scores, 2026, table=table)) == {1: GOOD, 2: COMPLETED}
    assert rules.rules_for(2025, table).source == "old"
    assert rules.rules_for(2025, table).verified is False
    assert rules.rules_for(2026, table).verified is True
