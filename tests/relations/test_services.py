"""Suggesting, confirming, dismissing, entering and deleting relations, against the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lis.audit.models import AuditEvent
from lis.documents.models import Document
from lis.errors import Conflict, NotFound, ValidationError
from lis.relations import services
from lis.relations.models import Relation
from tests.factories import DocumentFactory, VersionFactory


def events(session: Any, relation_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity == "relation", AuditEvent.entity_id == str(relation_id))
        .order_by(AuditEvent.id)
    )
    return list(rows)


def test_suggestions_from_a_real_text_link_the_cited_document(
    db_session: Any, citing: Document, cited: Document, make_user: Any
) -> None:
    staff = make_user("staff")
    created = services.suggest_for_document(db_session, citing, staff)
    assert created and all(r.state == "suggested" for r in created)
    link = next(r for r in created if r.target_id == cited.id)
    assert link.cited_key == cited.number_key
    assert link.version_id == citing.versions[-1].id
    assert cited.number.split("/")[0] in (link.context or "")
    assert link.created_by_id == staff.id
    assert all(r.target_id != citing.id for r in created)
    assert events(db_session, link.id) == ["suggest"]
    # Scanning again adds nothing.
    assert services.suggest_for_document(db_session, citing, staff) == []


def test_unknown_numbers_are_kept_without_a_target(db_session: Any) -> None:
    version = VersionFactory(
        text="Căn cứ Luật Đất đai số 999/2031/QH99;\nĐiều 1. Phạm vi\nLuật này quy định."
    )
    (relation,) = services.suggest_from_version(db_session, version)
    assert relation.target_id is None
    assert (relation.cited_number, relation.kind) == ("999/2031/QH99", "basis")


def test_self_citations_are_skipped(db_session: Any) -> None:
    doc = DocumentFactory(number="12/2024/QH15", number_key="12/2024/qh15")
    version = VersionFactory(
        document=doc, text="Luật số: 12/2024/QH15\nĐiều 1. Luật số 12/2024/qh15"
    )
    assert services.suggest_from_version(db_session, version) == []


def test_confirm_with_a_corrected_kind_is_not_suggested_again(
    db_session: Any, citing: Document, make_user: Any
) -> None:
    head = make_user("head")
    created = services.suggest_for_document(db_session, citing, None)
    first = created[0]
    detected = first.kind
    other = "guides" if detected != "guides" else "amends"
    if any(r.cited_key == first.cited_key and r.kind == other for r in created):
        pytest.skip("the text already has both kinds for this number")
    services.confirm(db_session, first.id, head, kind=other, note="đúng là hướng dẫn")
    assert (first.state, first.kind, first.detected_kind) == ("confirmed", other, detected)
    assert first.decided_by_id == head.id and first.decided_at is not None
    assert services.suggest_for_document(db_session, citing, None) == []
    assert events(db_session, first.id) == ["suggest", "confirm"]
    with pytest.raises(Conflict):
        services.confirm(db_session, first.id, head)


def test_dismissed_suggestions_stay_dismissed(
    db_session: Any, citing: Document, make_user: Any
) -> None:
    staff = make_user("staff")
    created = services.suggest_for_document(db_session, citing, None)
    services.dismiss(db_session, created[0].id, staff, note="không liên quan")
    assert created[0].state == "dismissed"
    assert services.suggest_for_document(db_session, citing, None) == []
    with pytest.raises(Conflict):
        services.dismiss(db_session, created[0].id, staff)
    listing = services.relations_of(db_session, citing)
    assert created[0] not in listing.suggestions + listing.outgoing


def test_manual_relation_is_confirmed_and_listed_both_ways(
    db_session: Any, citing: Document, cited: Document, make_user: Any
) -> None:
    staff = make_user("staff")
    relation = services.create_relation(
        db_session, citing, staff, kind="amends", target_id=cited.external_id, note="thủ công"
    )
    assert (relation.state, relation.target_id, relation.cited_number) == (
        "confirmed",
        cited.id,
        cited.number,
    )
    assert services.relations_of(db_session, citing).outgoing == [relation]
    incoming = services.relations_of(db_session, cited)
    assert incoming.incoming == [relation]
    assert [(k, d) for k, d, _ in incoming.grouped()] == [("amends", "incoming")]
    with pytest.raises(Conflict):
        services.create_relation(
            db_session, citing, staff, kind="amends", cited_number=cited.number
        )
    assert events(db_session, relation.id) == ["create"]


def test_manual_relation_by_number_resolves_or_keeps_the_number(
    db_session: Any, citing: Document, cited: Document, make_user: Any
) -> None:
    staff = make_user("staff")
    by_number = services.create_relation(
        db_session, citing, staff, kind="basis", cited_number=cited.number.lower()
    )
    assert by_number.target_id == cited.id
    unknown = services.create_relation(
        db_session, citing, staff, kind="basis", cited_number="1/2099/QH99"
    )
    assert unknown.target_id is None


def test_manual_relation_confirms_a_pending_suggestion(
    db_session: Any, citing: Document, make_user: Any
) -> None:
    staff = make_user("staff")
    suggestion = services.suggest_for_document(db_session, citing, None)[0]
    same = services.create_relation(
        db_session, citing, staff, kind=suggestion.kind, cited_number=suggestion.cited_number
    )
    assert same.id == suggestion.id and same.state == "confirmed"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "basis"}, "target"),
        ({"kind": "cites", "cited_number": "1/2020/QH14"}, "kind"),
        ({"kind": "basis", "target_id": "no-such-doc"}, "target"),
        ({"kind": "basis", "cited_number": "1/2020/QH14", "note": "x" * 2001}, "note"),
    ],
)
def test_bad_manual_relations_name_the_field(
    db_session: Any, citing: Document, make_user: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.create_relation(db_session, citing, make_user("staff"), **kwargs)
    assert field in raised.value.fields


def test_a_document_cannot_relate_to_itself(
    db_session: Any, citing: Document, make_user: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.create_relation(
            db_session, citing, make_user("staff"), kind="basis", target_id=citing.external_id
        )
    assert raised.value.fields == {"target": "self"}


def test_delete_is_audited(
    db_session: Any, citing: Document, cited: Document, make_user: Any
) -> None:
    admin = make_user("admin")
    relation = services.create_relation(
        db_session, citing, admin, kind="basis", target_id=cited.external_id
    )
    relation_id = relation.id
    services.delete(db_session, relation_id, admin)
    assert db_session.get(Relation, relation_id) is None
    assert events(db_session, relation_id) == ["create", "delete"]
    with pytest.raises(NotFound):
        services.delete(db_session, relation_id, admin)


def test_deleting_the_target_keeps_the_cited_number(
    db_session: Any, citing: Document, make_user: Any
) -> None:
    target = DocumentFactory(number="77/2030/QH20", number_key="77/2030/qh20")
    relation = services.create_relation(
        db_session, citing, make_user("staff"), kind="basis", target_id=target.external_id
    )
    db_session.delete(target)
    db_session.flush()
    db_session.refresh(relation)
    assert (relation.target_id, relation.cited_number) == (None, "77/2030/QH20")
