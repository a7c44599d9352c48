"""Draft services against the real database: creation, versions, stage moves, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lis.audit.models import AuditEvent
from lis.documents.models import Document, VersionPart
from lis.drafts import services
from lis.drafts.models import StageEvent
from lis.errors import Conflict, PermissionDenied, ValidationError
from lis.relations.models import Relation
from tests.drafts.helpers import DRAFT, V1, V2, docx_bytes, to_cp1258
from tests.factories import unit_by_code

TODAY = dt.date(2025, 11, 3)


def audit(session: Any, doc: Document) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "document", AuditEvent.entity_id == doc.external_id)
        .order_by(AuditEvent.id)
    )
    return [(r.action, r.actor_email) for r in rows]


@pytest.fixture
def staff(make_member: Any) -> Any:
    return make_member("staff", unit="UB-PLTP-V")


@pytest.fixture
def draft(db_session: Any, staff: Any) -> Document:
    return services.create_draft(db_session, staff, dict(DRAFT), today=TODAY)


def test_create_draft(db_session: Any, staff: Any, draft: Document) -> None:
    assert draft.external_id == f"draft-{draft.id}"
    assert (draft.origin, draft.stage, draft.number, draft.kind) == (
        "draft", "S_PROGRAMME", "", "law",
    )  # fmt: skip
    assert draft.lead_unit.code == "UB-PLTP" and draft.term.code == "XV"
    assert draft.holder_unit_id is None  # an outside drafter (Chính phủ) holds it
    assert draft.drafting_agency == "Chính phủ" and draft.topics == ["thử nghiệm"]
    assert [services.session_key(s) for s in draft.planned_sessions] == ["XV-10"]
    assert draft.issuer == "Quốc hội" and draft.created_by_id == staff.id
    (event,) = db_session.scalars(select(StageEvent).where(StageEvent.document_id == draft.id))
    assert (event.seq, event.from_stage, event.to_stage, event.event_date) == (
        1, None, "S_PROGRAMME", TODAY,
    )  # fmt: skip
    assert audit(db_session, draft) == [("create", staff.email)]


def test_an_na_drafter_holds_its_draft(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-KTTC-V")
    data = {**DRAFT, "drafting_agency": None, "drafting_unit": "UB-KTTC", "kind": "resolution"}
    doc = services.create_draft(db_session, head, data, today=TODAY)
    assert doc.holder_unit.code == "UB-KTTC" and services.machine_of(doc).code == "NA_RESOLUTION"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "decree"}, "kind"),
        ({"lead_unit": "NOPE"}, "lead_unit"),
        ({"lead_unit": ""}, "lead_unit"),
        ({"term": "XX"}, "term"),
        ({"planned_sessions": ["XV-99"]}, "planned_sessions"),
        ({"planned_sessions": ["nine"]}, "planned_sessions"),
        ({"drafting_agency": None}, "drafting_agency"),
        ({"title": "  "}, "title"),
        ({"lead_unit": "UB-PL"}, "lead_unit"),  # closed in 2025
    ],
)
def test_create_refuses_bad_data(
    db_session: Any, staff: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        services.create_draft(db_session, staff, {**DRAFT, **changes}, today=TODAY)
    assert field in err.value.fields


@pytest.mark.parametrize("role", ["deputy", "officer", "council"])
def test_only_staff_heads_and_admins_create(db_session: Any, make_member: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.create_draft(db_session, make_member(role), dict(DRAFT), today=TODAY)


def test_staff_of_another_unit_cannot_create(db_session: Any, make_member: Any) -> None:
    other = make_member("staff", unit="UB-VHXH-V")
    with pytest.raises(PermissionDenied, match="UB-PLTP"):
        services.create_draft(db_session, other, dict(DRAFT), today=TODAY)
    admin = make_member("admin", unit="UB-VHXH-V")
    assert services.create_draft(db_session, admin, dict(DRAFT), today=TODAY).id


def test_versions_from_paste_docx_and_txt(db_session: Any, staff: Any, draft: Document) -> None:
    v1 = services.add_version(
        db_session, staff, draft, "Dự thảo 1", V1, dt.date(2025, 9, 1), "paste"
    )
    assert (v1.seq, v1.label, v1.version_date, v1.text_kind) == (
        1, "Dự thảo 1", dt.date(2025, 9, 1), "draft",
    )  # fmt: skip
    parts = db_session.scalars(select(VersionPart).where(VersionPart.version_id == v1.id)).all()
    assert [p.number for p in parts if p.kind == "article"] == ["1", "2", "3", "4"]
    with pytest.raises(Conflict, match="identical"):
        services.add_version(db_session, staff, draft, "Again", V1 + "\n\n", None, "paste")
    text = services.text_from_upload(
        "du-thao-2.docx", docx_bytes(V2, table=[["Cột A", "Cột B"], ["1", "2"]])
    )
    assert "Nguyên tắc thử nghiệm" in text and "Cột A\tCột B" in text
    assert text.index("SỬA ĐỔI") > text.index("Cột A") > text.index("LUẬT")  # in order
    v2 = services.add_version(db_session, staff, draft, "Dự thảo 2", text, None, "du-thao-2.docx")
    assert v2.seq == 2 and v2.source == "du-thao-2.docx" and v2.text_sha256 != v1.text_sha256
    txt = services.text_from_upload("v3.txt", to_cp1258(V2 + "\nĐiều 5. Mới\nNội dung."))
    assert "Điều 5. Mới" in txt
    v3 = services.add_version(db_session, staff, draft, "Dự thảo 3", txt, None, "v3.txt")
    assert v3.seq == 3
    assert [a for a, _ in audit(db_session, draft)] == ["create", *["add_version"] * 3]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258"]
)
def test_txt_encodings(encoding: str) -> None:
    data = to_cp1258(V1) if encoding == "cp1258" else V1.encode(encoding)
    assert services.text_from_upload("a.TXT", data).strip() == V1.strip()


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("a.pdf", b"%PDF-1.4", "unsupported type"),
        ("a", b"hello", "unsupported type"),
        ("a.txt", b"", "empty"),
        ("a.txt", b"x" * (services.MAX_FILE_BYTES + 1), "too large"),
        ("a.docx", b"not a zip at all", "corrupt"),
        ("a.docx", b"PK\x03\x04" + b"\x00" * 200, "corrupt"),
        ("a.txt", bytes(range(256)) * 4, "encoding"),
        ("a.txt", b"\x01\x02\x03\x04\x05 binary \x06\x07\x08" * 50, "not text"),
    ],
    ids=["pdf", "no-ext", "empty", "oversized", "not-zip", "bad-zip", "bytes", "binary"],
)
def test_bad_uploads_name_the_file_field(name: str, data: bytes, problem: str) -> None:
    with pytest.raises(ValidationError) as err:
        services.text_from_upload(name, data)
    assert err.value.fields == {"file": problem}


def test_a_docx_that_is_a_zip_of_something_else_is_corrupt() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError) as err:
        services.text_from_upload("x.docx", buf.getvalue())
    assert err.value.fields == {"file": "corrupt"}


def test_version_limits(db_session: Any, staff: Any, draft: Document, make_member: Any) -> None:
    with pytest.raises(ValidationError, match="longer"):
        services.add_version(db_session, staff, draft, "Big", "a" * 2_000_001)
    with pytest.raises(ValidationError):
        services.add_version(db_session, staff, draft, "", V1)
    with pytest.raises(ValidationError):
        services.add_version(db_session, staff, draft, "Empty", " \n ")
    with pytest.raises(PermissionDenied):
        services.add_version(db_session, make_member("staff", unit="UB-VHXH-V"), draft, "X", V1)
    office = make_member("staff", unit="VPQH-TH")  # records the Government's texts
    assert services.add_version(db_session, office, draft, "Dự thảo CP", V1).seq == 1


def test_imported_documents_get_no_versions_or_moves(db_session: Any, staff: Any) -> None:
    doc = db_session.scalar(select(Document).where(Document.origin == "imported").limit(1))
    if doc is None:
        pytest.skip("no corpus sample")
    with pytest.raises(Conflict):
        services.add_version(db_session, staff, doc, "x", "text")
    with pytest.raises(Conflict):
        services.move_stage(db_session, staff, doc, "S_DRAFTING")


def test_imported_documents_are_in_force(db_session: Any) -> None:
    docs = db_session.scalars(select(Document).where(Document.origin == "imported")).all()
    if not docs:
        pytest.skip("no corpus sample")
    assert {d.stage for d in docs} == {"S_IN_FORCE"}


def test_moves(db_session: Any, staff: Any, draft: Document, make_member: Any) -> None:
    office = make_member("staff", unit="VPQH-TH")
    # The Government drafts: its acts are recorded by the NA Office's general affairs.
    with pytest.raises(PermissionDenied, match=r"SUBMITTER.*VPQH-TH"):
        services.move_stage(db_session, staff, draft, "S_DRAFTING", today=TODAY)
    services.move_stage(db_session, office, draft, "S_DRAFTING", "", TODAY, today=TODAY)
    with pytest.raises(Conflict) as err:
        services.move_stage(db_session, office, draft, "S_VERIFY", today=TODAY)
    assert "S_APPRAISAL" in err.value.message and "S_GOV_OPINION" in err.value.message
    services.move_stage(db_session, office, draft, "S_APPRAISAL", today=TODAY)
    services.move_stage(db_session, office, draft, "S_SUBMITTED", "Tờ trình", today=TODAY)
    assert draft.holder_unit.code == "UB-PLTP"
    # Verification is the lead committee's act: its department's staff record it.
    with pytest.raises(PermissionDenied, match=r"LEAD_VERIFIER.*UB-PLTP"):
        services.move_stage(db_session, office, draft, "S_VERIFY", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.move_stage(
            db_session, make_member("deputy", unit="UB-PLTP-V"), draft, "S_VERIFY", today=TODAY
        )
    assert [t.to_stage for t in services.allowed_transitions(db_session, staff, draft)] == [
        "S_VERIFY"
    ]
    assert "S_WITHDRAWN" in [
        t.to_stage for t in services.allowed_transitions(db_session, office, draft)
    ]
    with pytest.raises(ValidationError):
        services.move_stage(
            db_session, staff, draft, "S_VERIFY", "", TODAY + dt.timedelta(days=1), today=TODAY
        )
    with pytest.raises(ValidationError):
        services.move_stage(db_session, staff, draft, "S_VERIFY", "", dt.date(2020, 1, 1))
    event = services.move_stage(db_session, staff, draft, "S_VERIFY", "Thẩm tra", today=TODAY)
    assert (event.seq, event.from_stage, event.to_stage, event.acting_as) == (
        5, "S_SUBMITTED", "S_VERIFY", "LEAD_VERIFIER",
    )  # fmt: skip
    assert event.holder_unit.code == "UB-PLTP" and event.actor_email == staff.email
    assert draft.stage == "S_VERIFY"
    rows = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == draft.external_id, AuditEvent.action == "transition"
        )
    ).all()
    assert len(rows) == 4
    assert rows[-1].before == {"stage": "S_SUBMITTED"} and rows[-1].after["acting_as"] == (
        "LEAD_VERIFIER"
    )


def test_admin_may_act_as_anyone(db_session: Any, make_user: Any, draft: Document) -> None:
    admin = make_user("admin")
    for stage in ("S_DRAFTING", "S_GOV_OPINION", "S_SUBMITTED", "S_VERIFY", "S_WITHDRAWN"):
        services.move_stage(db_session, admin, draft, stage, today=TODAY)
    assert draft.stage == "S_WITHDRAWN" and draft.holder_unit_id is None
    assert services.allowed_transitions(db_session, admin, draft) == []
    with pytest.raises(Conflict, match="none"):
        services.move_stage(db_session, admin, draft, "S_DRAFTING", today=TODAY)


def test_update_draft(db_session: Any, staff: Any, draft: Document, make_member: Any) -> None:
    services.update_draft(
        db_session,
        staff,
        draft,
        {"title": "Tên mới", "planned_sessions": ["XV-9", "XV-10"], "kind": "decree"},
    )
    assert draft.title == "Tên mới" and draft.kind == "law"
    row = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == draft.external_id, AuditEvent.action == "update"
        )
    ).one()
    assert row.before == {"title": DRAFT["title"], "planned_sessions": ["XV-10"]}
    assert row.after == {"title": "Tên mới", "planned_sessions": ["XV-9", "XV-10"]}
    with pytest.raises(PermissionDenied):
        services.update_draft(db_session, make_member("staff", unit="UB-VHXH-V"), draft, {})
    with pytest.raises(ValidationError):
        services.update_draft(db_session, make_member("admin"), draft, {"lead_unit": "NOPE"})
    assert unit_by_code("UB-PLTP").id == draft.lead_unit_id


# --- who may change the drafting and lead units ------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lead_unit", "UB-VHXH"),  # hand verification (LEAD_VERIFIER's acts) to another body
        ("drafting_unit", "UB-PLTP"),  # take over the Government's acts (SUBMITTER)
        ("drafting_unit", "UB-KTTC"),
    ],
)
def test_only_admins_change_the_units(
    db_session: Any, staff: Any, draft: Document, make_member: Any, field: str, value: str
) -> None:
    before = services.snapshot_units(draft)
    for editor in (staff, make_member("head", unit="UB-PLTP-V"), make_member("staff", "VPQH-TH")):
        with pytest.raises(PermissionDenied) as err:
            services.update_draft(db_session, editor, draft, {"title": "Đổi", field: value})
        assert err.value.fields == {field: "admin only"}
        assert services.snapshot_units(draft) == before and draft.title == DRAFT["title"]
    assert [a for a, _ in audit(db_session, draft)] == ["create"]
    # Sent unchanged (as a form sends every field), the units are no obstacle.
    services.update_draft(db_session, staff, draft, {**before, "title": "Đổi"})
    assert draft.title == "Đổi"
    admin = make_member("admin", unit="UB-VHXH-V")
    services.update_draft(db_session, admin, draft, {field: value})
    assert services.snapshot_units(draft)[field] == value
    row = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_id == draft.external_id, AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert (row.actor_email, row.before, row.after) == (
        admin.email, {field: before[field]}, {field: value},
    )  # fmt: skip


def test_the_lead_unit_decides_who_verifies(
    db_session: Any, draft: Document, make_member: Any
) -> None:
    """What the rule protects: whoever holds lead_unit records LEAD_VERIFIER's acts."""
    admin = make_member("admin")
    for stage in ("S_DRAFTING", "S_APPRAISAL", "S_SUBMITTED"):
        services.move_stage(db_session, admin, draft, stage, today=TODAY)
    outsider = make_member("staff", unit="UB-VHXH-V")
    assert not services.allowed_transitions(db_session, outsider, draft)
    services.update_draft(db_session, admin, draft, {"lead_unit": "UB-VHXH"})
    assert "S_VERIFY" in [
        t.to_stage for t in services.allowed_transitions(db_session, outsider, draft)
    ]


