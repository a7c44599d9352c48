"""The demo drafts: seeded once, with a comparable pair of versions and a verification stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lis.demo import ensure_demo_users
from lis.documents.models import Document, VersionPart
from lis.drafts.demo import ensure_demo_drafts
from lis.relations.models import Relation


def test_demo_drafts_are_idempotent(db_session: Any) -> None:
    ensure_demo_users(db_session)
    created = ensure_demo_drafts(db_session)
    assert len(created) == 3
    assert ensure_demo_drafts(db_session) == []
    law = db_session.scalar(select(Document).where(Document.external_id == created[0][0]))
    assert law.stage == "S_VERIFY" and law.lead_unit.code == "UB-PLTP"
    assert [e.to_stage for e in law.stage_events] == [
        "S_PROGRAMME", "S_DRAFTING", "S_APPRAISAL", "S_SUBMITTED", "S_VERIFY",
    ]  # fmt: skip
    v1, v2 = law.versions
    headings = []
    for v in (v1, v2):
        parts = db_session.scalars(
            select(VersionPart).where(VersionPart.version_id == v.id, VersionPart.kind == "article")
        )
        headings.append({p.heading: p.number for p in parts})
    assert "Giải thích từ ngữ" in headings[0] and "Giải thích từ ngữ" not in headings[1]
    assert "Xử phạt trên môi trường điện tử" in headings[1]
    assert headings[0]["Nguyên tắc xử lý vi phạm hành chính"] == "4"
    assert headings[1]["Nguyên tắc xử lý vi phạm hành chính"] == "3"
    # The numbers the versions cite wait, as suggestions, for a person to decide on them.
    suggested = db_session.scalars(select(Relation).where(Relation.source_id == law.id)).all()
    assert {(r.cited_key, r.kind, r.state, r.version_id) for r in suggested} == {
        ("203/2025/qh15", "basis", "suggested", v1.id),
        ("15/2012/qh13", "amends", "suggested", v1.id),
    }


def test_seed_demo_command_adds_the_drafts(app: Any, db_session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo draft draft-" in result.output
    again = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "Demo draft" not in again.output
