"""Eligibility: run a title's rules for a person or a unit and keep the report; list who
qualifies in a unit for a year; and ask "what if" a parameter changed.

The rules are pure (`emulation.title_rules`); the facts come from the records
(`emulation.fact_loader`). This module checks who may ask, turns a rules report into a stored
`EligibilityReport` (results as JSON, so a report reads the same years later whatever the
rules become), and compares two runs.

Who may do what (the same in the API and on the pages):

- evaluate and store, who-qualifies, what-if: officers, the council and administrators for
  anyone; a head for the people of the units they head (their unit and the units under it) and
  for those units themselves.
- read stored reports: the same, and a staff member (or a head) their own reports.
- deputies: nothing (these are the Office's internal assessments).

Storing a report is audited (`eligibility.evaluate`). Who-qualifies and what-if store nothing.
Services take a session and plain values, flush, and never commit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session, selectinload

from emulation import access, fact_loader, legal, title_rules
from emulation.access import Actor, Reach
from emulation.commendation_models import EligibilityReport
from emulation.models import Title
from emulation.subject_facts import SubjectFacts
from lis import clock
from lis.audit.services import record
from lis.errors import NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user
from lis.reference.models import Unit

ENTITY = "eligibility_report"
ACTION = "eligibility.evaluate"
# Who may run the rules (heads only for their units' people and units).
EVALUATE_ROLES = ("admin", "officer", "council", "head")
# Who may read stored reports (staff only their own).
READ_ROLES = access.READ_ROLES
MIN_YEAR, MAX_YEAR = 2000, 2100
MIN_ON, MAX_ON = dt.date(2000, 1, 1), dt.date(2101, 12, 31)
MAX_ID = 2**31 - 1
MAX_OVERRIDES = 20
MAX_TEXT_VALUE = 200


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def check_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"the year must be between {MIN_YEAR} and {MAX_YEAR}", {"year": "out of range"}
        )
    return year


def check_on(on: dt.date | None) -> dt.date:
    """The evaluation day: today unless given, within the years the rules may cover."""
    day = on or clock.today()
    if not MIN_ON <= day <= MAX_ON:
        raise ValidationError(
            f"the evaluation day must be between {MIN_ON} and {MAX_ON}", {"on": "out of range"}
        )
    return day


def titles_with_rules(session: Session) -> list[Title]:
    """The catalogue's titles that have rules, in the rules' order."""
    codes = list(title_rules.titles_with_rules())
    found = {t.code: t for t in session.scalars(select(Title).where(Title.code.in_(codes)))}
    return [found[c] for c in codes if c in found]


def check_title(session: Session, code: str) -> Title:
    """The title with rules by code; 422 naming `title` otherwise."""
    if not isinstance(code, str) or not code or len(code) > 40:
        raise ValidationError("give a title code", {"title": "unknown"})
    title = session.scalar(select(Title).where(Title.code == code))
    if title is None:
        raise ValidationError(f"no title {code!r}", {"title": "unknown"})
    if code not in title_rules.titles_with_rules():
        raise ValidationError(f"the title {code} has no rules to run", {"title": "no rules"})
    return title


def param_names() -> list[str]:
    return sorted(legal.param_names())


def param_kind(name: str) -> str:
    """The type a parameter's value has: boolean, integer, number (a share) or choice (one of
    `legal.choices(name)`)."""
    values = [p.value for p in legal.params_catalogue() if p.name == name]
    if not values or legal.choices(name) is not None:
        return "choice"
    value = values[0]
    if isinstance(value, bool):
        return "boolean"
    return "integer" if isinstance(value, int) else "number"


def _kind_fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def check_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides with each name known to the catalogue and each value of its type and
    range; 422 naming `overrides` and the parameter otherwise."""
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ValidationError(
            "overrides must map parameter names to values", {"overrides": "not an object"}
        )
    if len(overrides) > MAX_OVERRIDES:
        raise ValidationError(
            f"at most {MAX_OVERRIDES} parameters may change at once", {"overrides": "too many"}
        )
    known = legal.param_names()
    unknown = {str(k)[:80]: "unknown parameter" for k in overrides if k not in known}
    if unknown:
        raise ValidationError(
            "unknown parameter: " + ", ".join(sorted(unknown)), {"overrides": unknown}
        )
    out: dict[str, Any] = {}
    for name, value in overrides.items():
        kind = param_kind(name)
        if not _kind_fits(kind, value):
            raise ValidationError(
                f"{name} must be a {kind} value", {"overrides": {name: f"wrong type: {kind}"}}
            )
        try:
            out.update(legal.check_overrides({name: value}))
        except ValueError as exc:
            raise ValidationError(str(exc), {"overrides": {name: "out of range"}}) from None
    return out


