"""The declared stage machines: consistent, complete, and faithful to the research's sequences."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from lis.drafts import machine as m

ALL = list(m.MACHINES.values())
RAW: dict[str, Any] = json.loads(m.DATA_FILE.read_text(encoding="utf-8"))


def walk(machine: m.Machine, path: list[str]) -> None:
    for a, b in itertools.pairwise(path):
        assert machine.transition(a, b) is not None, f"{machine.code}: {a} -> {b} refused"


@pytest.mark.parametrize("machine", ALL, ids=lambda x: x.code)
def test_every_stage_is_reachable_from_the_initial_one(machine: m.Machine) -> None:
    assert set(machine.stages) <= machine.reachable_from(machine.initial)
    assert machine.initial == "S_PROGRAMME" and machine.final == "S_IN_FORCE"


@pytest.mark.parametrize("machine", ALL, ids=lambda x: x.code)
def test_the_final_stage_is_reachable_from_every_non_terminal_stage(machine: m.Machine) -> None:
    for stage in machine.stages:
        if machine.is_terminal(stage):
            assert machine.transitions_from(stage) == []
        else:
            assert machine.final in machine.reachable_from(stage), stage


@pytest.mark.parametrize("machine", ALL, ids=lambda x: x.code)
def test_every_transition_names_a_known_actor_and_stage(machine: m.Machine) -> None:
    for tr in machine.transitions:
        assert tr.acting_as in m.ACTORS
        assert tr.from_stage in m.STAGES and tr.to_stage in m.STAGES
        assert tr.holder is None or tr.holder in m.HOLDER_TOKENS or tr.holder.isupper()


@pytest.mark.parametrize("machine", ALL, ids=lambda x: x.code)
def test_withdrawal_is_possible_before_adoption_only(machine: m.Machine) -> None:
    for stage in machine.stages:
        allowed = machine.transition(stage, "S_WITHDRAWN") is not None
        before = machine.stages.index(stage) < machine.stages.index("S_ADOPTED")
        assert allowed == before, stage


@pytest.mark.parametrize("code", ["LAW", "NA_RESOLUTION"])
def test_na_sequences_of_the_research_are_accepted(code: str) -> None:
    machine = m.MACHINES[code]
    one_session = ["S_PROGRAMME", "S_POLICY", "S_DRAFTING", "S_APPRAISAL", "S_SUBMITTED",
                   "S_VERIFY", "S_UBTVQH_OPINION", "S_NA_DEBATE", "S_REVISION", "S_ADOPTED",
                   "S_AUTHENTICATED", "S_PROMULGATED", "S_GAZETTED", "S_IN_FORCE"]  # fmt: skip
    walk(machine, one_session)
    walk(machine, ["S_DRAFTING", "S_GOV_OPINION", "S_SUBMITTED"])
    walk(machine, ["S_APPRAISAL", "S_DRAFTING"])
    # Two sessions: debated at one, revised, back to UBTVQH, debated and adopted at the next.
    walk(machine, ["S_NA_DEBATE", "S_REVISION", "S_UBTVQH_OPINION", "S_NA_DEBATE", "S_ADOPTED"])
    walk(machine, ["S_REVISION", "S_NOT_ADOPTED"])
    walk(machine, ["S_VERIFY", "S_RETURNED", "S_SUBMITTED"])
    promulgator = machine.transition("S_AUTHENTICATED", "S_PROMULGATED")
    assert promulgator is not None
    assert promulgator.acting_as == ("PRESIDENT" if code == "LAW" else "SECGEN")
    assert machine.transition("S_SUBMITTED", "S_VERIFY").acting_as == "LEAD_VERIFIER"  # type: ignore[union-attr]
    assert machine.transition("S_ADOPTED", "S_AUTHENTICATED").acting_as == "NA_CHAIR"  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["ORDINANCE", "UBTVQH_RESOLUTION"])
def test_ubtvqh_sequences_of_the_research_are_accepted(code: str) -> None:
    machine = m.MACHINES[code]
    walk(machine, ["S_PROGRAMME", "S_DRAFTING", "S_GOV_OPINION", "S_SUBMITTED", "S_VERIFY",
                   "S_UBTVQH_DEBATE", "S_REVISION", "S_ADOPTED", "S_AUTHENTICATED",
                   "S_PROMULGATED", "S_GAZETTED", "S_IN_FORCE"])  # fmt: skip
    walk(machine, ["S_UBTVQH_DEBATE", "S_REVISION", "S_UBTVQH_DEBATE"])
    assert "S_NA_DEBATE" not in machine.stages
    if code == "ORDINANCE":
        walk(machine, ["S_AUTHENTICATED", "S_RECONSIDER", "S_ADOPTED"])
        assert machine.transition("S_AUTHENTICATED", "S_PROMULGATED").acting_as == "PRESIDENT"  # type: ignore[union-attr]
    else:
        assert "S_RECONSIDER" not in machine.stages


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("S_PROGRAMME", "S_ADOPTED"),
        ("S_DRAFTING", "S_VERIFY"),
        ("S_SUBMITTED", "S_NA_DEBATE"),
        ("S_IN_FORCE", "S_DRAFTING"),
        ("S_WITHDRAWN", "S_DRAFTING"),
        ("S_ADOPTED", "S_WITHDRAWN"),
        ("S_VERIFY", "S_VERIFY"),
        (None, "S_DRAFTING"),
    ],
)
def test_forbidden_transitions_are_refused(a: str | None, b: str) -> None:
    assert m.MACHINES["LAW"].transition(a, b) is None


def test_machine_for_kinds() -> None:
    assert m.machine_for("law").code == "LAW"  # type: ignore[union-attr]
    assert m.machine_for("code").code == "LAW"  # type: ignore[union-attr]
    assert m.machine_for("ordinance").code == "ORDINANCE"  # type: ignore[union-attr]
    assert m.machine_for("resolution").code == "NA_RESOLUTION"  # type: ignore[union-attr]
    assert m.machine_for("resolution", "QH").code == "NA_RESOLUTION"  # type: ignore[union-attr]
    assert m.machine_for("resolution", "UBTVQH").code == "UBTVQH_RESOLUTION"  # type: ignore[union-attr]
    assert m.machine_for("joint_resolution").code == "UBTVQH_RESOLUTION"  # type: ignore[union-attr]
    assert m.machine_for("decree") is None and m.machine_for("circular") is None
    assert m.adopted_by_of("Uỷ ban thường vụ Quốc hội") == "UBTVQH"
    assert m.adopted_by_of("Quốc hội") == "QH" and m.adopted_by_of("Chính phủ") is None


def test_labels() -> None:
    assert m.stage_label("S_VERIFY") == "Thẩm tra"
    assert m.stage_label("S_VERIFY", "en") == "Verification"
    assert m.STAGES["S_IN_FORCE"].label("en") == "In force"
    assert m.stage_label("S_UNKNOWN") == "S_UNKNOWN" and m.stage_label(None) == ""
    for code in ("S_ORIENT", "S_NOT_ADOPTED", "S_RETURNED", "S_WITHDRAWN", "S_RECONSIDER"):
        assert code in m.STAGES
    assert [s for s in m.MACHINES["LAW"].stages if s.startswith("S_N")] == [
        "S_NA_DEBATE",
        "S_NOT_ADOPTED",
    ]


def broken(edit: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    edit(raw)
    return raw


def law(raw: dict[str, Any]) -> dict[str, Any]:
    return next(x for x in raw["machines"] if x["code"] == "LAW")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: law(r)["transitions"].append(
            {"from": "S_DRAFTING", "to": "S_NOWHERE", "acting_as": "NA"}), "unknown stage"),
        (lambda r: law(r)["transitions"].append(
            {"from": "S_DRAFTING", "to": "S_VERIFY", "acting_as": "POPE"}), "unknown actor"),
        (lambda r: law(r).update(transitions=[t for t in law(r)["transitions"]
                                              if t["to"] != "S_IN_FORCE"]), "unreachable"),
        (lambda r: law(r).update(transitions=[t for t in law(r)["transitions"]
                                              if t["to"] != "S_GOV_OPINION"]), "unreachable"),
        (lambda r: law(r)["transitions"].append(
            {"from": "S_IN_FORCE", "to": "S_DRAFTING", "acting_as": "NA"}), "terminal"),
        (lambda r: law(r)["transitions"].append(
            {"from": "S_DRAFTING", "to": "S_VERIFY", "acting_as": "NA", "holder": "$boss"}),
         "holder token"),
        (lambda r: law(r)["stages"].append("S_MADE_UP"), "unknown stage"),
        (lambda r: r["actors"].append({"code": "X", "rule": "magic"}), "unknown rule"),
        (lambda r: r["selection"].append({"kind": "decree", "machine": "DECREE"}),
         "unknown machine"),
    ],
)  # fmt: skip
def test_an_inconsistent_declaration_is_refused(edit: Any, message: str) -> None:
    with pytest.raises(m.MachineError, match=message):
        m.parse(broken(edit))


def test_the_declaration_parses_as_shipped() -> None:
    assert m.parse(RAW).machines.keys() == m.MACHINES.keys()
