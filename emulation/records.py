"""The commendation records the title rules read: initiatives with their authors, awards with
the initiatives each used, disciplines, pending cases, and attestations of qualitative criteria.

Who may do what (the same rules hold in the API and on the pages):

- keep (create, change, revoke, open and close): officers and administrators.
- attest: officers and administrators for anyone; a head for the people of the units they
  head (their unit and the units under it) and for those units; nobody for themselves. The
  attester is recorded by name (their e-mail), since the rules cite who vouched.
- read: officers, the council and administrators everything; heads the records of their units
  and their units' people; staff their own record; deputies nothing.

The rules decide what a record means (whether an initiative may be reused, whether a case
blocks); these services only keep the records true to the decisions they copy: an award's
title exists and fits its subject, one live award per subject, title and year, revoking keeps
the row, an initiative used by a person's award names that person among its authors.

Services take a session and plain values, flush, audit every change in the same transaction
and never commit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, extract, false, or_, select, true
from sqlalchemy.orm import Session, selectinload

from emulation import access
from emulation.access import Actor, Reach
from emulation.commendation_models import (
    AWARD_BASES,
    AWARD_KINDS,
    CASE_KINDS,
    DISCIPLINE_FORMS,
    INITIATIVE_SCOPES,
    Attestation,
    Award,
    AwardInitiative,
    Discipline,
    Initiative,
    InitiativeAuthor,
    PendingCase,
)
from emulation.models import QualityRating, Title
from lis import clock
from lis.audit.services import record
from lis.db import utcnow
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit

KEEP_ROLES = ("admin", "officer")
ATTEST_ROLES = ("admin", "officer", "head")
READ_ROLES = ("admin", "officer", "council", "head", "staff")

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1990, 2100
EARLIEST = dt.date(MIN_YEAR, 1, 1)
MAX_TITLE = 500
MAX_SUMMARY = 5000
MAX_DECISION_NO = 120
MAX_NOTE = 2000
MAX_REASON = 2000
MAX_AUTHORS = 50
MAX_AWARD_INITIATIVES = 50
MAX_CRITERION = 40
# A float sum of shares such as 0.1 + 0.2 + 0.7 is a hair over 1.
SHARE_TOLERANCE = 1e-9
CRITERION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The qualitative criteria the research names (emulation-rules.md §4.2); the API accepts any
# code of this shape, so a rule may read one not listed here.
KNOWN_CRITERIA: tuple[str, ...] = (
    "solidarity",  # tự lực, đoàn kết, tích cực tham gia phong trào thi đua (Art. 24.1.b)
    "exemplary",  # gương mẫu chấp hành chủ trương, chính sách, pháp luật (Art. 74.1)
    "outstanding",  # tiêu biểu xuất sắc, được lựa chọn (Art. 21, 22)
    "movement_achievement",  # thành tích xuất sắc trong phong trào thi đua (Art. 74.1.a)
    "field_influence",  # thành tích có phạm vi ảnh hưởng trong lĩnh vực (Art. 74.1.b)
    "great_contribution",  # đóng góp lớn (Art. 74.1.c)
    "collective_emulation",  # tập thể: thi đua thường xuyên, hiệu quả, đoàn kết (Art. 27, 28)
    "collective_excellence",  # tập thể: sáng tạo, vượt chỉ tiêu, chất lượng cao (Art. 27)
)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"{name} is longer than {limit} characters", {name: "too long"})
    if "\x00" in text:
        raise ValidationError(f"{name} contains NUL characters", {name: "invalid characters"})
    if required and not text:
        raise ValidationError(f"{name} is required", {name: "required"})
    return text


def _year(year: int, name: str = "year") -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"{name} must be between {MIN_YEAR} and {MAX_YEAR}", {name: "out of range"}
        )
    return year


def _past_date(day: dt.date | None, name: str, *, required: bool = True) -> dt.date | None:
    """A day that has happened: not in the future, not before 1990."""
    if day is None:
        if required:
            raise ValidationError(f"{name} is required", {name: "required"})
        return None
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(f"{name} must be a date", {name: "not a date"})
    if day > clock.today():
        raise ValidationError(f"{name} {day.isoformat()} is in the future", {name: "in the future"})
    if day < EARLIEST:
        raise ValidationError(f"{name} is before {EARLIEST.isoformat()}", {name: "too early"})
    return day


def _one_of(value: str, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise ValidationError(f"{name} must be one of {', '.join(allowed)}", {name: "unknown"})
    return value


def _id_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _person(session: Session, person_id: int, name: str = "person_id") -> Person:
    found = session.get(Person, person_id) if _id_ok(person_id) else None
    if found is None:
        raise ValidationError(f"no person {person_id}", {name: "unknown"})
    return found


def _unit(session: Session, unit_id: int, name: str = "unit_id") -> Unit:
    found = session.get(Unit, unit_id) if _id_ok(unit_id) else None
    if found is None:
        raise ValidationError(f"no unit {unit_id}", {name: "unknown"})
    return found


def _subject(
    session: Session, person_id: int | None, unit_id: int | None
) -> tuple[Person | None, Unit | None]:
    """Exactly one of a person and a unit, both existing."""
    if (person_id is None) == (unit_id is None):
        raise ValidationError(
            "give a person or a unit, not both",
            {"person_id": "give person_id or unit_id", "unit_id": "give person_id or unit_id"},
        )
    if person_id is not None:
        return _person(session, person_id), None
    assert unit_id is not None
    return None, _unit(session, unit_id)


def _check_keeper(actor: Actor) -> None:
    if not actor.has_role(*KEEP_ROLES):
        raise PermissionDenied(
            "the commendation records are kept by officers and administrators",
            {"role": "missing"},
        )


def _check_reader(actor: Actor) -> None:
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "the commendation records are read by officers, the council, heads and the "
            "person concerned",
            {"role": "missing"},
        )


def _get(session: Session, model: Any, row_id: int, what: str, *, lock: bool = False) -> Any:
    found = None
    if _id_ok(row_id):  # larger ids cannot exist and overflow the driver
        stmt = select(model).where(model.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"no {what} {row_id}", {"id": "unknown"})
    return found


# --------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------


def reach(session: Session, actor: Actor) -> Reach:
    _check_reader(actor)
    return access.reach_of(session, actor)


def sees_person(reach_: Reach, person: Person) -> bool:
    return (
        reach_.everything
        or person.unit_id in reach_.unit_ids
        or (reach_.person_id is not None and person.id == reach_.person_id)
    )


def sees_unit(reach_: Reach, unit_id: int) -> bool:
    return reach_.everything or unit_id in reach_.unit_ids


def _people_clause(reach_: Reach, column: Any) -> ColumnElement[bool]:
    """`column` (a person id) names someone `reach_` sees."""
    if reach_.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if reach_.unit_ids:
        units = sorted(reach_.unit_ids)
        clauses.append(column.in_(select(Person.id).where(Person.unit_id.in_(units))))
    if reach_.person_id is not None:
        clauses.append(column == reach_.person_id)
    return or_(*clauses) if clauses else false()


def _subject_clause(reach_: Reach, model: Any) -> ColumnElement[bool]:
    """A row with person_id or unit_id whose subject `reach_` sees."""
    if reach_.everything:
        return true()
    person = and_(model.person_id.is_not(None), _people_clause(reach_, model.person_id))
    if not reach_.unit_ids:
        return person
    return or_(person, model.unit_id.in_(sorted(reach_.unit_ids)))


def _initiative_clause(reach_: Reach) -> ColumnElement[bool]:
    if reach_.everything:
        return true()
    return exists().where(
        InitiativeAuthor.initiative_id == Initiative.id,
        _people_clause(reach_, InitiativeAuthor.person_id),
    )


def _filter_subject(
    session: Session, stmt: Select[Any], model: Any, person_id: int | None, unit_id: int | None
) -> Select[Any]:
    """A person's rows; or a unit's (with the units under it) and its people's."""
    if person_id is not None:
        stmt = stmt.where(model.person_id == person_id)
    if unit_id is not None:
        units = sorted(unit_and_descendants(session, unit_id))
        people = select(Person.id).where(Person.unit_id.in_(units))
        stmt = stmt.where(or_(model.unit_id.in_(units), model.person_id.in_(people)))
    return stmt


