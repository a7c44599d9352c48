"""The council's arithmetic: the quorum at exactly 2/3 and the threshold at its edge, with
shares that floating point would get wrong."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from emulation import council


@pytest.mark.parametrize(
    ("total", "needed"),
    [(1, 1), (2, 2), (3, 2), (6, 4), (9, 6), (10, 7), (12, 8), (15, 10), (200, 134)],
)
def test_two_thirds_needs_the_ceiling(total: int, needed: int) -> None:
    assert council.needed_for_quorum(total, 2 / 3) == needed


@pytest.mark.parametrize(
    ("present", "total", "met"),
    [(6, 9, True), (5, 9, False), (9, 9, True), (7, 10, True), (6, 10, False), (8, 12, True)],
)
def test_quorum_at_exactly_two_thirds(present: int, total: int, met: bool) -> None:
    state = council.quorum_of(present, total, 2 / 3)
    assert state == council.QuorumState(
        present=present, total=total, needed=council.needed_for_quorum(total, 2 / 3), met=met
    )


def test_a_share_is_read_exactly() -> None:
    # 0.55 × 100 is 55.00000000000001 in floating point: the ceiling would ask for 56.
    assert 0.55 * 100 > 55
    assert council.needed_for_quorum(100, 0.55) == 55
    assert council.share(2 / 3) == Fraction(2, 3)
    assert council.share("0.9") == Fraction(9, 10)
    for bad in (0, 1.5, -0.1, True, None, "x"):
        with pytest.raises(ValueError):
            council.share(bad)


@pytest.mark.parametrize(
    ("yes", "total", "threshold", "passed"),
    [
        (5, 10, 0.5, False),  # exactly half is not more than half
        (6, 10, 0.5, True),
        (5, 9, 0.5, True),
        (4, 9, 0.5, False),
        (9, 10, 0.9, False),  # exactly 90 % is not more than 90 %
        (10, 10, 0.9, True),
        (7, 10, 0.7, False),
        (0, 1, 0.5, False),
        (1, 1, 0.5, True),
    ],
)
def test_the_threshold_edge(yes: int, total: int, threshold: float, passed: bool) -> None:
    assert council.passes(yes, total, threshold) is passed
    assert council.passes(council.yes_needed(total, threshold), total, threshold)
    assert not council.passes(council.yes_needed(total, threshold) - 1, total, threshold)


def test_the_parameters_are_dated() -> None:
    on = dt.date(2025, 6, 1)
    assert council.share(council.param(council.QUORUM_PARAM, on)) == Fraction(2, 3)
    assert council.share(council.param(council.THRESHOLD_PARAM, on)) == Fraction(1, 2)
    assert council.threshold_on(on) == 0.5
    with pytest.raises(council.NoCouncilParam):
        council.param(council.QUORUM_PARAM, dt.date(2023, 12, 31))
    assert council.threshold_on(dt.date(2023, 12, 31)) is None