@pytest.mark.parametrize(
    "code",
    ["UB-PLTP-V", "HDDT-V", "VPQH", "VPQH-TH", "UBTVQH", "QH", "HDKH-UBTVQH", "VPQH-CQT"],
)
def test_the_lead_unit_is_the_council_or_a_committee(
    db_session: Any, staff: Any, make_member: Any, code: str
) -> None:
    with pytest.raises(ValidationError) as err:
        services.create_draft(db_session, staff, {**DRAFT, "lead_unit": code}, today=TODAY)
    assert err.value.fields == {"lead_unit": "not a verifying body"}
    doc = services.create_draft(db_session, staff, dict(DRAFT), today=TODAY)
    with pytest.raises(ValidationError) as err:
        services.update_draft(db_session, make_member("admin"), doc, {"lead_unit": code})
    assert err.value.fields == {"lead_unit": "not a verifying body"}
    assert doc.lead_unit.code == "UB-PLTP"


@pytest.mark.parametrize("code", ["HDDT", "UB-KHCNMT", "UB-DNGS"])
def test_the_council_and_committees_lead(db_session: Any, make_member: Any, code: str) -> None:
    admin = make_member("admin")
    doc = services.create_draft(db_session, admin, {**DRAFT, "lead_unit": code}, today=TODAY)
    assert doc.lead_unit.kind in services.VERIFYING_KINDS and doc.lead_unit.code == code