def may_attest(session: Session, actor: Actor, person: Person | None, unit_id: int | None) -> bool:
    if person is not None and actor.id is not None and person.user_id == actor.id:
        return False
    if actor.has_role("admin", "officer"):
        return True
    if not actor.has_role("head"):
        return False
    units = access.reach_of(session, actor).unit_ids
    return (person.unit_id if person is not None else unit_id) in units


def read_person(session: Session, actor: Actor, person_id: int) -> Person:
    """The person, when `actor` may read their record (403 otherwise, 404 unknown)."""
    reach_ = reach(session, actor)
    found = _get(session, Person, person_id, "person")
    if not sees_person(reach_, found):
        raise PermissionDenied("this is not your record or your units'", {"id": "forbidden"})
    return found


# --------------------------------------------------------------------------
# Initiatives
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorShare:
    person_id: int
    share: float


def _authors(session: Session, authors: Iterable[Any]) -> list[AuthorShare]:
    """Authors as given (mappings or AuthorShare): at least one, each once, each share in
    (0, 1], the shares summing to 1 at most."""
    out: list[AuthorShare] = []
    for item in authors:
        if isinstance(item, Mapping):
            person_id, share = item.get("person_id"), item.get("share", 1.0)
        else:
            person_id, share = getattr(item, "person_id", None), getattr(item, "share", None)
        out.append(AuthorShare(person_id, share))  # type: ignore[arg-type]
        if len(out) > MAX_AUTHORS:
            raise ValidationError(
                f"at most {MAX_AUTHORS} authors", {"authors": f"more than {MAX_AUTHORS}"}
            )
    if not out:
        raise ValidationError("an initiative has at least one author", {"authors": "required"})
    seen: set[int] = set()
    total = 0.0
    for author in out:
        if not _id_ok(author.person_id) or session.get(Person, author.person_id) is None:
            raise ValidationError(
                f"no person {author.person_id}", {"authors": f"unknown person {author.person_id}"}
            )
        if author.person_id in seen:
            raise ValidationError(
                f"person {author.person_id} is named twice",
                {"authors": f"person {author.person_id} named twice"},
            )
        seen.add(author.person_id)
        share = author.share
        valid = isinstance(share, int | float) and not isinstance(share, bool)
        if not valid or not math.isfinite(share) or not 0 < share <= 1:
            raise ValidationError(
                f"the share of person {author.person_id} must be above 0 and at most 1",
                {"authors": f"share of person {author.person_id} not in (0, 1]"},
            )
        total += float(share)
    if total > 1 + SHARE_TOLERANCE:
        raise ValidationError(
            f"the authors' shares sum to {total:g}, more than 1",
            {"authors": f"shares sum to {total:g} (more than 1)"},
        )
    return [AuthorShare(a.person_id, float(a.share)) for a in out]