def parse_value(name: str, text: str) -> Any:
    """A parameter's new value as typed on a form, read as the parameter's type; 422 naming
    `param` (unknown) or `value` (not of the type, out of range)."""
    if name not in legal.param_names():
        raise ValidationError(f"no parameter {name[:80]!r}", {"param": "unknown"})
    raw = (text or "").strip()
    kind = param_kind(name)
    value: Any
    try:
        if kind == "boolean":
            lowered = raw.lower()
            if lowered not in _YES + _NO:
                raise ValueError(raw)
            value = lowered in _YES
        elif kind == "integer":
            value = int(raw)
        elif kind == "number":
            value = float(raw.rstrip("%").replace(",", ".")) / (100 if raw.endswith("%") else 1)
        else:
            value = raw
    except ValueError:
        raise ValidationError(f"{name} needs a {kind} value", {"value": "wrong type"}) from None
    try:
        return check_overrides({name: value})[name]
    except ValidationError as exc:
        raise ValidationError(exc.message, {"value": "out of range"}) from None


_YES = ("true", "yes", "1", "có", "đúng")
_NO = ("false", "no", "0", "không", "sai")


# --------------------------------------------------------------------------
# Who may
# --------------------------------------------------------------------------


def may_evaluate(reach: Reach, actor: Actor, unit_id: int) -> bool:
    """Whether `actor` may run the rules for a subject in (or being) the unit `unit_id`."""
    if reach.everything:
        return True
    return actor.has_role("head") and unit_id in reach.unit_ids


def _require_evaluator(session: Session, actor: Actor, unit_id: int) -> Reach:
    if not actor.has_role(*EVALUATE_ROLES):
        raise PermissionDenied(
            "eligibility is run by officers, the council, administrators and heads",
            {"role": "missing"},
        )
    reach = access.reach_of(session, actor)
    if not may_evaluate(reach, actor, unit_id):
        raise PermissionDenied(
            "heads run eligibility only for their units and their units' people",
            {"unit": "outside your units"},
        )
    return reach


def units_to_evaluate(session: Session, actor: Actor) -> list[Unit]:
    """Units `actor` may run eligibility for, by code."""
    if not actor.has_role(*EVALUATE_ROLES):
        return []
    units = list(session.scalars(select(Unit).order_by(Unit.code)))
    reach = access.reach_of(session, actor)
    return [u for u in units if may_evaluate(reach, actor, u.id)]


def people_to_evaluate(session: Session, actor: Actor, limit: int = 3000) -> list[Person]:
    """Active people `actor` may run eligibility for, by unit and name."""
    if not actor.has_role(*EVALUATE_ROLES):
        return []
    reach = access.reach_of(session, actor)
    stmt = (
        select(Person)
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.active)
        .options(selectinload(Person.unit))
        .order_by(Unit.code, Person.name, Person.id)
        .limit(limit)
    )
    if not reach.everything:
        stmt = stmt.where(Person.unit_id.in_(sorted(reach.unit_ids)))
    return list(session.scalars(stmt))


# --------------------------------------------------------------------------
# Evaluating
# --------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A value as JSON can keep it (dates as ISO text, tuples and sets as lists)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def result_json(result: title_rules.RuleResult) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "version": result.version,
        "outcome": result.outcome,
        "reason": result.reason,
        "params": jsonable(result.params),
        "facts": list(result.facts),
        "provisions": list(result.provisions),
        "gate": bool(result.gate),
    }


def result_of(data: Mapping[str, Any]) -> title_rules.RuleResult:
    """A stored result as the rules wrote it (for rule_texts.explain)."""
    return title_rules.RuleResult(
        rule=str(data.get("rule", "")),
        version=int(data.get("version") or 0),
        outcome=str(data.get("outcome", "unknown")),
        reason=str(data.get("reason", "")),
        params=dict(data.get("params") or {}),
        facts=tuple(str(f) for f in data.get("facts") or ()),
        provisions=tuple(str(p) for p in data.get("provisions") or ()),
        gate=bool(data.get("gate", False)),
    )


@dataclass(frozen=True)
class Subject:
    kind: str  # person | unit
    id: int
    name: str
    unit_id: int  # the person's unit, or the unit itself
    person: Person | None = None
    unit: Unit | None = None


