"""The nomination services: who may create and move what, the state machine, the dossier and
its checksums, overrides, the council's decision and the award, revocation, and the audit."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlalchemy import select, update

from emulation import nominations
from emulation.commendation_models import (
    NOMINATION_STATES,
    Award,
    DossierItem,
    Initiative,
    Nomination,
    PendingCase,
)
from lis.audit.models import AuditEvent
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.emulation.nominations.helpers import (
    FULL,
    PLAIN,
    WITH_INITIATIVE,
    YEAR,
    Cast,
    cast,
    doc,
    docx,
    draft,
    fill,
    jpg,
    member,
    pdf,
    png,
    report,
    someone,
    to_council,
    txt,
    zipped,
)
from tests.factories import unit_by_code


@pytest.fixture
def c(db_session: Any) -> Cast:
    return cast()


def audit(session: Any, n_id: int, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity == "nomination", AuditEvent.entity_id == str(n_id)
    )
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def force(session: Any, n: Nomination, state: str) -> Nomination:
    """Put a nomination in a state directly (the moves that lead there are tested apart)."""
    n.state = state
    session.flush()
    return n


# --------------------------------------------------------------------------
# Creating
# --------------------------------------------------------------------------


def test_a_head_nominates_a_person_of_their_unit(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c, summary="Nhiều đóng góp")
    assert n.state == "draft" and n.person_id == c.nominee.id and n.title_code == PLAIN
    assert n.proposed_by_unit.code == "UB-PLTP-V" and n.created_by_id == c.head.id
    assert [(e.from_state, e.to_state) for e in n.events] == [(None, "draft")]
    (event,) = audit(db_session, n.id, "create")
    assert event.after["state"] == "draft" and event.after["person_id"] == c.nominee.id


def test_a_head_nominates_their_unit_for_a_collective_title(db_session: Any, c: Cast) -> None:
    n = nominations.create(db_session, c.above, title="TTLDTT", year=YEAR, unit="UB-PLTP-V")
    assert n.unit.code == "UB-PLTP-V" and n.person_id is None


def test_heads_nominate_only_within_their_units(db_session: Any, c: Cast) -> None:
    with pytest.raises(PermissionDenied) as err:
        nominations.create(db_session, c.outsider, title=PLAIN, year=YEAR, person_id=c.nominee.id)
    assert err.value.fields == {"person_id": "outside your units"}
    with pytest.raises(PermissionDenied) as err:
        nominations.create(db_session, c.head, title="TTLDTT", year=YEAR, unit="UB-KTTC")
    assert err.value.fields == {"unit": "outside your units"}
    # The department's head cannot nominate the committee above it.
    with pytest.raises(PermissionDenied):
        nominations.create(db_session, c.head, title="TTLDTT", year=YEAR, unit="UB-PLTP")


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_officers_and_admins_nominate_anyone(db_session: Any, c: Cast, who: str) -> None:
    elsewhere = someone("UB-KTTC-V")
    n = nominations.create(
        db_session, getattr(c, who), title=PLAIN, year=YEAR, person_id=elsewhere.id
    )
    assert n.person_id == elsewhere.id


@pytest.mark.parametrize("who", ["staff", "council", "deputy"])
def test_others_do_not_nominate(db_session: Any, c: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied) as err:
        nominations.create(
            db_session, getattr(c, who), title=PLAIN, year=YEAR, person_id=c.nominee.id
        )
    assert err.value.fields == {"role": "missing"}


@pytest.mark.parametrize(
    ("kw", "field", "problem"),
    [
        ({"title": "NOPE"}, "title", "unknown"),
        ({"year": 1999}, "year", "out of range"),
        ({"year": 2101}, "year", "out of range"),
        ({"title": "TTLDTT"}, "person_id", "the title is for a unit"),
        ({"person_id": None, "unit": "UB-PLTP-V"}, "unit", "the title is for a person"),
        ({"person_id": None}, "person_id", "required"),
        ({"unit": "UB-PLTP-V"}, "person_id", "required"),
        ({"person_id": 2**31 - 1}, "person_id", "unknown"),
        ({"person_id": None, "title": "TTLDTT", "unit": "NOPE"}, "unit", "unknown"),
        ({"movement_id": 2**31 - 1}, "movement_id", "unknown"),
        ({"summary": "x" * 5001}, "summary", "too long"),
        ({"summary": "a\x00b"}, "summary", "invalid characters"),
    ],
)
def test_bad_input_names_the_field(
    db_session: Any, c: Cast, kw: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as err:
        draft(db_session, c, **kw)
    assert err.value.fields == {field: problem}


def test_one_live_nomination_per_subject_title_and_year(db_session: Any, c: Cast) -> None:
    first = draft(db_session, c)
    with pytest.raises(Conflict) as err:
        draft(db_session, c)
    assert err.value.fields == {"title": f"already nominated for this year (nomination {first.id})"}
    assert draft(db_session, c, year=YEAR + 1).year == YEAR + 1  # another year is fine
    assert draft(db_session, c, title="LDTT").title_code == "LDTT"  # another title too
    force(db_session, first, "decided")
    with pytest.raises(Conflict):
        draft(db_session, c)  # a decided one still counts: no second award
    force(db_session, first, "rejected")
    assert draft(db_session, c).id != first.id  # once rejected, a new proposal may be made


# --------------------------------------------------------------------------
# The state machine
# --------------------------------------------------------------------------

HAND_MOVES = {
    ("draft", "unit_review"),
    ("unit_review", "council"),
    ("decided", "announced"),
    ("decided", "revoked"),
    ("announced", "revoked"),
}
BALLOT_MOVES = {("council", "decided"), ("council", "rejected")}


@pytest.mark.parametrize("start", NOMINATION_STATES)
@pytest.mark.parametrize("to", NOMINATION_STATES)
def test_every_move(db_session: Any, c: Cast, start: str, to: str) -> None:
    """An administrator may make every hand move; the rest are 409 with the reason."""
    n = force(db_session, draft(db_session, c), start)
    move = (start, to)
    if move in HAND_MOVES:
        nominations.transition(
            db_session, c.admin, n.id, to, note="lý do", override_reason="kiểm thử"
        )
        assert n.state == to
        assert (n.events[-1].from_state, n.events[-1].to_state) == move
        assert audit(db_session, n.id)[-1].before["state"] == start
        return
    with pytest.raises(Conflict) as err:
        nominations.transition(db_session, c.admin, n.id, to, note="lý do", override_reason="x")
    if move in BALLOT_MOVES:
        assert err.value.fields == {"to": "a ballot decides"}
        assert "ballot" in err.value.message
    else:
        assert err.value.fields == {"to": f"not allowed from {start}"}
    assert n.state == start and len(n.events) == 1


def test_an_unknown_state_is_422(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    with pytest.raises(ValidationError) as err:
        nominations.transition(db_session, c.admin, n.id, "withdrawn")
    assert "to" in err.value.fields
    with pytest.raises(NotFound):
        nominations.transition(db_session, c.admin, 2**31 - 1, "unit_review")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("head", True),  # made it
        ("above", True),  # a head whose units include the nominee's
        ("admin", True),
        ("officer", False),  # did not make it
        ("outsider", False),
        ("council", False),
        ("staff", False),
        ("deputy", False),
    ],
)
def test_who_submits_for_unit_review(db_session: Any, c: Cast, who: str, allowed: bool) -> None:
    n = draft(db_session, c)
    actor = getattr(c, who)
    if allowed:
        nominations.transition(db_session, actor, n.id, "unit_review")
        assert n.state == "unit_review" and n.events[-1].actor_id == actor.id
    else:
        with pytest.raises(PermissionDenied):
            nominations.transition(db_session, actor, n.id, "unit_review")
        assert n.state == "draft"


def test_another_head_of_the_unit_and_the_maker_submit(db_session: Any, c: Cast) -> None:
    colleague = member("head", unit="UB-PLTP-V")
    n = draft(db_session, c)
    nominations.transition(db_session, colleague, n.id, "unit_review")
    assert n.state == "unit_review"
    own = nominations.create(
        db_session, c.officer, title=PLAIN, year=YEAR, person_id=someone("UB-KTTC-V").id
    )
    nominations.transition(db_session, c.officer, own.id, "unit_review")  # the maker
    assert own.state == "unit_review"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("head", False),  # a head of the nominee's own unit does not pass its review
        ("above", True),
        ("officer", True),
        ("admin", True),
        ("outsider", False),
        ("council", False),
        ("staff", False),
    ],
)
def test_who_passes_unit_review(db_session: Any, c: Cast, who: str, allowed: bool) -> None:
    n = draft(db_session, c)
    fill(db_session, c.head, n)
    nominations.transition(db_session, c.head, n.id, "unit_review")
    actor = getattr(c, who)
    if allowed:
        nominations.transition(db_session, actor, n.id, "council", override_reason="kiểm thử")
        assert n.state == "council"
    else:
        with pytest.raises(PermissionDenied):
            nominations.transition(db_session, actor, n.id, "council", override_reason="x")
        assert n.state == "unit_review"


@pytest.mark.parametrize("who", ["officer", "admin", "head", "above", "council", "staff"])
def test_who_announces_and_revokes(db_session: Any, c: Cast, who: str) -> None:
    n = force(db_session, draft(db_session, c), "decided")
    actor = getattr(c, who)
    if who in ("officer", "admin"):
        nominations.transition(db_session, actor, n.id, "announced", note="Quyết định số 1")
        nominations.transition(db_session, actor, n.id, "revoked", note="Khai man thành tích")
        assert n.state == "revoked" and n.events[-1].note == "Khai man thành tích"
    else:
        for to in ("announced", "revoked"):
            with pytest.raises(PermissionDenied):
                nominations.transition(db_session, actor, n.id, to, note="x")


def test_revoking_needs_a_reason(db_session: Any, c: Cast) -> None:
    n = force(db_session, draft(db_session, c), "announced")
    with pytest.raises(ValidationError) as err:
        nominations.transition(db_session, c.officer, n.id, "revoked", note="  ")
    assert err.value.fields == {"note": "required"}
    assert n.state == "announced"


def test_a_reader_outside_gets_403_before_the_state_is_told(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    with pytest.raises(PermissionDenied) as err:
        nominations.transition(db_session, c.outsider, n.id, "decided")
    assert err.value.fields == {"nomination_id": "forbidden"}


# --------------------------------------------------------------------------
# The gate before the council: the dossier and the override
# --------------------------------------------------------------------------


def test_an_incomplete_dossier_blocks_the_council_without_a_reason(
    db_session: Any, c: Cast
) -> None:
    n = draft(db_session, c)
    fill(db_session, c.head, n, ("request",))
    nominations.transition(db_session, c.head, n.id, "unit_review")
    with pytest.raises(Conflict) as err:
        nominations.transition(db_session, c.above, n.id, "council", note="Chuyển Hội đồng")
    assert err.value.fields["dossier"] == "incomplete: achievement_report, minutes"
    assert err.value.fields["override_reason"] == "required to move on anyway"
    assert "achievement_report, minutes" in err.value.message
    assert n.state == "unit_review" or db_session.rollback() is None


def test_an_override_reason_moves_it_on_and_is_kept(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    nominations.transition(db_session, c.head, n.id, "unit_review")
    reason = "Biên bản sẽ bổ sung sau cuộc họp ngày 20/1"
    nominations.transition(db_session, c.above, n.id, "council", override_reason=reason)
    assert n.state == "council" and n.override_reason == reason
    assert n.events[-1].override_reason == reason
    (event,) = audit(db_session, n.id, "override")
    assert event.after["override_reason"] == reason and event.before["override_reason"] == ""


def test_a_complete_dossier_needs_no_override(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    fill(db_session, c.head, n)
    nominations.transition(db_session, c.head, n.id, "unit_review")
    if n.title_code in _titles_with_rules():
        pytest.skip("the plain title has rules now: see the eligibility tests")
    nominations.transition(db_session, c.above, n.id, "council", override_reason="unused")
    assert n.state == "council" and n.override_reason == "" and n.events[-1].override_reason == ""
    assert audit(db_session, n.id)[-1].action == "transition"


def _titles_with_rules() -> list[str]:
    try:
        from emulation.title_rules import titles_with_rules
    except ModuleNotFoundError:
        return []
    return list(titles_with_rules())


def test_the_eligibility_report_is_linked_and_a_failing_one_blocks(
    db_session: Any, c: Cast
) -> None:
    if "LDTT" not in _titles_with_rules():
        pytest.skip("the eligibility rules are not installed")
    n = draft(db_session, c, title="LDTT")
    case = PendingCase(person_id=c.nominee.id, kind="investigation", opened_on=dt.date(YEAR, 3, 1))
    db_session.add(case)  # an open case: gate G1 fails
    fill(db_session, c.head, n)
    nominations.transition(db_session, c.head, n.id, "unit_review")
    with pytest.raises(Conflict) as err:
        nominations.transition(db_session, c.above, n.id, "council")
    assert "eligibility" in err.value.fields and "override_reason" in err.value.fields
    nominations.transition(db_session, c.above, n.id, "council", override_reason="Hội đồng xét")
    assert n.eligibility_report is not None and n.eligibility_report.outcome == "fail"
    assert n.eligibility_report.person_id == c.nominee.id and n.override_reason == "Hội đồng xét"
    assert f"case:{case.id}" in [f for r in n.eligibility_report.results for f in r["facts"]]


# --------------------------------------------------------------------------
# The dossier
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "ext", "content_type"),
    [
        (pdf, "pdf", "application/pdf"),
        (docx, "docx", nominations.FILE_TYPES["docx"]),
        (doc, "doc", "application/msword"),
        (png, "png", "image/png"),
        (jpg, "jpg", "image/jpeg"),
        (txt, "txt", "text/plain"),
    ],
)
def test_each_type_is_known_by_its_bytes(
    db_session: Any, c: Cast, make: Any, ext: str, content_type: str
) -> None:
    n = draft(db_session, c)
    data = make("x")
    item = nominations.add_dossier_item(
        db_session,
        c.head,
        n.id,
        kind="request",
        name=f"C:\\Users\\a\\to-trinh.{ext}",
        content_type="application/x-anything",
        data=data,
    )
    assert item.content_type == content_type and item.name == f"to-trinh.{ext}"
    assert item.size == len(data) and item.sha256 == hashlib.sha256(data).hexdigest()
    (event,) = audit(db_session, n.id, "dossier_add")
    assert event.after["sha256"] == item.sha256 and event.after["kind"] == "request"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        zipped({"xl/workbook.xml": "<x/>"}),  # a zip that is not a Word document
        b"PK\x03\x04broken",
        b"\x00\x01\x02\x03",
        b"GIF89a\x01\x00",
    ],
)
def test_other_types_are_refused_whatever_their_name(db_session: Any, c: Cast, data: bytes) -> None:
    n = draft(db_session, c)
    with pytest.raises(ValidationError) as err:
        nominations.add_dossier_item(
            db_session,
            c.head,
            n.id,
            kind="request",
            name="a.pdf",
            content_type="application/pdf",
            data=data,
        )
    assert list(err.value.fields) == ["file"]


def test_size_empty_kind_and_duplicates(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    big = pdf() + b"0" * nominations.MAX_FILE_BYTES

    def add(data: bytes, kind: str = "request") -> Any:
        return nominations.add_dossier_item(
            db_session, c.head, n.id, kind=kind, name="f.pdf", content_type="", data=data
        )

    with pytest.raises(ValidationError) as err:
        add(big)
    assert err.value.fields == {"file": "larger than 10 MB"}
    exactly = pdf() + b"0" * (nominations.MAX_FILE_BYTES - len(pdf()))
    assert add(exactly).size == nominations.MAX_FILE_BYTES
    with pytest.raises(ValidationError) as err:
        add(b"")
    assert err.value.fields == {"file": "empty"}
    with pytest.raises(ValidationError) as err:
        add(pdf("k"), kind="letter")
    assert list(err.value.fields) == ["kind"]
    first = add(pdf("same"))
    with pytest.raises(Conflict) as err:
        add(pdf("same"), kind="minutes")
    assert err.value.fields == {"file": f"already in this dossier (item {first.id})"}
    # The same file may be in another nomination's dossier.
    other = draft(db_session, c, title="LDTT")
    nominations.add_dossier_item(
        db_session,
        c.head,
        other.id,
        kind="request",
        name="f.pdf",
        content_type="",
        data=pdf("same"),
    )


def test_who_keeps_the_dossier_and_when(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)

    def add(actor: Any, tag: str) -> Any:
        return nominations.add_dossier_item(
            db_session, actor, n.id, kind="other", name="f.txt", content_type="", data=txt(tag)
        )

    for who in ("outsider", "council", "staff", "deputy"):
        with pytest.raises(PermissionDenied):
            add(getattr(c, who), who)
    add(c.head, "head")
    add(c.above, "above")  # a head whose units include the nominee's may submit too
    nominations.transition(db_session, c.head, n.id, "unit_review")
    with pytest.raises(PermissionDenied):
        add(c.head, "head-2")  # in unit review: those who pass the review
    item = add(c.officer, "officer")
    with pytest.raises(PermissionDenied):
        nominations.remove_dossier_item(db_session, c.head, n.id, item.id)
    nominations.remove_dossier_item(db_session, c.above, n.id, item.id)
    assert item.id not in [i.id for i in n.dossier]
    (event,) = audit(db_session, n.id, "dossier_remove")
    assert event.before["item_id"] == item.id
    nominations.transition(db_session, c.officer, n.id, "council", override_reason="x")
    with pytest.raises(Conflict) as err:
        add(c.officer, "late")
    assert err.value.fields == {"state": "council: the dossier is closed"}
    with pytest.raises(Conflict):
        nominations.remove_dossier_item(db_session, c.officer, n.id, n.dossier[0].id)
    with pytest.raises(NotFound):
        nominations.dossier_file(db_session, c.officer, n.id, 2**31 - 1)


def test_a_download_checks_the_checksum(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    data = pdf("bao-cao")
    item = nominations.add_dossier_item(
        db_session,
        c.head,
        n.id,
        kind="achievement_report",
        name="bc.pdf",
        content_type="",
        data=data,
    )
    for reader in (c.head, c.above, c.officer, c.council, c.admin, c.staff):
        assert nominations.dossier_file(db_session, reader, n.id, item.id).data == data
    with pytest.raises(PermissionDenied):
        nominations.dossier_file(db_session, c.outsider, n.id, item.id)
    db_session.execute(
        update(DossierItem).where(DossierItem.id == item.id).values(data=pdf("bao-caO"))
    )
    db_session.expire_all()
    with pytest.raises(Conflict) as err:
        nominations.dossier_file(db_session, c.officer, n.id, item.id)
    assert err.value.fields == {"file": "checksum mismatch"}


# --------------------------------------------------------------------------
# The checklist of the law
# --------------------------------------------------------------------------


def test_missing_dossier_by_title(db_session: Any, c: Cast) -> None:
    plain = draft(db_session, c)
    assert nominations.missing_dossier(plain) == list(FULL)
    fill(db_session, c.head, plain, ("minutes",))
    assert nominations.missing_dossier(plain) == ["request", "achievement_report"]
    fighter = draft(db_session, c, title=WITH_INITIATIVE)
    assert nominations.missing_dossier(fighter) == [*FULL, "initiative_certification"]
    fill(db_session, c.head, fighter, (*FULL, "initiative_certification"))
    assert nominations.missing_dossier(fighter) == []
    rows = {r.kind: r for r in nominations.checklist(fighter)}
    assert rows["initiative_certification"].required and rows["minutes"].provided


def test_missing_dossier_by_the_report(db_session: Any, c: Cast) -> None:
    fighter = draft(db_session, c, title=WITH_INITIATIVE)
    initiative = _initiative(db_session)
    # Passed on the excellent rating: the initiative it also cites is not relied on.
    cited = ["rating:2025", f"initiative:{initiative.id}"]
    report(db_session, fighter, [_result("pass", cited, basis="excellent")])
    assert "initiative_certification" not in nominations.missing_dossier(fighter)
    plain = draft(db_session, c)
    report(db_session, plain, [_result("pass", cited, "initiative", [initiative.id])])
    assert nominations.missing_dossier(plain) == [*FULL, "initiative_certification"]
    # A rule that does not say its basis relies on what it cites.
    bare = draft(db_session, c, title="BK_UBTVQH")
    report(db_session, bare, [{**_result("pass", cited), "params": {}}])
    assert nominations.initiatives_cited(bare.eligibility_report) == [initiative.id]
    other = draft(db_session, c, title="LDTT")
    report(db_session, other, [_result("fail", [f"initiative:{initiative.id}"])])
    assert "initiative_certification" not in nominations.missing_dossier(other)


# --------------------------------------------------------------------------
# The council's decision, the award, revocation
# --------------------------------------------------------------------------


def _result(
    outcome: str, facts: list[str], basis: str | None = None, used: list[int] | None = None
) -> dict[str, Any]:
    """A stored rule result shaped as emulation.title_rules writes them."""
    params: dict[str, Any] = {"year": YEAR}
    if basis:
        params["basis"] = basis
    if used is not None:
        params["used"] = used
    return {
        "rule": "R2.cstdcs.excellent_or_initiative",
        "version": 1,
        "outcome": outcome,
        "reason": f"cstdcs_{basis}" if outcome == "pass" else "cstdcs_neither",
        "params": params,
        "facts": facts,
        "provisions": [],
        "gate": False,
    }


def _initiative(session: Any) -> Initiative:
    row = Initiative(
        title="Sáng kiến số hóa hồ sơ thẩm tra",
        recognized_by_unit_id=unit_by_code("UB-PLTP").id,
        recognized_on=dt.date(YEAR, 6, 1),
        scope="grassroots",
    )
    session.add(row)
    session.flush()
    return row


def test_a_passed_ballot_creates_the_award(db_session: Any, c: Cast) -> None:
    n = to_council(db_session, c, draft(db_session, c, title=WITH_INITIATIVE))
    initiative = _initiative(db_session)
    cited = [f"initiative:{initiative.id}", "rating:2025"]
    report(db_session, n, [_result("pass", cited, "initiative", [initiative.id])])
    nominations.record_decision(
        db_session, c.officer, n, passed=True, note="Đạt 9/10 phiếu", ballot_id=7
    )
    assert n.state == "decided" and n.decision_note == "Đạt 9/10 phiếu"
    award = db_session.scalar(select(Award).where(Award.nomination_id == n.id))
    assert (award.person_id, award.unit_id, award.title_code, award.year) == (
        c.nominee.id,
        None,
        WITH_INITIATIVE,
        YEAR,
    )
    assert award.basis == "initiative" and [i.id for i in award.initiatives] == [initiative.id]
    assert award.kind == "regular" and not award.revoked
    assert (n.events[-1].from_state, n.events[-1].to_state) == ("council", "decided")
    (event,) = audit(db_session, n.id, "decide")
    assert event.after["ballot_id"] == 7 and event.after["award_id"] == award.id


def test_the_excellent_ground_keeps_the_initiatives_free(db_session: Any, c: Cast) -> None:
    n = to_council(db_session, c, draft(db_session, c, title=WITH_INITIATIVE))
    initiative = _initiative(db_session)
    report(
        db_session,
        n,
        [
            _result("pass", ["rating:2025", f"initiative:{initiative.id}"], basis="excellent"),
            {**_result("pass", []), "rule": "R1.ldtt.rating", "params": {}},
        ],
    )
    nominations.record_decision(db_session, c.admin, n, passed=True, note="", ballot_id=1)
    award = nominations.award_of(db_session, n)
    assert award is not None and award.basis == "excellent" and award.initiatives == []


def test_no_report_gives_the_basis_other_and_units_get_awards(db_session: Any, c: Cast) -> None:
    n = nominations.create(db_session, c.above, title="TTLDTT", year=YEAR, unit="UB-PLTP-V")
    fill(db_session, c.above, n)
    force(db_session, n, "council")
    nominations.record_decision(db_session, c.officer, n, passed=True, note="", ballot_id=2)
    award = nominations.award_of(db_session, n)
    assert award is not None and award.basis == "other" and award.unit_id == n.unit_id


def test_a_failed_ballot_rejects_without_an_award(db_session: Any, c: Cast) -> None:
    n = force(db_session, draft(db_session, c), "council")
    nominations.record_decision(db_session, c.officer, n, passed=False, note="5/10", ballot_id=3)
    assert n.state == "rejected" and nominations.award_of(db_session, n) is None
    with pytest.raises(Conflict):
        nominations.transition(db_session, c.officer, n.id, "revoked", note="x")


def test_only_keepers_record_decisions_on_nominations_before_the_council(
    db_session: Any, c: Cast
) -> None:
    n = force(db_session, draft(db_session, c), "council")
    for who in ("head", "above", "council", "staff"):
        with pytest.raises(PermissionDenied):
            nominations.record_decision(
                db_session, getattr(c, who), n, passed=True, note="", ballot_id=1
            )
    force(db_session, n, "unit_review")
    with pytest.raises(Conflict) as err:
        nominations.record_decision(db_session, c.officer, n, passed=True, note="", ballot_id=1)
    assert err.value.fields == {"nomination_id": "unit_review, not council"}


def test_revoking_marks_the_award_revoked(db_session: Any, c: Cast) -> None:
    n = force(db_session, draft(db_session, c), "council")
    nominations.record_decision(db_session, c.officer, n, passed=True, note="", ballot_id=4)
    nominations.transition(db_session, c.officer, n.id, "announced")
    nominations.transition(db_session, c.officer, n.id, "revoked", note="Hồ sơ giả mạo")
    award = nominations.award_of(db_session, n)
    assert award is not None and award.revoked and award.revoked_reason == "Hồ sơ giả mạo"
    assert award.revoked_at is not None
    states = [e.to_state for e in n.events]
    assert states == ["draft", "decided", "announced", "revoked"]


def test_a_thematic_movement_gives_a_thematic_award(db_session: Any, c: Cast) -> None:
    from tests.emulation.movements.helpers import launch

    movement = launch(db_session)
    movement.kind = "thematic"
    n = force(db_session, draft(db_session, c, movement_id=movement.id), "council")
    nominations.record_decision(db_session, c.officer, n, passed=True, note="", ballot_id=5)
    award = nominations.award_of(db_session, n)
    assert award is not None and award.kind == "thematic"


# --------------------------------------------------------------------------
# Deleting a draft, reading
# --------------------------------------------------------------------------


def test_only_the_maker_deletes_a_draft(db_session: Any, c: Cast) -> None:
    n = draft(db_session, c)
    fill(db_session, c.head, n, ("request",))
    for who in ("above", "officer", "admin"):
        with pytest.raises(PermissionDenied):
            nominations.delete_draft(db_session, getattr(c, who), n.id)
    n_id = n.id
    nominations.delete_draft(db_session, c.head, n_id)
    assert db_session.get(Nomination, n_id) is None
    assert db_session.scalar(select(DossierItem).where(DossierItem.nomination_id == n_id)) is None
    (event,) = audit(db_session, n_id, "delete")
    assert event.before["state"] == "draft" and event.after is None
    submitted = draft(db_session, c)
    nominations.transition(db_session, c.head, submitted.id, "unit_review")
    with pytest.raises(Conflict) as err:
        nominations.delete_draft(db_session, c.head, submitted.id)
    assert err.value.fields == {"state": "unit_review, not draft"}


def test_who_reads_what(db_session: Any, c: Cast) -> None:
    mine = draft(db_session, c)
    elsewhere = nominations.create(
        db_session, c.officer, title=PLAIN, year=YEAR, person_id=someone("UB-KTTC-V").id
    )

    def listed(actor: Any, **kw: Any) -> set[int]:
        f = nominations.NominationFilter(**kw)
        return {
            n.id for n in db_session.scalars(nominations.list_nominations(db_session, actor, f))
        }

    for who in ("officer", "admin", "council"):
        assert {mine.id, elsewhere.id} <= listed(getattr(c, who))
    assert mine.id in listed(c.head) and elsewhere.id not in listed(c.head)
    assert mine.id in listed(c.above) and elsewhere.id not in listed(c.above)
    assert listed(c.outsider) & {mine.id, elsewhere.id} == {elsewhere.id}  # UB-KTTC-V
    assert listed(c.staff) == {mine.id}  # their own
    with pytest.raises(PermissionDenied):
        listed(c.deputy)
    assert mine.id not in listed(c.officer, state="council")
    assert mine.id in listed(c.officer, state="draft", year=YEAR, title=PLAIN)
    assert mine.id not in listed(c.officer, year=YEAR + 1)
    pltp = unit_by_code("UB-PLTP").id
    assert mine.id in listed(c.officer, unit_id=pltp) and elsewhere.id not in listed(
        c.officer, unit_id=pltp
    )
    counts = nominations.counts_by_state(db_session, c.head, nominations.NominationFilter())
    assert counts["draft"] >= 1 and set(counts) == set(NOMINATION_STATES)
    with pytest.raises(PermissionDenied):
        nominations.read_nomination(db_session, c.outsider, mine.id)
    assert nominations.read_nomination(db_session, c.staff, mine.id).id == mine.id


def test_a_report_that_cannot_tell_goes_to_the_council(db_session: Any, c: Cast) -> None:
    """Only a failing report blocks: "cannot tell" (e.g. no rating yet) is for the council to
    weigh, with the report linked."""
    if "LDTT" not in _titles_with_rules():
        pytest.skip("the eligibility rules are not installed")
    n = draft(db_session, c, title="LDTT")
    fill(db_session, c.head, n)
    nominations.transition(db_session, c.head, n.id, "unit_review")
    nominations.transition(db_session, c.above, n.id, "council")
    assert n.state == "council" and n.override_reason == ""
    assert n.eligibility_report is not None and n.eligibility_report.outcome == "unknown"