def _initiative_state(row: Initiative) -> dict[str, Any]:
    return {
        "title": row.title,
        "summary": row.summary,
        "recognized_by_unit_id": row.recognized_by_unit_id,
        "recognized_on": row.recognized_on.isoformat(),
        "scope": row.scope,
        "decision_no": row.decision_no,
        "applied_effectively": row.applied_effectively,
        "authors": [
            {"person_id": a.person_id, "share": a.share}
            for a in sorted(row.authors, key=lambda a: a.person_id)
        ],
    }


def _initiative_values(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    unit_id = values.get("recognized_by_unit_id")
    _unit(session, unit_id, "recognized_by_unit_id")  # type: ignore[arg-type]
    return {
        "title": _text(values.get("title"), "title", MAX_TITLE, required=True),
        "summary": _text(values.get("summary"), "summary", MAX_SUMMARY),
        "recognized_by_unit_id": unit_id,
        "recognized_on": _past_date(values.get("recognized_on"), "recognized_on"),
        "scope": _one_of(values.get("scope") or "", INITIATIVE_SCOPES, "scope"),
        "decision_no": _text(values.get("decision_no"), "decision_no", MAX_DECISION_NO),
        "applied_effectively": bool(values.get("applied_effectively", True)),
        "authors": _authors(session, values.get("authors") or ()),
    }


def _loaded_initiatives() -> Select[tuple[Initiative]]:
    return select(Initiative).options(
        selectinload(Initiative.authors).selectinload(InitiativeAuthor.person),
        selectinload(Initiative.recognized_by),
    )


def get_initiative(session: Session, initiative_id: int) -> Initiative:
    found = None
    if _id_ok(initiative_id):
        found = session.scalar(_loaded_initiatives().where(Initiative.id == initiative_id))
    if found is None:
        raise NotFound(f"no initiative {initiative_id}", {"id": "unknown"})
    return found


def create_initiative(session: Session, actor: Actor, **values: Any) -> Initiative:
    """Record a recognised initiative with its authors and their shares (officers, admins).

    `values`: title, summary, recognized_by_unit_id, recognized_on, scope, decision_no,
    applied_effectively, authors ([{person_id, share}])."""
    _check_keeper(actor)
    clean = _initiative_values(session, values)
    authors = clean.pop("authors")
    row = Initiative(**clean, created_by_id=actor.id)
    row.authors = [InitiativeAuthor(person_id=a.person_id, share=a.share) for a in authors]
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="initiative.create",
        entity="initiative",
        entity_id=row.id,
        summary=f"initiative {row.id} recognised {row.recognized_on} ({row.scope}), "
        f"{len(authors)} author(s)",
        after=_initiative_state(row),
    )
    return row


