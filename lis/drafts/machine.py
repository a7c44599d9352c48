"""The declared stage machines of drafts, loaded from `data/stage_machines.json`.

The procedure is data, not code: the JSON names every stage, every allowed move, which
procedural actor (SUBMITTER, LEAD_VERIFIER, UBTVQH…) makes it and who holds the draft after it,
with the source or GUESS behind each step (shared/research/na-reference.md §2). This module only
loads and checks that declaration; it is pure (no Flask, no database) so that services, views,
the API and tests can all ask the same questions of it. Who may record an actor's act is also
declared here as a rule (`Actor.rule`) that the services evaluate against units and roles.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "stage_machines.json"

# How the holder after a move is declared: a token resolved against the draft, a unit code, or
# null (no NA unit holds it: an outside body, or the act is in force).
HOLDER_TOKENS: tuple[str, ...] = ("$drafting_unit", "$lead_unit")
# How an actor's members are found: the draft's lead unit, its drafting unit (falling back to the
# declared units when an outside body drafts), or a fixed list of units.
ACTOR_RULES: tuple[str, ...] = ("lead_unit", "drafting_unit", "units")


class MachineError(ValueError):
    """The declaration is inconsistent; raised on load so a bad edit fails loudly at start."""


@dataclass(frozen=True)
class StageInfo:
    code: str
    label_vi: str
    label_en: str
    source: str = ""

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi


@dataclass(frozen=True)
class Actor:
    """A procedural actor and the rule saying which LIS users may record its acts."""

    code: str
    label_vi: str
    label_en: str
    rule: str
    units: tuple[str, ...] = ()
    note: str = ""

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi


@dataclass(frozen=True)
class Transition:
    from_stage: str
    to_stage: str
    acting_as: str
    holder: str | None
    note: str = ""


@dataclass(frozen=True)
class Machine:
    code: str
    label_vi: str
    label_en: str
    stages: list[str]
    initial: str
    final: str
    terminal: tuple[str, ...]
    transitions: tuple[Transition, ...]
    source: str = ""
    _by_from: dict[str, list[Transition]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for tr in self.transitions:
            self._by_from.setdefault(tr.from_stage, []).append(tr)

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi

    def transitions_from(self, stage: str | None) -> list[Transition]:
        """The moves allowed from `stage`, in declaration order (empty for terminal stages)."""
        return list(self._by_from.get(stage or "", []))

    def transition(self, from_stage: str | None, to_stage: str) -> Transition | None:
        for tr in self._by_from.get(from_stage or "", []):
            if tr.to_stage == to_stage:
                return tr
        return None

    def is_terminal(self, stage: str) -> bool:
        return stage in self.terminal

    def reachable_from(self, stage: str) -> set[str]:
        """Every stage reachable from `stage` (itself included)."""
        seen = {stage}
        todo = deque([stage])
        while todo:
            for tr in self._by_from.get(todo.popleft(), []):
                if tr.to_stage not in seen:
                    seen.add(tr.to_stage)
                    todo.append(tr.to_stage)
        return seen


@dataclass(frozen=True)
class Declaration:
    stages: dict[str, StageInfo]
    actors: dict[str, Actor]
    acting_roles: tuple[str, ...]
    machines: dict[str, Machine]
    selection: tuple[tuple[str, str | None, str], ...]  # (kind, adopted_by, machine code)
    raw: dict[str, Any]


def _require(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise MachineError(f"{where}: missing {key!r}")
    return obj[key]


def _check_holder(holder: Any, where: str) -> None:
    if holder is None:
        return
    if not isinstance(holder, str) or not holder:
        raise MachineError(f"{where}: holder must be a token, a unit code or null")
    if holder.startswith("$") and holder not in HOLDER_TOKENS:
        raise MachineError(f"{where}: unknown holder token {holder!r} (use {HOLDER_TOKENS})")
    if not holder.startswith("$") and holder.upper() != holder:
        raise MachineError(f"{where}: holder {holder!r} is not a unit code")


def _machine(
    raw: dict[str, Any], stages: dict[str, StageInfo], actors: dict[str, Actor]
) -> Machine:
    code = _require(raw, "code", "machine")
    where = f"machine {code}"
    listed: list[str] = list(_require(raw, "stages", where))
    for stage in listed:
        if stage not in stages:
            raise MachineError(f"{where}: unknown stage {stage!r}")
    if len(set(listed)) != len(listed):
        raise MachineError(f"{where}: a stage is listed twice")
    initial, final = _require(raw, "initial", where), _require(raw, "final", where)
    terminal = tuple(raw.get("terminal", [final]))
    named = [("initial", initial), ("final", final)] + [("terminal", s) for s in terminal]
    for name, stage in named:
        if stage not in listed:
            raise MachineError(f"{where}: {name} stage {stage!r} is not among its stages")
    transitions: list[Transition] = []
    seen: set[tuple[str, str]] = set()
    for i, tr in enumerate(_require(raw, "transitions", where)):
        tw = f"{where} transition {i + 1}"
        froms = tr.get("from")
        froms = [froms] if isinstance(froms, str) else list(froms or [])
        to = _require(tr, "to", tw)
        actor = _require(tr, "acting_as", tw)
        if not froms:
            raise MachineError(f"{tw}: missing 'from'")
        for stage in [*froms, to]:
            if stage not in listed:
                raise MachineError(f"{tw}: unknown stage {stage!r} for this machine")
        if actor not in actors:
            raise MachineError(f"{tw}: unknown actor {actor!r}")
        _check_holder(tr.get("holder"), tw)
        for f in froms:
            if f in terminal:
                raise MachineError(f"{tw}: terminal stage {f!r} cannot be left")
            if (f, to) in seen:
                raise MachineError(f"{tw}: {f} -> {to} is declared twice")
            seen.add((f, to))
            transitions.append(Transition(f, to, actor, tr.get("holder"), tr.get("note", "")))
    machine = Machine(
        code=code,
        label_vi=raw.get("label_vi", code),
        label_en=raw.get("label_en", code),
        stages=listed,
        initial=initial,
        final=final,
        terminal=terminal,
        transitions=tuple(transitions),
        source=raw.get("source", ""),
    )
    reachable = machine.reachable_from(initial)
    if final not in reachable:
        raise MachineError(f"{where}: final stage {final} is unreachable from {initial}")
    unreachable = [s for s in listed if s not in reachable]
    if unreachable:
        raise MachineError(f"{where}: stages unreachable from {initial}: {unreachable}")
    for stage in listed:
        if stage in terminal:
            continue
        if final not in machine.reachable_from(stage):
            raise MachineError(f"{where}: final stage {final} is unreachable from {stage}")
    return machine


def parse(raw: dict[str, Any]) -> Declaration:
    """Check and build a declaration; every inconsistency raises MachineError naming it."""
    stages: dict[str, StageInfo] = {}
    for item in _require(raw, "stages", "declaration"):
        code = _require(item, "code", "stage")
        if code in stages:
            raise MachineError(f"stage {code} is declared twice")
        stages[code] = StageInfo(
            code,
            _require(item, "label_vi", f"stage {code}"),
            _require(item, "label_en", f"stage {code}"),
            item.get("source", ""),
        )
    actors: dict[str, Actor] = {}
    for item in _require(raw, "actors", "declaration"):
        code = _require(item, "code", "actor")
        rule = _require(item, "rule", f"actor {code}")
        if rule not in ACTOR_RULES:
            raise MachineError(f"actor {code}: unknown rule {rule!r} (use {ACTOR_RULES})")
        units = tuple(item.get("units", []))
        if rule == "units" and not units:
            raise MachineError(f"actor {code}: rule 'units' needs units")
        actors[code] = Actor(
            code,
            item.get("label_vi", code),
            item.get("label_en", code),
            rule,
            units,
            item.get("note", ""),
        )
    machines: dict[str, Machine] = {}
    for item in _require(raw, "machines", "declaration"):
        machine = _machine(item, stages, actors)
        if machine.code in machines:
            raise MachineError(f"machine {machine.code} is declared twice")
        machines[machine.code] = machine
    selection: list[tuple[str, str | None, str]] = []
    for item in raw.get("selection", []):
        target = _require(item, "machine", "selection")
        if target not in machines:
            raise MachineError(f"selection: unknown machine {target!r}")
        selection.append((_require(item, "kind", "selection"), item.get("adopted_by"), target))
    return Declaration(
        stages=stages,
        actors=actors,
        acting_roles=tuple(raw.get("acting_roles", ["staff", "head"])),
        machines=machines,
        selection=tuple(selection),
        raw=raw,
    )


def load(path: Path = DATA_FILE) -> Declaration:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MachineError(f"cannot read {path}: {exc}") from exc
    return parse(raw)


@cache
def declaration() -> Declaration:
    return load()


DECLARATION = declaration()
STAGES: dict[str, StageInfo] = DECLARATION.stages
ACTORS: dict[str, Actor] = DECLARATION.actors
MACHINES: dict[str, Machine] = DECLARATION.machines
ACTING_ROLES: tuple[str, ...] = DECLARATION.acting_roles
# Kinds that have an NA procedure (and so can be drafted in LIS).
DRAFT_KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for kind, _, _ in DECLARATION.selection))


def stage_label(code: str | None, lang: str = "vi") -> str:
    """The stage's label in `lang`, or the code itself for an unknown one (old data)."""
    if not code:
        return ""
    info = STAGES.get(code)
    return info.label(lang) if info else code


def adopted_by_of(issuer: str | None) -> str | None:
    """The adopting body's unit code (QH or UBTVQH) from an issuer name, if it is one of them."""
    if not issuer:
        return None
    folded = " ".join(issuer.lower().replace("uỷ", "ủy").split())
    if "thường vụ quốc hội" in folded:
        return "UBTVQH"
    if folded == "quốc hội":
        return "QH"
    return None


def machine_for(kind: str, adopted_by: str | None = None) -> Machine | None:
    """The machine for a kind (and, for resolutions, the adopting body: "QH" or "UBTVQH");
    None for kinds with no NA procedure (decrees, circulars…)."""
    for sel_kind, sel_by, code in DECLARATION.selection:
        if sel_kind == kind and (sel_by is None or sel_by == adopted_by):
            return MACHINES[code]
    return None