def _subject(session: Session, person_id: int | None, unit_id: int | None) -> Subject:
    if (person_id is None) == (unit_id is None):
        raise ValidationError(
            "give either a person or a unit", {"person": "give a person or a unit"}
        )
    if person_id is not None:
        found = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
        if found is None:
            raise ValidationError(f"no person {person_id}", {"person": "unknown"})
        return Subject("person", found.id, found.name, found.unit_id, person=found)
    assert unit_id is not None
    unit = session.get(Unit, unit_id) if 0 < unit_id <= MAX_ID else None
    if unit is None:
        raise ValidationError(f"no unit {unit_id}", {"unit": "unknown"})
    return Subject("unit", unit.id, unit.name, unit.id, unit=unit)


def _check_fit(title: Title, subject: Subject) -> None:
    wanted = title_rules.subject_kind(title.code)
    if wanted != subject.kind:
        problem = "a title for units" if wanted == "unit" else "a title for people"
        raise ValidationError(f"{title.code} is {problem}", {"title": problem})


def _facts(session: Session, subject: Subject, year: int, on: dt.date) -> SubjectFacts:
    if subject.kind == "person":
        return fact_loader.load_person(session, subject.id, on)
    return fact_loader.load_unit(session, subject.id, year, on)


def _run(
    title_code: str,
    facts: SubjectFacts,
    year: int,
    on: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> title_rules.Report:
    try:
        return title_rules.evaluate(title_code, facts, year, on, overrides)
    except legal.NoParamInForce as exc:
        raise ValidationError(
            f"a parameter the rules need is not in force on {on}: {exc}",
            {"on": "no rules in force on this day"},
        ) from None


def evaluate(
    session: Session,
    actor: Actor,
    *,
    title: str,
    year: int,
    person_id: int | None = None,
    unit_id: int | None = None,
    on: dt.date | None = None,
    store: bool = True,
) -> EligibilityReport:
    """Run `title`'s rules for a person or a unit for `year`, with the rules and parameters in
    force on `on` (today by default). Stored (and audited) unless `store` is False, in which
    case the report comes back unsaved."""
    check_year(year)
    day = check_on(on)
    the_title = check_title(session, title)
    subject = _subject(session, person_id, unit_id)
    _check_fit(the_title, subject)
    _require_evaluator(session, actor, subject.unit_id)
    report = _run(the_title.code, _facts(session, subject, year, day), year, day)
    row = EligibilityReport(
        person_id=subject.id if subject.kind == "person" else None,
        unit_id=subject.id if subject.kind == "unit" else None,
        title_code=the_title.code,
        year=year,
        evaluated_on=day,
        outcome=report.outcome,
        results=[result_json(r) for r in report.results],
        params=jsonable(dict(report.params)),
        rule_versions=list(report.rule_versions),
        created_by_id=actor.id,
    )
    if not store:
        return row
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action=ACTION,
        entity=ENTITY,
        entity_id=row.id,
        summary=(
            f"{the_title.code} {year} for {subject.kind} {subject.id} on {day}: {report.outcome}"
        ),
        before=None,
        after={
            "subject": subject.kind,
            "subject_id": subject.id,
            "title": the_title.code,
            "year": year,
            "evaluated_on": day.isoformat(),
            "outcome": report.outcome,
            "rule_versions": list(report.rule_versions),
            "params": row.params,
        },
    )
    return row


# --------------------------------------------------------------------------
# Reading stored reports
# --------------------------------------------------------------------------


def _visible(session: Session, reach: Reach) -> ColumnElement[bool]:
    """Reports a reader may see: all, their units' and their units' people's, their own."""
    if reach.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if reach.unit_ids:
        units = sorted(reach.unit_ids)
        clauses.append(EligibilityReport.unit_id.in_(units))
        clauses.append(
            EligibilityReport.person_id.in_(select(Person.id).where(Person.unit_id.in_(units)))
        )
    if reach.person_id is not None:
        clauses.append(EligibilityReport.person_id == reach.person_id)
    return or_(*clauses) if clauses else false()


def _check_reader(actor: Actor) -> None:
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "eligibility reports are seen by officers, the council, heads and the person",
            {"role": "missing"},
        )


def _loaded() -> Select[tuple[EligibilityReport]]:
    return select(EligibilityReport).options(
        selectinload(EligibilityReport.person).selectinload(Person.unit),
        selectinload(EligibilityReport.unit),
    )