def update_initiative(
    session: Session, actor: Actor, initiative_id: int, **values: Any
) -> Initiative:
    """Replace an initiative's fields and authors (officers, admins). An author whose own award
    used the initiative cannot be removed (409 naming `authors`): the award would stand on an
    initiative that is not theirs."""
    _check_keeper(actor)
    row = get_initiative(session, initiative_id)
    clean = _initiative_values(session, values)
    authors: list[AuthorShare] = clean.pop("authors")
    kept = {a.person_id for a in authors}
    users = session.execute(
        select(Award.id, Award.person_id)
        .join(AwardInitiative, AwardInitiative.award_id == Award.id)
        .where(
            AwardInitiative.initiative_id == row.id,
            Award.person_id.is_not(None),
            Award.revoked.is_(False),
        )
        .order_by(Award.id)
    ).all()
    for award_id, person_id in users:
        if person_id not in kept:
            raise Conflict(
                f"award {award_id} of person {person_id} used this initiative: the person "
                "stays among its authors",
                {"authors": f"person {person_id} has award {award_id} using it"},
            )
    before = _initiative_state(row)
    for name, value in clean.items():
        setattr(row, name, value)
    current = {a.person_id: a for a in row.authors}
    row.authors = [
        _author(current.get(a.person_id), a) for a in sorted(authors, key=lambda a: a.person_id)
    ]
    session.flush()
    session.expire(row, ["recognized_by"])
    after = _initiative_state(row)
    if after != before:
        record(
            session,
            actor=actor,
            action="initiative.update",
            entity="initiative",
            entity_id=row.id,
            summary=f"initiative {row.id} changed",
            before=before,
            after=after,
        )
    return row


def _author(existing: InitiativeAuthor | None, wanted: AuthorShare) -> InitiativeAuthor:
    if existing is None:
        return InitiativeAuthor(person_id=wanted.person_id, share=wanted.share)
    existing.share = wanted.share
    return existing


def read_initiative(session: Session, actor: Actor, initiative_id: int) -> Initiative:
    reach_ = reach(session, actor)
    row = get_initiative(session, initiative_id)
    if not (reach_.everything or any(sees_person(reach_, a.person) for a in row.authors)):
        raise PermissionDenied(
            "this initiative is not yours or your units' people's", {"id": "forbidden"}
        )
    return row


def list_initiatives(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    year: int | None = None,
) -> Select[tuple[Initiative]]:
    """Initiatives `actor` may see: of an author, of a unit's people (with its sub-units), of a
    year of recognition; newest first."""
    stmt = _loaded_initiatives().where(_initiative_clause(reach(session, actor)))
    if person_id is not None:
        stmt = stmt.where(
            exists().where(
                InitiativeAuthor.initiative_id == Initiative.id,
                InitiativeAuthor.person_id == person_id,
            )
        )
    if unit_id is not None:
        units = sorted(unit_and_descendants(session, unit_id))
        stmt = stmt.where(
            exists().where(
                InitiativeAuthor.initiative_id == Initiative.id,
                InitiativeAuthor.person_id.in_(select(Person.id).where(Person.unit_id.in_(units))),
            )
        )
    if year is not None:
        stmt = stmt.where(extract("year", Initiative.recognized_on) == year)
    return stmt.order_by(Initiative.recognized_on.desc(), Initiative.id.desc())


def awards_using(session: Session, initiative_ids: Iterable[int]) -> dict[int, list[Award]]:
    """The awards (revoked ones too) that used each initiative, by initiative id."""
    ids = sorted(set(initiative_ids))
    out: dict[int, list[Award]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(AwardInitiative.initiative_id, Award)
        .join(Award, Award.id == AwardInitiative.award_id)
        .where(AwardInitiative.initiative_id.in_(ids))
        .order_by(Award.year, Award.id)
    ).all()
    for initiative_id, award in rows:
        out[initiative_id].append(award)
    return out


# --------------------------------------------------------------------------
# Awards
# --------------------------------------------------------------------------


def _award_state(row: Award) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "unit_id": row.unit_id,
        "title_code": row.title_code,
        "year": row.year,
        "decision_no": row.decision_no,
        "decision_date": row.decision_date.isoformat() if row.decision_date else None,
        "basis": row.basis,
        "kind": row.kind,
        "initiative_ids": sorted(i.id for i in row.initiatives),
        "revoked": row.revoked,
        "revoked_reason": row.revoked_reason,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _loaded_awards() -> Select[tuple[Award]]:
    return select(Award).options(
        selectinload(Award.person),
        selectinload(Award.unit),
        selectinload(Award.initiatives),
    )