# --- version dates -----------------------------------------------------------------------------
def test_version_dates_are_not_in_the_future_nor_out_of_order(
    db_session: Any, staff: Any, draft: Document
) -> None:
    with pytest.raises(ValidationError) as err:
        services.add_version(
            db_session, staff, draft, "Sau", V1, TODAY + dt.timedelta(days=1), today=TODAY
        )
    assert err.value.fields == {"version_date": "future"}
    # Older than the draft's record is fine: the office records texts dated before it.
    v1 = services.add_version(db_session, staff, draft, "1", V1, dt.date(2025, 9, 1), today=TODAY)
    with pytest.raises(ValidationError) as err:
        services.add_version(db_session, staff, draft, "2", V2, dt.date(2025, 8, 31), today=TODAY)
    assert err.value.fields == {"version_date": "before the previous version"}
    assert "2025-09-01" in err.value.message
    v2 = services.add_version(db_session, staff, draft, "2", V2, v1.version_date, today=TODAY)
    v3 = services.add_version(db_session, staff, draft, "3", V1, None, today=TODAY)
    assert (v2.seq, v3.seq, v3.version_date) == (2, 3, TODAY)
    assert [a for a, _ in audit(db_session, draft)] == ["create", *["add_version"] * 3]


def test_the_default_version_date_is_the_office_day(
    db_session: Any, staff: Any, draft: Document
) -> None:
    from lis import clock

    assert services.add_version(db_session, staff, draft, "1", V1).version_date == clock.today()
    with pytest.raises(ValidationError) as err:
        services.add_version(db_session, staff, draft, "2", V2, clock.today() + dt.timedelta(1))
    assert "version_date" in err.value.fields