def get_report(session: Session, actor: Actor, report_id: int) -> EligibilityReport:
    """A stored report `actor` may see (404 when there is none, 403 when not theirs)."""
    _check_reader(actor)
    found = None
    if 0 < report_id <= MAX_ID:
        found = session.scalar(_loaded().where(EligibilityReport.id == report_id))
    if found is None:
        raise NotFound(f"no eligibility report {report_id}", {"id": "unknown"})
    visible = session.scalar(
        select(EligibilityReport.id).where(
            EligibilityReport.id == found.id, _visible(session, access.reach_of(session, actor))
        )
    )
    if visible is None:
        raise PermissionDenied("this report is not yours or your units'", {"id": "forbidden"})
    return found


def list_reports(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    title: str | None = None,
    year: int | None = None,
) -> Select[tuple[EligibilityReport]]:
    """Stored reports `actor` may see, newest first; `unit_id` means the unit's own reports and
    those of the people now in it."""
    _check_reader(actor)
    stmt = _loaded().where(_visible(session, access.reach_of(session, actor)))
    if person_id is not None:
        stmt = stmt.where(EligibilityReport.person_id == person_id)
    if unit_id is not None:
        stmt = stmt.where(
            or_(
                EligibilityReport.unit_id == unit_id,
                EligibilityReport.person_id.in_(select(Person.id).where(Person.unit_id == unit_id)),
            )
        )
    if title is not None:
        stmt = stmt.where(EligibilityReport.title_code == title)
    if year is not None:
        stmt = stmt.where(EligibilityReport.year == year)
    return stmt.order_by(EligibilityReport.id.desc())


def own_person(session: Session, actor: Actor) -> Person | None:
    return person_of_user(session, actor.id) if actor.id is not None else None


# --------------------------------------------------------------------------
# Who qualifies, and what if
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QualifyRow:
    subject_kind: str  # person | unit
    person_id: int | None
    unit_id: int  # the person's unit, or the unit itself
    name: str
    title: str
    outcome: str
    failing: tuple[title_rules.RuleResult, ...]  # failed rules and blocking gates
    unknown: tuple[title_rules.RuleResult, ...]

    @property
    def subject_id(self) -> int:
        return self.person_id if self.person_id is not None else self.unit_id


@dataclass(frozen=True)
class RuleChange:
    rule: str
    before: title_rules.RuleResult | None
    after: title_rules.RuleResult | None


@dataclass(frozen=True)
class WhatIfRow:
    subject_kind: str
    person_id: int | None
    unit_id: int
    name: str
    title: str
    before: str
    after: str
    changes: tuple[RuleChange, ...]

    @property
    def subject_id(self) -> int:
        return self.person_id if self.person_id is not None else self.unit_id


def _blocking(report: title_rules.Report) -> tuple[title_rules.RuleResult, ...]:
    return tuple(r for r in report.results if r.outcome == "fail")


def _unknown(report: title_rules.Report) -> tuple[title_rules.RuleResult, ...]:
    return tuple(r for r in report.results if r.outcome == "unknown")


def _unit_for_list(session: Session, actor: Actor, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id) if 0 < unit_id <= MAX_ID else None
    if unit is None:
        raise ValidationError(f"no unit {unit_id}", {"unit": "unknown"})
    _require_evaluator(session, actor, unit.id)
    return unit


def _subjects(session: Session, unit: Unit, titles: Sequence[Title]) -> list[Subject]:
    """The unit's active people (not its sub-units'), by name, then the unit itself when a
    collective title is asked for."""
    out: list[Subject] = []
    if any(title_rules.subject_kind(t.code) == "person" for t in titles):
        people = session.scalars(
            select(Person)
            .where(Person.unit_id == unit.id, Person.active)
            .order_by(Person.name, Person.id)
        )
        out += [Subject("person", p.id, p.name, p.unit_id, person=p) for p in people]
    if any(title_rules.subject_kind(t.code) == "unit" for t in titles):
        out.append(Subject("unit", unit.id, unit.name, unit.id, unit=unit))
    return out


def _pairs(
    session: Session, unit: Unit, titles: Sequence[Title], year: int, on: dt.date
) -> Iterable[tuple[Subject, Title, SubjectFacts]]:
    for subject in _subjects(session, unit, titles):
        facts = _facts(session, subject, year, on)
        for title in titles:
            if title_rules.subject_kind(title.code) == subject.kind:
                yield subject, title, facts