def get_award(session: Session, award_id: int) -> Award:
    found = None
    if _id_ok(award_id):
        found = session.scalar(_loaded_awards().where(Award.id == award_id))
    if found is None:
        raise NotFound(f"no award {award_id}", {"id": "unknown"})
    return found


def title_by_code(session: Session, code: str) -> Title | None:
    if not isinstance(code, str) or not 0 < len(code) <= 40:
        return None
    return session.scalar(select(Title).where(Title.code == code))


def _award_initiatives(
    session: Session, person: Person | None, initiative_ids: Sequence[int]
) -> list[Initiative]:
    ids = list(initiative_ids or ())
    if len(ids) > MAX_AWARD_INITIATIVES:
        raise ValidationError(
            f"at most {MAX_AWARD_INITIATIVES} initiatives",
            {"initiative_ids": f"more than {MAX_AWARD_INITIATIVES}"},
        )
    if len(set(ids)) != len(ids):
        raise ValidationError("an initiative is named twice", {"initiative_ids": "duplicates"})
    rows = []
    for initiative_id in ids:
        found = None
        if _id_ok(initiative_id):
            found = session.scalar(_loaded_initiatives().where(Initiative.id == initiative_id))
        if found is None:
            raise ValidationError(
                f"no initiative {initiative_id}",
                {"initiative_ids": f"unknown initiative {initiative_id}"},
            )
        if person is not None and person.id not in {a.person_id for a in found.authors}:
            raise ValidationError(
                f"person {person.id} is not an author of initiative {initiative_id}",
                {"initiative_ids": f"person is not an author of initiative {initiative_id}"},
            )
        rows.append(found)
    return rows


def create_award(
    session: Session,
    actor: Actor,
    *,
    title_code: str,
    year: int,
    person_id: int | None = None,
    unit_id: int | None = None,
    basis: str = "other",
    kind: str = "regular",
    decision_no: str = "",
    decision_date: dt.date | None = None,
    initiative_ids: Sequence[int] = (),
    nomination_id: int | None = None,
) -> Award:
    """Record a title or form received (officers, admins; the nominations service for a
    decided nomination). 409 naming `title_code` when the subject already holds it for the
    year (a revoked one does not count)."""
    _check_keeper(actor)
    person, unit = _subject(session, person_id, unit_id)
    title = title_by_code(session, title_code)
    if title is None:
        raise ValidationError(f"no title {title_code!r}", {"title_code": "unknown"})
    if title.subject == "individual" and person is None:
        raise ValidationError(
            f"{title.code} is given to individuals: give person_id",
            {"title_code": "for individuals: give person_id"},
        )
    if title.subject == "collective" and unit is None:
        raise ValidationError(
            f"{title.code} is given to collectives: give unit_id",
            {"title_code": "for collectives: give unit_id"},
        )
    _year(year)
    _one_of(basis, AWARD_BASES, "basis")
    _one_of(kind, AWARD_KINDS, "kind")
    decision_no = _text(decision_no, "decision_no", MAX_DECISION_NO)
    _past_date(decision_date, "decision_date", required=False)
    if decision_date is not None and decision_date < dt.date(year, 1, 1):
        raise ValidationError(
            f"the decision of {decision_date.isoformat()} comes before the year {year}",
            {"decision_date": "before the award's year"},
        )
    initiatives = _award_initiatives(session, person, initiative_ids)
    subject = (
        Award.person_id == person.id if person is not None else Award.unit_id == unit.id  # type: ignore[union-attr]
    )
    held = session.scalar(
        select(Award.id).where(
            subject, Award.title_code == title.code, Award.year == year, Award.revoked.is_(False)
        )
    )
    if held is not None:
        raise Conflict(
            f"award {held} already gives {title.code} for {year} to this subject",
            {"title_code": f"already awarded for {year} (award {held})"},
        )
    row = Award(
        person_id=person.id if person is not None else None,
        unit_id=unit.id if unit is not None else None,
        title_code=title.code,
        year=year,
        basis=basis,
        kind=kind,
        decision_no=decision_no,
        decision_date=decision_date,
        nomination_id=nomination_id,
        created_by_id=actor.id,
    )
    row.initiatives = initiatives
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="award.create",
        entity="award",
        entity_id=row.id,
        summary=f"{title.code} {year} for "
        + (f"person {row.person_id}" if row.person_id else f"unit {row.unit_id}")
        + (f", using initiatives {sorted(i.id for i in initiatives)}" if initiatives else ""),
        after=_award_state(row),
    )
    return row


