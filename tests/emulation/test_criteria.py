"""Every criterion formula against examples worked by hand, with the empty and edge cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from emulation import criteria
from emulation.facts import ContributionFact, DraftFact

D = dt.date(2025, 5, 10)


def item(n: int, **kw: Any) -> ContributionFact:
    values: dict[str, Any] = {
        "id": n,
        "person_id": 1,
        "unit_id": 1,
        "document_id": 1,
        "work_kind": "VERIFY_REPORT",
        "due_date": D,
        "delivered_date": D,
        "quality": None,
        "major_errors": 0,
        "outcome": None,
    }
    values.update(kw)
    return ContributionFact(**values)


LATE = {"delivered_date": D + dt.timedelta(days=3)}


def run(key: str, facts: list[ContributionFact], drafts: tuple = (), **params: Any):  # type: ignore[no-untyped-def]
    return criteria.get(key)(facts, drafts, params)


class TestProgress:
    def test_three_on_time_one_late(self) -> None:
        # (1 + 1 + 1 + 0.75) / 4 = 0.9375
        r = run("progress@1", [item(1), item(2), item(3), item(4, **LATE)])
        assert r.value == pytest.approx(93.75)
        assert r.detail == {"items": 4, "on_time": 3, "late": 1}
        assert r.used == (1, 2, 3, 4)

    def test_early_delivery_is_on_time_and_no_due_date_is_not_counted(self) -> None:
        early = item(1, delivered_date=D - dt.timedelta(days=5))
        undated = item(2, due_date=None)
        r = run("progress@1", [early, undated])
        assert r.value == 100 and r.used == (1,) and r.detail["items"] == 1

    def test_nothing_dated_cannot_be_scored(self) -> None:
        assert run("progress@1", []).value is None
        assert run("progress@1", [item(1, due_date=None)]).value is None

    def test_the_deduction_is_a_parameter_and_never_goes_below_zero(self) -> None:
        assert run("progress@1", [item(1, **LATE)], late_deduction=0.5).value == 50
        assert run("progress@1", [item(1, **LATE)], late_deduction=3).value == 0
        assert run("progress@1", [item(1, **LATE)], late_deduction=0).value == 100


class TestQuality:
    def test_bands_and_major_errors(self) -> None:
        # excellent 100; good 80 with one major error: 80 × 0.75 = 60; mean 80
        r = run(
            "quality@1", [item(1, quality="excellent"), item(2, quality="good", major_errors=1)]
        )
        assert r.value == pytest.approx(80)
        assert r.detail["rated"] == 2 and r.detail["major_errors"] == 1
        assert r.detail["excellent"] == 1 and r.detail["good"] == 1

    def test_four_errors_take_all_of_an_item_and_five_no_more(self) -> None:
        assert run("quality@1", [item(1, quality="excellent", major_errors=4)]).value == 0
        assert run("quality@1", [item(1, quality="excellent", major_errors=5)]).value == 0

    def test_unrated_items_are_not_counted(self) -> None:
        r = run("quality@1", [item(1, quality="completed"), item(2)])
        assert r.value == pytest.approx(60) and r.used == (1,)
        assert run("quality@1", [item(2)]).value is None

    def test_band_points_can_be_overridden_one_by_one(self) -> None:
        r = run("quality@1", [item(1, quality="not_completed")], band_points={"not_completed": 0})
        assert r.value == 0
        r = run("quality@1", [item(1, quality="good")], band_points={"not_completed": 0})
        assert r.value == pytest.approx(80)  # the other bands keep their defaults


class TestEffectiveness:
    def test_partly_accepted_counts_half(self) -> None:
        facts = [
            item(1, outcome="accepted"),
            item(2, outcome="partly_accepted"),
            item(3, outcome="not_accepted"),
            item(4),  # not judged yet
        ]
        r = run("effectiveness@1", facts)
        assert r.value == pytest.approx(50)  # (1 + 0.5 + 0) / 3
        assert r.used == (1, 2, 3)
        assert r.detail == {"judged": 3, "accepted": 1, "partly_accepted": 1, "not_accepted": 1}

    def test_nothing_judged_cannot_be_scored(self) -> None:
        assert run("effectiveness@1", [item(1)]).value is None


class TestVolume:
    def test_kinds_are_converted_and_the_target_caps_the_score(self) -> None:
        facts = [item(1), item(2, work_kind="STATUS_REPORT"), item(3, work_kind="OTHER")]
        weights = {"VERIFY_REPORT": 3, "STATUS_REPORT": 0.25}
        r = run("volume@1", facts, kind_weights=weights, target=10)
        # 3 + 0.25 + 1 (default) = 4.25 units of 10
        assert r.value == pytest.approx(42.5) and r.detail["units"] == pytest.approx(4.25)
        assert run("volume@1", facts, kind_weights=weights, target=2).value == 100

    def test_no_work_is_zero_not_unscorable(self) -> None:
        assert run("volume@1", []).value == 0

    def test_a_zero_target_is_met_by_anyone(self) -> None:
        assert run("volume@1", [], target=0).value == 100


class TestAdoption:
    def test_on_plan_late_and_not_adopted(self) -> None:
        drafts = (
            DraftFact(1, adopted=True, on_plan=True),
            DraftFact(2, adopted=True, on_plan=False),
            DraftFact(3, adopted=False, on_plan=None),
            DraftFact(4, adopted=True, on_plan=None),  # no planned session: adopted counts
        )
        r = run("adoption@1", [], drafts)
        assert r.value == pytest.approx(62.5)  # (1 + 0.5 + 0 + 1) / 4
        assert r.fact_kind == "document" and r.used == (1, 2, 3, 4)
        assert r.detail == {"drafts": 4, "adopted": 3, "adopted_late": 1}

    def test_no_draft_reached_its_end_cannot_be_scored(self) -> None:
        assert run("adoption@1", []).value is None


class TestParameters:
    def test_unknown_formula(self) -> None:
        with pytest.raises(criteria.FormulaError) as err:
            criteria.get("progress@9")
        assert err.value.field == "formula"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"speed": 1}, "params.speed"),
            ({"late_deduction": -0.1}, "params.late_deduction"),
            ({"late_deduction": "a lot"}, "params.late_deduction"),
            ({"late_deduction": True}, "params.late_deduction"),
            ({"late_deduction": float("nan")}, "params.late_deduction"),
            ({"late_deduction": float("inf")}, "params.late_deduction"),
        ],
    )
    def test_bad_parameters_are_refused_by_name(self, params: dict, field: str) -> None:
        with pytest.raises(criteria.FormulaError) as err:
            criteria.resolve_params("progress@1", params)
        assert err.value.field == field

    def test_mapping_parameters_take_numbers_only(self) -> None:
        with pytest.raises(criteria.FormulaError) as err:
            criteria.resolve_params("quality@1", {"band_points": {"good": "high"}})
        assert err.value.field == "params.band_points.good"
        with pytest.raises(criteria.FormulaError):
            criteria.resolve_params("quality@1", {"band_points": 5})

    def test_defaults_are_not_shared_between_calls(self) -> None:
        first = criteria.resolve_params("volume@1", {"kind_weights": {"X": 2}})
        second = criteria.resolve_params("volume@1", None)
        assert first["kind_weights"] == {"X": 2.0} and second["kind_weights"] == {}

    def test_every_formula_says_what_it_reads(self) -> None:
        assert set(criteria.REGISTRY) >= {
            "progress@1",
            "quality@1",
            "effectiveness@1",
            "volume@1",
            "adoption@1",
        }
        assert all(f.reads for f in criteria.REGISTRY.values())