def who_qualifies(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    year: int,
    title: str | None = None,
    on: dt.date | None = None,
) -> list[QualifyRow]:
    """Every active person of the unit (and the unit itself for collective titles) against
    every title with rules, or one title: nothing is stored."""
    check_year(year)
    day = check_on(on)
    titles = [check_title(session, title)] if title is not None else titles_with_rules(session)
    unit = _unit_for_list(session, actor, unit_id)
    rows = []
    for subject, the_title, facts in _pairs(session, unit, titles, year, day):
        report = _run(the_title.code, facts, year, day)
        rows.append(
            QualifyRow(
                subject_kind=subject.kind,
                person_id=subject.id if subject.kind == "person" else None,
                unit_id=subject.unit_id,
                name=subject.name,
                title=the_title.code,
                outcome=report.outcome,
                failing=_blocking(report),
                unknown=_unknown(report),
            )
        )
    return rows


def _changes(before: title_rules.Report, after: title_rules.Report) -> tuple[RuleChange, ...]:
    """The rules whose outcome or reason differ between two runs (or run only in one)."""
    old = {r.rule: r for r in before.results}
    new = {r.rule: r for r in after.results}
    order = [r.rule for r in before.results] + [r for r in new if r not in old]
    out = []
    for rule in order:
        a, b = old.get(rule), new.get(rule)
        if a is None or b is None or (a.outcome, a.reason) != (b.outcome, b.reason):
            out.append(RuleChange(rule, a, b))
    return tuple(out)


def what_if(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    year: int,
    title: str,
    overrides: Mapping[str, Any],
    on: dt.date | None = None,
) -> list[WhatIfRow]:
    """The who-qualifies list run twice, with the parameters in force and then with
    `overrides`: only the subjects whose outcome changes, with the rules that changed."""
    check_year(year)
    day = check_on(on)
    the_title = check_title(session, title)
    changed = check_overrides(overrides)
    if not changed:
        raise ValidationError("change at least one parameter", {"overrides": "empty"})
    unit = _unit_for_list(session, actor, unit_id)
    rows = []
    for subject, t, facts in _pairs(session, unit, [the_title], year, day):
        before = _run(t.code, facts, year, day)
        after = _run(t.code, facts, year, day, changed)
        if before.outcome == after.outcome:
            continue
        rows.append(
            WhatIfRow(
                subject_kind=subject.kind,
                person_id=subject.id if subject.kind == "person" else None,
                unit_id=subject.unit_id,
                name=subject.name,
                title=t.code,
                before=before.outcome,
                after=after.outcome,
                changes=_changes(before, after),
            )
        )
    return rows


# --------------------------------------------------------------------------
# The catalogue of rules and parameters
# --------------------------------------------------------------------------


def params_in_force(on: dt.date) -> dict[str, Any]:
    """Each parameter's value in force on `on` (parameters with none in force left out)."""
    out: dict[str, Any] = {}
    for name in param_names():
        try:
            out[name] = legal.param(name, on)
        except legal.NoParamInForce:
            continue
    return out


def param_versions_in_force(on: dt.date) -> list[legal.RuleParam]:
    """The catalogue's entries in force on `on`, one per parameter, by name."""
    out = []
    for name in param_names():
        try:
            out.append(legal.param_row(name, on))
        except legal.NoParamInForce:
            continue
    return out


@dataclass(frozen=True)
class RuleInfo:
    id: str
    version: int
    provisions: tuple[str, ...]
    params: tuple[str, ...]


def rule_info(rule: Any) -> RuleInfo:
    """What the catalogue shows of a rule: its id, version, provisions and parameter names."""
    return RuleInfo(
        id=str(getattr(rule, "id", None) or getattr(rule, "rule", "")),
        version=int(getattr(rule, "version", 0) or 0),
        provisions=tuple(str(p) for p in getattr(rule, "provisions", ()) or ()),
        params=tuple(str(p) for p in getattr(rule, "params", ()) or ()),
    )


@dataclass(frozen=True)
class TitleRules:
    title: Title
    rules: tuple[RuleInfo, ...]


def catalogue(session: Session, actor: Actor) -> list[TitleRules]:
    """Every title with rules, each with its rules (the rules themselves are public law; the
    page is for the Office's readers, deputies get 403 as everywhere here)."""
    _check_reader(actor)
    return [
        TitleRules(t, tuple(rule_info(r) for r in title_rules.rules_for(t.code)))
        for t in titles_with_rules(session)
    ]