def revoke_award(session: Session, actor: Actor, award_id: int, reason: str) -> Award:
    """Revoke an award (officers, admins): the row stays, marked, with the reason and the time;
    a revoked award breaks a consecutive run. 409 when already revoked."""
    _check_keeper(actor)
    reason = _text(reason, "reason", MAX_REASON, required=True)
    row = _get(session, Award, award_id, "award", lock=True)
    row = get_award(session, row.id)
    if row.revoked:
        raise Conflict(f"award {row.id} is already revoked", {"id": "already revoked"})
    before = _award_state(row)
    row.revoked = True
    row.revoked_reason = reason
    row.revoked_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="award.revoke",
        entity="award",
        entity_id=row.id,
        summary=f"{row.title_code} {row.year} revoked",
        before=before,
        after=_award_state(row),
    )
    return row


def read_award(session: Session, actor: Actor, award_id: int) -> Award:
    reach_ = reach(session, actor)
    row = get_award(session, award_id)
    visible = (
        sees_person(reach_, row.person)
        if row.person is not None
        else sees_unit(reach_, row.unit_id)  # type: ignore[arg-type]
    )
    if not visible:
        raise PermissionDenied("this award is not yours or your units'", {"id": "forbidden"})
    return row


def list_awards(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    year: int | None = None,
    title_code: str | None = None,
) -> Select[tuple[Award]]:
    """Awards `actor` may see (revoked ones too, marked), newest year first."""
    stmt = _loaded_awards().where(_subject_clause(reach(session, actor), Award))
    stmt = _filter_subject(session, stmt, Award, person_id, unit_id)
    if year is not None:
        stmt = stmt.where(Award.year == year)
    if title_code is not None:
        stmt = stmt.where(Award.title_code == title_code)
    return stmt.order_by(Award.year.desc(), Award.title_code, Award.id.desc())


# --------------------------------------------------------------------------
# Disciplines
# --------------------------------------------------------------------------


def _discipline_state(row: Discipline) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "form": row.form,
        "decided_on": row.decided_on.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else None,
        "decision_no": row.decision_no,
        "note": row.note,
    }


def create_discipline(
    session: Session,
    actor: Actor,
    *,
    person_id: int,
    form: str,
    decided_on: dt.date,
    effective_to: dt.date | None = None,
    decision_no: str = "",
    note: str = "",
) -> Discipline:
    """Record a disciplinary measure (officers, admins); it ends no earlier than decided."""
    _check_keeper(actor)
    person = _person(session, person_id)
    _one_of(form, DISCIPLINE_FORMS, "form")
    _past_date(decided_on, "decided_on")
    if effective_to is not None:
        if not isinstance(effective_to, dt.date) or isinstance(effective_to, dt.datetime):
            raise ValidationError("effective_to must be a date", {"effective_to": "not a date"})
        if effective_to < decided_on:
            raise ValidationError(
                "the measure cannot end before it was decided",
                {"effective_to": "before decided_on"},
            )
        if effective_to.year > MAX_YEAR:
            raise ValidationError(
                f"effective_to is after {MAX_YEAR}", {"effective_to": "out of range"}
            )
    row = Discipline(
        person_id=person.id,
        form=form,
        decided_on=decided_on,
        effective_to=effective_to,
        decision_no=_text(decision_no, "decision_no", MAX_DECISION_NO),
        note=_text(note, "note", MAX_NOTE),
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="discipline.create",
        entity="discipline",
        entity_id=row.id,
        summary=f"{form} for person {person.id} decided {decided_on.isoformat()}",
        after=_discipline_state(row),
    )
    return row


def list_disciplines(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    year: int | None = None,
) -> Select[tuple[Discipline]]:
    stmt = (
        select(Discipline)
        .options(selectinload(Discipline.person))
        .where(_people_clause(reach(session, actor), Discipline.person_id))
    )
    if person_id is not None:
        stmt = stmt.where(Discipline.person_id == person_id)
    if unit_id is not None:
        units = sorted(unit_and_descendants(session, unit_id))
        stmt = stmt.where(
            Discipline.person_id.in_(select(Person.id).where(Person.unit_id.in_(units)))
        )
    if year is not None:
        stmt = stmt.where(extract("year", Discipline.decided_on) == year)
    return stmt.order_by(Discipline.decided_on.desc(), Discipline.id.desc())


# --------------------------------------------------------------------------
# Pending cases
# --------------------------------------------------------------------------


def _case_state(row: PendingCase) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "unit_id": row.unit_id,
        "kind": row.kind,
        "opened_on": row.opened_on.isoformat(),
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
        "note": row.note,
    }


