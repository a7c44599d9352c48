"""The facts the title rules read, loaded from the records: mapped exactly, cut off at the
evaluation day, revoked awards kept and marked, a unit's members."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from emulation import fact_loader, records
from emulation.commendation_models import Award
from emulation.subject_facts import (
    AttestationFact,
    AwardFact,
    CaseFact,
    DisciplineFact,
    InitiativeFact,
    MemberFacts,
    SubjectFacts,
)
from lis import clock
from lis.errors import NotFound
from tests.emulation.helpers import person
from tests.emulation.records.helpers import SYSTEM, award, initiative, rating
from tests.factories import unit_by_code

ON = dt.date(2025, 6, 30)


def test_a_persons_facts_are_mapped_exactly(db_session: Any) -> None:
    a, b = person(), person()
    r23 = rating(db_session, a, 2023, "excellent")
    r24 = rating(db_session, a, 2024, "good")
    rating(db_session, a, 2025, None)  # suggested, not decided: no fact
    i1 = initiative(db_session, [(a, 0.4), (b, 0.6)], on=dt.date(2023, 9, 1), scope="na_agencies")
    i2 = initiative(db_session, [(a, 1.0)], on=dt.date(2024, 4, 2), applied_effectively=False)
    initiative(db_session, [(b, 1.0)], on=dt.date(2024, 4, 2))  # not theirs
    w1 = award(
        db_session,
        "CSTDCS",
        2023,
        who=a,
        basis="initiative",
        initiative_ids=[i1.id],
        decision_date=dt.date(2024, 1, 15),
    )
    w2 = award(db_session, "LDTT", 2024, who=a, kind="thematic", initiative_ids=[i2.id, i1.id])
    d = records.create_discipline(
        db_session,
        SYSTEM,
        person_id=a.id,
        form="reprimand",
        decided_on=dt.date(2022, 3, 1),
        effective_to=dt.date(2023, 3, 1),
    )
    c = records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="complaint", opened_on=dt.date(2025, 1, 2)
    )
    t = records.attest(db_session, SYSTEM, person_id=a.id, year=2024, criterion="solidarity")
    n = records.attest(
        db_session, SYSTEM, person_id=a.id, year=2024, criterion="outstanding", holds=False
    )
    for row in (t, n):
        row.attested_at = dt.datetime(2025, 1, 5, 2, 0)
    db_session.flush()

    got = fact_loader.load_person(db_session, a.id, ON)

    assert got == SubjectFacts(
        kind="person",
        subject_id=a.id,
        ratings={2023: "excellent", 2024: "good"},
        rating_ids={2023: r23.id, 2024: r24.id},
        awards=(
            AwardFact(w1.id, "CSTDCS", 2023, "initiative", "regular", False, (i1.id,)),
            AwardFact(
                w2.id, "LDTT", 2024, "other", "thematic", False, tuple(sorted([i1.id, i2.id]))
            ),
        ),
        initiatives=(
            InitiativeFact(i1.id, dt.date(2023, 9, 1), "na_agencies", True, 0.4),
            InitiativeFact(i2.id, dt.date(2024, 4, 2), "grassroots", False, 1.0),
        ),
        disciplines=(DisciplineFact(d.id, "reprimand", dt.date(2022, 3, 1), dt.date(2023, 3, 1)),),
        cases=(CaseFact(c.id, "complaint", dt.date(2025, 1, 2), None),),
        attestations={
            (2024, "solidarity"): AttestationFact(t.id, "solidarity", True, "system"),
            (2024, "outstanding"): AttestationFact(n.id, "outstanding", False, "system"),
        },
    )


def test_an_attestation_names_who_gave_it(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    a = person("UB-PLTP-V")
    records.attest(db_session, head, person_id=a.id, year=2024, criterion="exemplary")
    got = fact_loader.load_person(db_session, a.id, clock.today())
    assert got.attestations[(2024, "exemplary")].by == head.email


def test_facts_after_the_day_are_left_out(db_session: Any) -> None:
    a = person()
    rating(db_session, a, 2024, "excellent", decided_at=dt.datetime(2025, 1, 10))
    rating(db_session, a, 2023, "good", decided_at=dt.datetime(2024, 1, 10))
    before = initiative(db_session, [(a, 1.0)], on=dt.date(2024, 12, 31))
    initiative(db_session, [(a, 1.0)], on=dt.date(2025, 1, 1))
    dated = award(db_session, "LDTT", 2023, who=a, decision_date=dt.date(2024, 1, 1))
    award(db_session, "CSTDCS", 2023, who=a, decision_date=dt.date(2025, 1, 1))
    undated = award(db_session, "LDTT", 2024, who=a)  # no decision date: its year counts
    award(db_session, "LDTT", 2025, who=a)
    records.create_discipline(
        db_session, SYSTEM, person_id=a.id, form="warning", decided_on=dt.date(2025, 1, 1)
    )
    open_then = records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="inspection", opened_on=dt.date(2024, 6, 1)
    )
    records.close_case(db_session, SYSTEM, open_then.id, closed_on=dt.date(2025, 2, 1))
    records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="complaint", opened_on=dt.date(2025, 1, 1)
    )
    early = records.attest(db_session, SYSTEM, person_id=a.id, year=2024, criterion="solidarity")
    late = records.attest(db_session, SYSTEM, person_id=a.id, year=2024, criterion="exemplary")
    early.attested_at = dt.datetime(2024, 12, 31, 16, 59)  # 23:59 in Ha Noi: still 31 December
    late.attested_at = dt.datetime(2024, 12, 31, 17, 0)  # 00:00 on 1 January in Ha Noi
    db_session.flush()

    got = fact_loader.load_person(db_session, a.id, dt.date(2024, 12, 31))

    assert got.ratings == {2023: "good"}
    assert [i.id for i in got.initiatives] == [before.id]
    assert [w.id for w in got.awards] == [dated.id, undated.id]
    assert got.disciplines == ()
    assert got.cases == (CaseFact(open_then.id, "inspection", dt.date(2024, 6, 1), None),)
    assert list(got.attestations) == [(2024, "solidarity")]

    later = fact_loader.load_person(db_session, a.id, dt.date(2025, 2, 1))
    assert later.ratings == {2023: "good", 2024: "excellent"}
    assert len(later.initiatives) == 2 and len(later.awards) == 4 and len(later.disciplines) == 1
    assert later.cases[0].closed_on == dt.date(2025, 2, 1) and later.cases[1].closed_on is None
    assert set(later.attestations) == {(2024, "solidarity"), (2024, "exemplary")}


def test_revoked_awards_are_kept_and_marked(db_session: Any) -> None:
    a = person()
    kept = award(db_session, "CSTDCS", 2023, who=a, basis="excellent")
    gone = award(db_session, "CSTDCS", 2024, who=a, basis="excellent")
    records.revoke_award(db_session, SYSTEM, gone.id, "kê khai không trung thực")
    row = db_session.get(Award, gone.id)
    row.revoked_at = dt.datetime(2025, 3, 1, 3, 0)
    db_session.flush()

    got = fact_loader.load_person(db_session, a.id, dt.date(2025, 3, 1))
    assert [(w.id, w.revoked) for w in got.awards] == [(kept.id, False), (gone.id, True)]
    # On a day before the revocation, the award stood.
    before = fact_loader.load_person(db_session, a.id, dt.date(2025, 2, 28))
    assert [(w.id, w.revoked) for w in before.awards] == [(kept.id, False), (gone.id, False)]


def test_a_units_members_are_its_own_active_people(db_session: Any) -> None:
    unit = unit_by_code("UB-PLTP")
    calm = person("UB-PLTP")
    warned = person("UB-PLTP")
    titled = person("UB-PLTP")
    person("UB-PLTP", active=False)  # gone: not a member
    below = person("UB-PLTP-V")  # a sub-unit's: not a member
    rating(db_session, calm, 2024, "good")
    rating(db_session, warned, 2024, "completed")
    rating(db_session, titled, 2024, "excellent")
    rating(db_session, titled, 2023, "good")
    rating(db_session, below, 2024, "excellent")
    award(db_session, "LDTT", 2024, who=titled)
    award(db_session, "CSTDCS", 2024, who=titled)
    award(db_session, "LDTT", 2023, who=titled)  # another year
    gone = award(db_session, "GK", 2024, who=titled)
    records.revoke_award(db_session, SYSTEM, gone.id, "sai")
    gone.revoked_at = dt.datetime(2025, 1, 2)  # revoked before the day of evaluation
    for form, day in (("reprimand", dt.date(2024, 2, 1)), ("warning", dt.date(2024, 8, 1))):
        records.create_discipline(
            db_session, SYSTEM, person_id=warned.id, form=form, decided_on=day
        )
    # Decided the year before and in effect into the year: counts too.
    records.create_discipline(
        db_session,
        SYSTEM,
        person_id=calm.id,
        form="reprimand",
        decided_on=dt.date(2023, 6, 1),
        effective_to=dt.date(2024, 6, 1),
    )
    # Decided the year before, ended before it: does not.
    records.create_discipline(
        db_session,
        SYSTEM,
        person_id=titled.id,
        form="demotion",
        decided_on=dt.date(2022, 6, 1),
        effective_to=dt.date(2023, 6, 1),
    )
    unit_award = award(db_session, "TTLDTT", 2023, unit="UB-PLTP")
    case = records.open_case(
        db_session, SYSTEM, unit_id=unit.id, kind="inspection", opened_on=dt.date(2025, 1, 3)
    )
    att = records.attest(
        db_session, SYSTEM, unit_id=unit.id, year=2024, criterion="collective_emulation"
    )
    att.attested_at = dt.datetime(2025, 1, 3)
    db_session.flush()

    got = fact_loader.load_unit(db_session, unit.id, 2024, ON)

    assert got.kind == "unit" and got.subject_id == unit.id
    assert got.ratings == {} and got.initiatives == () and got.disciplines == ()
    assert got.awards == (AwardFact(unit_award.id, "TTLDTT", 2023, "other", "regular", False),)
    assert got.cases == (CaseFact(case.id, "inspection", dt.date(2025, 1, 3), None),)
    assert got.attestations == {
        (2024, "collective_emulation"): AttestationFact(
            att.id, "collective_emulation", True, "system"
        )
    }
    assert got.members == {
        calm.id: MemberFacts(calm.id, "good", (), "reprimand"),
        warned.id: MemberFacts(warned.id, "completed", (), "warning"),
        titled.id: MemberFacts(titled.id, "excellent", ("CSTDCS", "LDTT"), None),
    }


def test_a_units_members_are_cut_off_too(db_session: Any) -> None:
    unit = unit_by_code("UB-KTTC-V")
    a = person("UB-KTTC-V")
    rating(db_session, a, 2024, "good", decided_at=dt.datetime(2025, 1, 20))
    award(db_session, "LDTT", 2024, who=a, decision_date=dt.date(2025, 1, 20))
    records.create_discipline(
        db_session, SYSTEM, person_id=a.id, form="warning", decided_on=dt.date(2024, 12, 1)
    )
    early = fact_loader.load_unit(db_session, unit.id, 2024, dt.date(2024, 11, 30))
    assert early.members == {a.id: MemberFacts(a.id, None, (), None)}
    late = fact_loader.load_unit(db_session, unit.id, 2024, dt.date(2025, 1, 20))
    assert late.members == {a.id: MemberFacts(a.id, "good", ("LDTT",), "warning")}


def test_unknown_subjects_are_404(db_session: Any) -> None:
    with pytest.raises(NotFound):
        fact_loader.load_person(db_session, 2**31 - 1, ON)
    with pytest.raises(NotFound):
        fact_loader.load_unit(db_session, 2**31 - 1, 2024, ON)