# --- relations suggested from a new version ----------------------------------------------------
CITING_TEXT = """LUẬT
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT THỬ NGHIỆM

Căn cứ Hiến pháp đã được sửa đổi, bổ sung một số điều theo Nghị quyết số 203/2025/QH15;

Điều 1. Phạm vi điều chỉnh
Luật này sửa đổi, bổ sung một số điều của Luật Tổ chức Quốc hội số 57/2014/QH13.

Điều 2. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2026 và thay thế Luật số 12/2010/QH12.
"""


def relations(session: Any, doc: Document) -> list[tuple[str, str, str, int | None]]:
    rows = session.scalars(
        select(Relation).where(Relation.source_id == doc.id).order_by(Relation.id)
    )
    return [(r.cited_key, r.kind, r.state, r.version_id) for r in rows]


def test_a_new_version_suggests_the_numbers_it_cites(
    db_session: Any, staff: Any, draft: Document
) -> None:
    v1 = services.add_version(db_session, staff, draft, "1", V1, TODAY, today=TODAY)
    assert relations(db_session, draft) == []  # V1 cites no number
    v2 = services.add_version(db_session, staff, draft, "2", CITING_TEXT, TODAY, today=TODAY)
    assert v2.seq == v1.seq + 1
    assert relations(db_session, draft) == [
        ("203/2025/qh15", "basis", "suggested", v2.id),
        ("57/2014/qh13", "amends", "suggested", v2.id),
        ("12/2010/qh12", "replaces", "suggested", v2.id),
    ]
    rows = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "relation", AuditEvent.action == "suggest")
    ).all()
    mine = [r for r in rows if r.after["source_id"] == draft.id]
    assert len(mine) == 3 and {r.actor_email for r in mine} == {staff.email}
    # A later version citing the same numbers suggests nothing twice.
    services.add_version(db_session, staff, draft, "3", CITING_TEXT + "\nĐiều 3. Mới", TODAY)
    assert len(relations(db_session, draft)) == 3


def test_a_cited_document_in_the_database_is_the_target(
    db_session: Any, staff: Any, draft: Document
) -> None:
    cited = db_session.scalar(
        select(Document).where(Document.origin == "imported", Document.number_key.like("%/qh%"))
    )
    if cited is None:
        pytest.skip("no corpus sample")
    text = f"{V1}\nĐiều 5. Bãi bỏ\nBãi bỏ Luật số {cited.number}.\n"
    version = services.add_version(db_session, staff, draft, "1", text, TODAY, today=TODAY)
    (relation,) = db_session.scalars(select(Relation).where(Relation.version_id == version.id))
    assert (relation.target_id, relation.kind, relation.state) == (cited.id, "repeals", "suggested")