def _loaded_cases() -> Select[tuple[PendingCase]]:
    return select(PendingCase).options(
        selectinload(PendingCase.person), selectinload(PendingCase.unit)
    )


def get_case(session: Session, case_id: int) -> PendingCase:
    found = None
    if _id_ok(case_id):
        found = session.scalar(_loaded_cases().where(PendingCase.id == case_id))
    if found is None:
        raise NotFound(f"no case {case_id}", {"id": "unknown"})
    return found


def open_case(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    opened_on: dt.date,
    person_id: int | None = None,
    unit_id: int | None = None,
    note: str = "",
) -> PendingCase:
    """Record an open review, investigation, inspection, complaint or press report (officers,
    admins): while it is open the rules block any proposal for its subject."""
    _check_keeper(actor)
    person, unit = _subject(session, person_id, unit_id)
    _one_of(kind, CASE_KINDS, "kind")
    _past_date(opened_on, "opened_on")
    row = PendingCase(
        person_id=person.id if person is not None else None,
        unit_id=unit.id if unit is not None else None,
        kind=kind,
        opened_on=opened_on,
        note=_text(note, "note", MAX_NOTE),
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="case.open",
        entity="pending_case",
        entity_id=row.id,
        summary=f"{kind} opened {opened_on.isoformat()} for "
        + (f"person {row.person_id}" if row.person_id else f"unit {row.unit_id}"),
        after=_case_state(row),
    )
    return row


def close_case(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    closed_on: dt.date | None = None,
    note: str = "",
) -> PendingCase:
    """Close a case once (officers, admins), on a day between its opening and today (today when
    not given); a note is added below the case's own. 409 when already closed."""
    _check_keeper(actor)
    note = _text(note, "note", MAX_NOTE)
    row = _get(session, PendingCase, case_id, "case", lock=True)
    if row.closed_on is not None:
        raise Conflict(
            f"case {row.id} was closed on {row.closed_on.isoformat()}",
            {"closed_on": "already closed"},
        )
    day = _past_date(closed_on or clock.today(), "closed_on")
    assert day is not None
    if day < row.opened_on:
        raise ValidationError(
            f"the case opened on {row.opened_on.isoformat()}: it cannot close before",
            {"closed_on": "before opened_on"},
        )
    if len(row.note) + len(note) + 1 > MAX_NOTE * 2:
        raise ValidationError("the case's note is full", {"note": "too long"})
    before = _case_state(row)
    row.closed_on = day
    if note:
        row.note = f"{row.note}\n{note}" if row.note else note
    session.flush()
    record(
        session,
        actor=actor,
        action="case.close",
        entity="pending_case",
        entity_id=row.id,
        summary=f"{row.kind} closed {day.isoformat()}",
        before=before,
        after=_case_state(row),
    )
    return get_case(session, row.id)


def list_cases(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    year: int | None = None,
    open_only: bool = False,
) -> Select[tuple[PendingCase]]:
    """Cases `actor` may see; `year` keeps those open at some time in the year."""
    stmt = _loaded_cases().where(_subject_clause(reach(session, actor), PendingCase))
    stmt = _filter_subject(session, stmt, PendingCase, person_id, unit_id)
    if year is not None:
        stmt = stmt.where(
            PendingCase.opened_on <= dt.date(year, 12, 31),
            or_(PendingCase.closed_on.is_(None), PendingCase.closed_on >= dt.date(year, 1, 1)),
        )
    if open_only:
        stmt = stmt.where(PendingCase.closed_on.is_(None))
    return stmt.order_by(PendingCase.opened_on.desc(), PendingCase.id.desc())


# --------------------------------------------------------------------------
# Attestations
# --------------------------------------------------------------------------


def _attestation_state(row: Attestation) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "unit_id": row.unit_id,
        "year": row.year,
        "criterion": row.criterion,
        "holds": row.holds,
        "note": row.note,
        "attested_by_email": row.attested_by_email,
    }


