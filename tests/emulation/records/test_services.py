"""The records' services on a real database: each rule, the field each refusal names, who may
do what, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from emulation import records
from emulation.commendation_models import Attestation, Award
from lis import clock
from lis.audit.models import AuditEvent
from lis.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from tests.emulation.helpers import person
from tests.emulation.records.helpers import DAY, SYSTEM, award, initiative
from tests.factories import unit_by_code

TOMORROW = clock.today() + dt.timedelta(days=1)


def events(db_session: Any, action: str, entity_id: int) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def refused(exc_type: type[DomainError], field: str, call: Any, *args: Any, **kw: Any) -> str:
    """Call and expect `exc_type` naming `field`; return the reason given for it."""
    with pytest.raises(exc_type) as info:
        call(*args, **kw)
    assert field in info.value.fields, info.value.fields
    return str(info.value.fields[field])


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member("officer")


# --------------------------------------------------------------------------
# Initiatives
# --------------------------------------------------------------------------


def _values(**kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Sáng kiến",
        "recognized_by_unit_id": unit_by_code("UB-PLTP").id,
        "recognized_on": DAY,
        "scope": "grassroots",
        "authors": [],
    }
    values.update(kw)
    return values


def test_an_initiative_keeps_its_authors_and_shares(db_session: Any, officer: Any) -> None:
    a, b = person(), person()
    row = records.create_initiative(
        db_session,
        officer,
        **_values(
            authors=[{"person_id": a.id, "share": 0.6}, {"person_id": b.id, "share": 0.4}],
            decision_no="12/QĐ",
            summary="  Tóm tắt  ",
        ),
    )
    assert {(x.person_id, x.share) for x in row.authors} == {(a.id, 0.6), (b.id, 0.4)}
    assert row.summary == "Tóm tắt" and row.created_by_id == officer.id
    (event,) = events(db_session, "initiative.create", row.id)
    assert event.after["authors"] == sorted(
        [{"person_id": a.id, "share": 0.6}, {"person_id": b.id, "share": 0.4}],
        key=lambda x: x["person_id"],
    )
    assert event.actor_email == officer.email


def test_shares_that_sum_to_one_exactly_pass(db_session: Any, officer: Any) -> None:
    people = [person() for _ in range(3)]
    shares = [0.1, 0.2, 0.7]  # 1.0000000000000002 in floating point
    row = records.create_initiative(
        db_session,
        officer,
        **_values(
            authors=[{"person_id": p.id, "share": s} for p, s in zip(people, shares, strict=True)]
        ),
    )
    assert len(row.authors) == 3


@pytest.mark.parametrize(
    ("shares", "reason"),
    [
        ([0.0], "not in (0, 1]"),
        ([-0.5], "not in (0, 1]"),
        ([1.5], "not in (0, 1]"),
        ([float("nan")], "not in (0, 1]"),
        ([float("inf")], "not in (0, 1]"),
        ([0.7, 0.5], "sum to 1.2"),
        ([1.0, 0.01], "sum to 1.01"),
    ],
)
def test_bad_shares_name_the_authors(
    db_session: Any, officer: Any, shares: list[float], reason: str
) -> None:
    authors = [{"person_id": person().id, "share": s} for s in shares]
    got = refused(
        ValidationError,
        "authors",
        records.create_initiative,
        db_session,
        officer,
        **_values(authors=authors),
    )
    assert reason in got


def test_authors_are_required_known_and_named_once(db_session: Any, officer: Any) -> None:
    a = person()
    assert "required" in refused(
        ValidationError, "authors", records.create_initiative, db_session, officer, **_values()
    )
    twice = [{"person_id": a.id, "share": 0.5}, {"person_id": a.id, "share": 0.5}]
    assert "twice" in refused(
        ValidationError,
        "authors",
        records.create_initiative,
        db_session,
        officer,
        **_values(authors=twice),
    )
    for bad in (2**31 - 1, 0, 2**40, "1"):
        assert "unknown" in refused(
            ValidationError,
            "authors",
            records.create_initiative,
            db_session,
            officer,
            **_values(authors=[{"person_id": bad, "share": 1}]),
        )
    many = [{"person_id": a.id, "share": 0.01}] * (records.MAX_AUTHORS + 1)
    refused(
        ValidationError,
        "authors",
        records.create_initiative,
        db_session,
        officer,
        **_values(authors=many),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recognized_on": TOMORROW}, "recognized_on"),
        ({"recognized_on": dt.date(1989, 12, 31)}, "recognized_on"),
        ({"recognized_on": None}, "recognized_on"),
        ({"scope": "planetary"}, "scope"),
        ({"recognized_by_unit_id": 2**31 - 1}, "recognized_by_unit_id"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"summary": "x" * 5001}, "summary"),
        ({"decision_no": "x" * 121}, "decision_no"),
    ],
)
def test_bad_initiative_fields_are_named(
    db_session: Any, officer: Any, change: dict[str, Any], field: str
) -> None:
    values = _values(authors=[{"person_id": person().id, "share": 1}], **change)
    refused(ValidationError, field, records.create_initiative, db_session, officer, **values)


@pytest.mark.parametrize("role", ["head", "council", "staff", "deputy"])
def test_only_keepers_write_initiatives(db_session: Any, make_member: Any, role: str) -> None:
    actor = make_member(role)
    values = _values(authors=[{"person_id": person().id, "share": 1}])
    refused(PermissionDenied, "role", records.create_initiative, db_session, actor, **values)


def test_update_replaces_authors_and_is_audited(db_session: Any, officer: Any) -> None:
    a, b, c = person(), person(), person()
    row = initiative(db_session, [(a, 0.5), (b, 0.5)])
    records.update_initiative(
        db_session,
        officer,
        row.id,
        **_values(
            title="Đổi tên",
            scope="na_agencies",
            authors=[{"person_id": a.id, "share": 0.3}, {"person_id": c.id, "share": 0.7}],
        ),
    )
    fresh = records.get_initiative(db_session, row.id)
    assert fresh.title == "Đổi tên" and fresh.scope == "na_agencies"
    assert {(x.person_id, x.share) for x in fresh.authors} == {(a.id, 0.3), (c.id, 0.7)}
    (event,) = events(db_session, "initiative.update", row.id)
    assert event.before["title"] == "Sáng kiến thử nghiệm" and event.after["title"] == "Đổi tên"
    assert {x["person_id"] for x in event.before["authors"]} == {a.id, b.id}


def test_an_author_whose_award_used_it_stays(db_session: Any, officer: Any) -> None:
    a, b = person(), person()
    row = initiative(db_session, [(a, 0.5), (b, 0.5)])
    used = award(db_session, "CSTDCS", 2025, who=b, basis="initiative", initiative_ids=[row.id])
    only_a = _values(authors=[{"person_id": a.id, "share": 1}])
    reason = refused(
        Conflict, "authors", records.update_initiative, db_session, officer, row.id, **only_a
    )
    assert f"award {used.id}" in reason
    records.revoke_award(db_session, officer, used.id, "sai sót hồ sơ")
    records.update_initiative(db_session, officer, row.id, **only_a)  # a revoked award does not
    assert [x.person_id for x in records.get_initiative(db_session, row.id).authors] == [a.id]


def test_update_of_an_unknown_initiative_is_404(db_session: Any, officer: Any) -> None:
    for missing in (0, 2**31 - 1, 2**40):
        with pytest.raises(NotFound):
            records.update_initiative(db_session, officer, missing, **_values())


# --------------------------------------------------------------------------
# Awards
# --------------------------------------------------------------------------


def test_an_award_keeps_its_initiatives_and_is_audited(db_session: Any, officer: Any) -> None:
    a = person()
    first = initiative(db_session, [(a, 1.0)])
    second = initiative(db_session, [(a, 0.5), (person(), 0.5)])
    row = records.create_award(
        db_session,
        officer,
        person_id=a.id,
        title_code="CSTDCS",
        year=2025,
        basis="initiative",
        decision_no="15/QĐ-VPQH",
        decision_date=dt.date(2025, 12, 1),
        initiative_ids=[first.id, second.id],
    )
    assert {i.id for i in row.initiatives} == {first.id, second.id}
    assert records.awards_using(db_session, [first.id, second.id]) == {
        first.id: [row],
        second.id: [row],
    }
    (event,) = events(db_session, "award.create", row.id)
    assert event.after["initiative_ids"] == sorted([first.id, second.id])
    assert event.after["title_code"] == "CSTDCS" and event.after["revoked"] is False


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title_code": "NOPE"}, "title_code"),
        ({"title_code": "x" * 41}, "title_code"),
        ({"title_code": "TTLDTT"}, "title_code"),  # collective, given a person
        ({"year": 1989}, "year"),
        ({"year": 2101}, "year"),
        ({"basis": "luck"}, "basis"),
        ({"kind": "secret"}, "kind"),
        ({"decision_no": "x" * 121}, "decision_no"),
        ({"decision_date": TOMORROW}, "decision_date"),
        ({"decision_date": dt.date(2024, 12, 31)}, "decision_date"),  # before the year 2025
        ({"initiative_ids": [2**31 - 1]}, "initiative_ids"),
        ({"initiative_ids": [0]}, "initiative_ids"),
        ({"initiative_ids": list(range(1, 52))}, "initiative_ids"),
    ],
)
def test_bad_award_fields_are_named(
    db_session: Any, officer: Any, kw: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"person_id": person().id, "title_code": "LDTT", "year": 2025}
    values.update(kw)
    refused(ValidationError, field, records.create_award, db_session, officer, **values)


def test_an_award_fits_its_subject(db_session: Any, officer: Any) -> None:
    unit_id = unit_by_code("UB-PLTP-V").id
    refused(
        ValidationError,
        "title_code",
        records.create_award,
        db_session,
        officer,
        unit_id=unit_id,
        title_code="LDTT",
        year=2025,
    )
    for kw in ({}, {"person_id": person().id, "unit_id": unit_id}):
        refused(
            ValidationError,
            "person_id",
            records.create_award,
            db_session,
            officer,
            title_code="LDTT",
            year=2025,
            **kw,
        )
    refused(
        ValidationError,
        "unit_id",
        records.create_award,
        db_session,
        officer,
        unit_id=2**31 - 1,
        title_code="TTLDTT",
        year=2025,
    )
    row = records.create_award(db_session, officer, unit_id=unit_id, title_code="TTLDTT", year=2025)
    assert row.unit_id == unit_id and row.person_id is None


def test_a_persons_award_uses_only_their_initiatives(db_session: Any, officer: Any) -> None:
    a, b = person(), person()
    theirs = initiative(db_session, [(b, 1.0)])
    reason = refused(
        ValidationError,
        "initiative_ids",
        records.create_award,
        db_session,
        officer,
        person_id=a.id,
        title_code="CSTDCS",
        year=2025,
        initiative_ids=[theirs.id],
    )
    assert "not an author" in reason
    refused(
        ValidationError,
        "initiative_ids",
        records.create_award,
        db_session,
        officer,
        person_id=b.id,
        title_code="CSTDCS",
        year=2025,
        initiative_ids=[theirs.id, theirs.id],
    )
    # A collective's award may cite its members' initiatives.
    unit_award = records.create_award(
        db_session,
        officer,
        unit_id=b.unit_id,
        title_code="TTLDXS",
        year=2025,
        initiative_ids=[theirs.id],
    )
    assert [i.id for i in unit_award.initiatives] == [theirs.id]


def test_one_live_award_per_subject_title_and_year(db_session: Any, officer: Any) -> None:
    a = person()
    first = award(db_session, "LDTT", 2025, who=a)
    reason = refused(
        Conflict,
        "title_code",
        records.create_award,
        db_session,
        officer,
        person_id=a.id,
        title_code="LDTT",
        year=2025,
    )
    assert str(first.id) in reason
    award(db_session, "LDTT", 2024, who=a)  # another year
    award(db_session, "CSTDCS", 2025, who=a)  # another title
    award(db_session, "LDTT", 2025, who=person())  # another person
    records.revoke_award(db_session, officer, first.id, "hồ sơ không trung thực")
    again = award(db_session, "LDTT", 2025, who=a)
    assert again.id != first.id


def test_revoking_keeps_the_row_with_reason_and_time(db_session: Any, officer: Any) -> None:
    row = award(db_session, "LDTT", 2025, who=person())
    refused(ValidationError, "reason", records.revoke_award, db_session, officer, row.id, "  ")
    refused(
        ValidationError, "reason", records.revoke_award, db_session, officer, row.id, "x" * 2001
    )
    records.revoke_award(db_session, officer, row.id, " kê khai không đúng ")
    fresh = records.get_award(db_session, row.id)
    assert fresh.revoked and fresh.revoked_reason == "kê khai không đúng"
    assert fresh.revoked_at is not None
    assert db_session.scalar(select(func.count()).select_from(Award).where(Award.id == row.id))
    refused(Conflict, "id", records.revoke_award, db_session, officer, row.id, "lần nữa")
    (event,) = events(db_session, "award.revoke", row.id)
    assert event.before["revoked"] is False and event.after["revoked"] is True
    assert event.after["revoked_reason"] == "kê khai không đúng"
    with pytest.raises(NotFound):
        records.revoke_award(db_session, officer, 2**31 - 1, "x")


@pytest.mark.parametrize("role", ["head", "council", "staff"])
def test_only_keepers_write_awards(db_session: Any, make_member: Any, role: str) -> None:
    actor = make_member(role)
    a = person()
    refused(
        PermissionDenied,
        "role",
        records.create_award,
        db_session,
        actor,
        person_id=a.id,
        title_code="LDTT",
        year=2025,
    )
    row = award(db_session, "LDTT", 2025, who=a)
    refused(PermissionDenied, "role", records.revoke_award, db_session, actor, row.id, "x")


# --------------------------------------------------------------------------
# Disciplines and cases
# --------------------------------------------------------------------------


def test_a_discipline_is_recorded_and_audited(db_session: Any, officer: Any) -> None:
    a = person()
    row = records.create_discipline(
        db_session,
        officer,
        person_id=a.id,
        form="warning",
        decided_on=dt.date(2024, 5, 1),
        effective_to=dt.date(2025, 5, 1),
        decision_no="3/QĐ",
    )
    (event,) = events(db_session, "discipline.create", row.id)
    assert event.after["form"] == "warning" and event.after["effective_to"] == "2025-05-01"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"form": "flogging"}, "form"),
        ({"decided_on": TOMORROW}, "decided_on"),
        ({"decided_on": dt.date(1980, 1, 1)}, "decided_on"),
        ({"effective_to": dt.date(2024, 4, 30)}, "effective_to"),
        ({"effective_to": dt.date(2200, 1, 1)}, "effective_to"),
        ({"person_id": 2**31 - 1}, "person_id"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_discipline_fields_are_named(
    db_session: Any, officer: Any, kw: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "person_id": person().id,
        "form": "reprimand",
        "decided_on": dt.date(2024, 5, 1),
    }
    values.update(kw)
    refused(ValidationError, field, records.create_discipline, db_session, officer, **values)


def test_a_case_closes_once(db_session: Any, officer: Any) -> None:
    row = records.open_case(
        db_session,
        officer,
        person_id=person().id,
        kind="complaint",
        opened_on=dt.date(2025, 2, 1),
        note="đơn thư",
    )
    assert row.closed_on is None
    refused(
        ValidationError,
        "closed_on",
        records.close_case,
        db_session,
        officer,
        row.id,
        closed_on=dt.date(2025, 1, 31),
    )
    refused(
        ValidationError,
        "closed_on",
        records.close_case,
        db_session,
        officer,
        row.id,
        closed_on=TOMORROW,
    )
    closed = records.close_case(
        db_session, officer, row.id, closed_on=dt.date(2025, 6, 1), note="không có vi phạm"
    )
    assert closed.closed_on == dt.date(2025, 6, 1)
    assert closed.note == "đơn thư\nkhông có vi phạm"
    refused(Conflict, "closed_on", records.close_case, db_session, officer, row.id)
    (event,) = events(db_session, "case.close", row.id)
    assert event.before["closed_on"] is None and event.after["closed_on"] == "2025-06-01"
    assert len(events(db_session, "case.open", row.id)) == 1


def test_a_case_closes_today_by_default(db_session: Any, officer: Any) -> None:
    row = records.open_case(
        db_session,
        officer,
        unit_id=unit_by_code("UB-KTTC").id,
        kind="inspection",
        opened_on=dt.date(2025, 2, 1),
    )
    assert records.close_case(db_session, officer, row.id).closed_on == clock.today()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"opened_on": TOMORROW}, "opened_on"),
        ({"person_id": None}, "person_id"),
        ({"unit_id": 1}, "unit_id"),  # both subjects
    ],
)
def test_bad_case_fields_are_named(
    db_session: Any, officer: Any, kw: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "person_id": person().id,
        "kind": "investigation",
        "opened_on": dt.date(2025, 1, 1),
    }
    values.update(kw)
    refused(ValidationError, field, records.open_case, db_session, officer, **values)


# --------------------------------------------------------------------------
# Attestations
# --------------------------------------------------------------------------


def test_a_head_attests_for_their_units_people_by_name(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    a = person("UB-PLTP-V")  # in the department under the committee
    row = records.attest(
        db_session, head, person_id=a.id, year=2025, criterion="solidarity", note="đoàn kết"
    )
    assert row.holds and row.attested_by_email == head.email and row.attested_by_id == head.id
    (event,) = events(db_session, "attestation.create", row.id)
    assert event.after["attested_by_email"] == head.email
    unit_row = records.attest(
        db_session,
        head,
        unit_id=unit_by_code("UB-PLTP-V").id,
        year=2025,
        criterion="collective_emulation",
    )
    assert unit_row.unit_id == unit_by_code("UB-PLTP-V").id


def test_a_head_does_not_attest_outside_their_units(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP-V")
    above = person("UB-PLTP")  # the committee above the head's department
    elsewhere = person("UB-KTTC-V")
    for who in (above, elsewhere):
        assert (
            refused(
                PermissionDenied,
                "person_id",
                records.attest,
                db_session,
                head,
                person_id=who.id,
                year=2025,
                criterion="solidarity",
            )
            == "outside your units"
        )
    refused(
        PermissionDenied,
        "unit_id",
        records.attest,
        db_session,
        head,
        unit_id=unit_by_code("UB-PLTP").id,
        year=2025,
        criterion="solidarity",
    )


def test_nobody_attests_for_themselves(db_session: Any, make_member: Any) -> None:
    from lis.people.queries import person_of_user

    for role in ("head", "officer", "admin"):
        actor = make_member(role)
        me = person_of_user(db_session, actor.id)
        assert (
            refused(
                PermissionDenied,
                "person_id",
                records.attest,
                db_session,
                actor,
                person_id=me.id,
                year=2025,
                criterion="solidarity",
            )
            == "your own record"
        )


def test_officers_attest_for_anyone_and_others_not(db_session: Any, make_member: Any) -> None:
    officer = make_member("officer", unit="UB-KTTC")
    a = person("UB-PLTP-V")
    assert records.attest(db_session, officer, person_id=a.id, year=2025, criterion="outstanding")
    for role in ("council", "staff", "deputy"):
        refused(
            PermissionDenied,
            "role",
            records.attest,
            db_session,
            make_member(role),
            person_id=a.id,
            year=2025,
            criterion="outstanding",
        )


def test_attesting_again_replaces_the_word(db_session: Any, make_member: Any) -> None:
    first_head = make_member("head", unit="UB-PLTP")
    second_head = make_member("head", unit="UB-PLTP-V")
    a = person("UB-PLTP-V")
    row = records.attest(db_session, first_head, person_id=a.id, year=2025, criterion="exemplary")
    again = records.attest(
        db_session, second_head, person_id=a.id, year=2025, criterion="exemplary", holds=False
    )
    assert again.id == row.id and not again.holds and again.attested_by_email == second_head.email
    count = select(func.count()).select_from(Attestation).where(Attestation.person_id == a.id)
    assert db_session.scalar(count) == 1
    (event,) = events(db_session, "attestation.replace", row.id)
    assert event.before["holds"] is True and event.after["holds"] is False
    assert event.before["attested_by_email"] == first_head.email


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"criterion": "Solidarity"}, "criterion"),
        ({"criterion": ""}, "criterion"),
        ({"criterion": "x" * 41}, "criterion"),
        ({"criterion": "a b"}, "criterion"),
        ({"year": 1989}, "year"),
        ({"year": clock.today().year + 1}, "year"),
        ({"note": "x" * 2001}, "note"),
        ({"person_id": 2**31 - 1}, "person_id"),
    ],
)
def test_bad_attestation_fields_are_named(
    db_session: Any, officer: Any, kw: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"person_id": person().id, "year": 2025, "criterion": "solidarity"}
    values.update(kw)
    refused(ValidationError, field, records.attest, db_session, officer, **values)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def test_who_reads_which_records(db_session: Any, make_member: Any) -> None:
    staff = make_member("staff", unit="UB-PLTP-V")
    from lis.people.queries import person_of_user

    me = person_of_user(db_session, staff.id)
    colleague = person("UB-PLTP-V")
    stranger = person("UB-KTTC-V")
    mine = award(db_session, "LDTT", 2025, who=me)
    theirs = award(db_session, "LDTT", 2025, who=colleague)
    far = award(db_session, "LDTT", 2025, who=stranger)
    unit_award = award(db_session, "TTLDTT", 2025, unit="UB-PLTP-V")

    def ids(actor: Any, **kw: Any) -> set[int]:
        return {a.id for a in db_session.scalars(records.list_awards(db_session, actor, **kw))}

    everything = {mine.id, theirs.id, far.id, unit_award.id}
    assert everything <= ids(make_member("council"))
    assert ids(staff) == {mine.id}
    head = make_member("head", unit="UB-PLTP")
    assert ids(head) >= {mine.id, theirs.id, unit_award.id} and far.id not in ids(head)
    assert ids(head, unit_id=unit_by_code("UB-PLTP-V").id) == {mine.id, theirs.id, unit_award.id}
    assert ids(head, person_id=colleague.id) == {theirs.id}
    assert ids(make_member("officer"), year=2024) & everything == set()
    refused(PermissionDenied, "id", records.read_award, db_session, staff, theirs.id)
    assert records.read_award(db_session, staff, mine.id).id == mine.id
    refused(PermissionDenied, "role", records.list_awards, db_session, make_member("deputy"))
    refused(PermissionDenied, "id", records.read_person, db_session, staff, colleague.id)
    assert records.read_person(db_session, head, colleague.id).id == colleague.id


def test_initiatives_are_read_by_their_authors_and_heads(db_session: Any, make_member: Any) -> None:
    staff = make_member("staff", unit="UB-KTTC-V")
    from lis.people.queries import person_of_user

    me = person_of_user(db_session, staff.id)
    shared = initiative(db_session, [(me, 0.5), (person("UB-PLTP-V"), 0.5)])
    other = initiative(db_session, [(person("UB-PLTP-V"), 1.0)], on=dt.date(2024, 6, 1))
    stmt = records.list_initiatives(db_session, staff)
    assert [i.id for i in db_session.scalars(stmt)] == [shared.id]
    refused(PermissionDenied, "id", records.read_initiative, db_session, staff, other.id)
    head = make_member("head", unit="UB-PLTP")
    got = [i.id for i in db_session.scalars(records.list_initiatives(db_session, head, year=2024))]
    assert got == [other.id]
    by_unit = records.list_initiatives(db_session, head, unit_id=unit_by_code("UB-KTTC").id)
    assert [i.id for i in db_session.scalars(by_unit)] == [shared.id]


def test_a_persons_record_gathers_everything(db_session: Any, make_member: Any) -> None:
    a = person()
    used = initiative(db_session, [(a, 0.5), (person(), 0.5)])
    row = award(db_session, "CSTDCS", 2025, who=a, initiative_ids=[used.id])
    records.create_discipline(
        db_session, SYSTEM, person_id=a.id, form="reprimand", decided_on=dt.date(2023, 1, 5)
    )
    records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="complaint", opened_on=dt.date(2025, 1, 5)
    )
    records.attest(db_session, SYSTEM, person_id=a.id, year=2025, criterion="solidarity")
    got = records.person_record(db_session, make_member("council"), a.id)
    assert [x.id for x in got.awards] == [row.id]
    assert got.awards_by_initiative == {used.id: [row]}
    assert got.share_of(got.initiatives[0]) == 0.5
    assert len(got.disciplines) == len(got.cases) == len(got.attestations) == 1