def attest(
    session: Session,
    actor: Actor,
    *,
    year: int,
    criterion: str,
    holds: bool = True,
    person_id: int | None = None,
    unit_id: int | None = None,
    note: str = "",
) -> Attestation:
    """Attest (or deny) a qualitative criterion for a subject and year, in `actor`'s name.
    Attesting the same criterion again replaces the earlier word (the audit keeps both).

    Officers and administrators for anyone; heads for their units' people and units; nobody
    for themselves (403 naming `person_id` or `unit_id`)."""
    if not actor.has_role(*ATTEST_ROLES):
        raise PermissionDenied(
            "qualitative criteria are attested by heads, officers and administrators",
            {"role": "missing"},
        )
    person, unit = _subject(session, person_id, unit_id)
    _year(year)
    if year > clock.today().year:
        raise ValidationError(f"{year} has not begun", {"year": "in the future"})
    if not isinstance(criterion, str) or not CRITERION_PATTERN.match(criterion):
        raise ValidationError(
            "a criterion is a code of lower-case letters, digits and _ (at most 40)",
            {"criterion": "invalid code"},
        )
    note = _text(note, "note", MAX_NOTE)
    if not may_attest(session, actor, person, unit_id):
        field = "person_id" if person is not None else "unit_id"
        own = person is not None and actor.id is not None and person.user_id == actor.id
        raise PermissionDenied(
            "nobody attests for themselves"
            if own
            else "heads attest for the people and units they head",
            {field: "your own record" if own else "outside your units"},
        )
    subject = (
        Attestation.person_id == person.id if person is not None else Attestation.unit_id == unit_id
    )
    row = session.scalar(
        select(Attestation)
        .where(subject, Attestation.year == year, Attestation.criterion == criterion)
        .with_for_update()
    )
    before = _attestation_state(row) if row is not None else None
    if row is None:
        row = Attestation(
            person_id=person.id if person is not None else None,
            unit_id=unit.id if unit is not None else None,
            year=year,
            criterion=criterion,
        )
        session.add(row)
    row.holds = bool(holds)
    row.note = note
    row.attested_by_id = actor.id
    row.attested_by_email = getattr(actor, "email", None) or "system"
    if before is not None:
        row.attested_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="attestation.replace" if before is not None else "attestation.create",
        entity="attestation",
        entity_id=row.id,
        summary=f"{criterion} {year} {'holds' if row.holds else 'does not hold'} for "
        + (f"person {row.person_id}" if row.person_id else f"unit {row.unit_id}"),
        before=before,
        after=_attestation_state(row),
    )
    return row


def list_attestations(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    unit_id: int | None = None,
    year: int | None = None,
) -> Select[tuple[Attestation]]:
    stmt = (
        select(Attestation)
        .options(selectinload(Attestation.person), selectinload(Attestation.unit))
        .where(_subject_clause(reach(session, actor), Attestation))
    )
    stmt = _filter_subject(session, stmt, Attestation, person_id, unit_id)
    if year is not None:
        stmt = stmt.where(Attestation.year == year)
    return stmt.order_by(Attestation.year.desc(), Attestation.criterion, Attestation.id)


# --------------------------------------------------------------------------
# A person's whole record (for the page)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    ratings: list[QualityRating]
    awards: list[Award]
    initiatives: list[Initiative]
    awards_by_initiative: dict[int, list[Award]]
    disciplines: list[Discipline]
    cases: list[PendingCase]
    attestations: list[Attestation]

    def share_of(self, initiative: Initiative) -> float | None:
        for author in initiative.authors:
            if author.person_id == self.person.id:
                return author.share
        return None


def person_record(session: Session, actor: Actor, person_id: int) -> PersonRecord:
    """Everything the rules read about a person, when `actor` may read it."""
    person = read_person(session, actor, person_id)
    ratings = list(
        session.scalars(
            select(QualityRating)
            .where(QualityRating.person_id == person.id)
            .options(selectinload(QualityRating.decided_by))
            .order_by(QualityRating.year.desc())
        )
    )
    initiatives = list(
        session.scalars(
            list_initiatives(session, actor, person_id=person.id).execution_options(
                populate_existing=True
            )
        )
    )
    return PersonRecord(
        person=person,
        ratings=ratings,
        awards=list(session.scalars(list_awards(session, actor, person_id=person.id))),
        initiatives=initiatives,
        awards_by_initiative=awards_using(session, [i.id for i in initiatives]),
        disciplines=list(session.scalars(list_disciplines(session, actor, person_id=person.id))),
        cases=list(session.scalars(list_cases(session, actor, person_id=person.id))),
        attestations=list(session.scalars(list_attestations(session, actor, person_id=person.id))),
    )


def own_person(session: Session, actor: Actor) -> Person | None:
    return person_of_user(session, actor.id) if actor.id is not None else None


def titles(session: Session) -> list[Title]:
    return list(session.scalars(select(Title).order_by(Title.subject.desc(), Title.id)))


def with_awards(session: Session, initiatives: Sequence[Initiative]) -> Sequence[Initiative]:
    """The initiatives, each given `used_by`: the awards that used it (for the API's answer)."""
    used = awards_using(session, [i.id for i in initiatives])
    for row in initiatives:
        setattr(row, "used_by", used.get(row.id, []))  # noqa: B010  not a mapped column
    return initiatives
