"""Demo drafts for a laptop (`lis seed demo`): an amending law under verification with two
versions that differ in every way the comparer shows, a resolution being drafted by a committee
and an ordinance just put in the programme. Idempotent: a draft with the same title is left
alone. Never used in production."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.auth import services as auth_services
from lis.demo import demo_email
from lis.documents.models import Document
from lis.drafts import services

DATA_DIR = Path(__file__).resolve().parent / "data"


def _text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


LAW_V1 = _text("demo_law_v1.txt")

LAW_V2 = _text("demo_law_v2.txt")

RESOLUTION_V1 = _text("demo_resolution_v1.txt")


@dataclass
class DemoDraft:
    data: dict[str, Any]
    # (label, date, text) of each version, in order.
    versions: list[tuple[str, dt.date, str]] = field(default_factory=list)
    # (stage, date, note) moves after the initial stage, in order.
    moves: list[tuple[str, dt.date, str]] = field(default_factory=list)
    created: dt.date = dt.date(2025, 3, 1)


DEMO_DRAFTS: tuple[DemoDraft, ...] = (
    DemoDraft(
        data={
            "kind": "law",
            "title": "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính",
            "summary": "Sửa đổi nguyên tắc, thẩm quyền xử phạt và bổ sung xử phạt điện tử.",
            "drafting_agency": "Chính phủ",
            "lead_unit": "UB-PLTP",
            "term": "XV",
            "planned_sessions": ["XV-10"],
            "subjects": ["vi phạm hành chính", "chuyển đổi số"],
        },
        versions=[
            ("Dự thảo trình Quốc hội", dt.date(2025, 8, 25), LAW_V1),
            ("Dự thảo chỉnh lý sau thẩm tra", dt.date(2025, 10, 6), LAW_V2),
        ],
        moves=[
            ("S_DRAFTING", dt.date(2025, 3, 20), "Bộ Tư pháp chủ trì soạn thảo."),
            ("S_APPRAISAL", dt.date(2025, 7, 1), "Gửi hồ sơ thẩm định."),
            ("S_SUBMITTED", dt.date(2025, 8, 25), "Tờ trình của Chính phủ."),
            ("S_VERIFY", dt.date(2025, 9, 2), "Ủy ban Pháp luật và Tư pháp chủ trì thẩm tra."),
        ],
        created=dt.date(2025, 3, 1),
    ),
    DemoDraft(
        data={
            "kind": "resolution",
            "adopted_by": "QH",
            "title": "Nghị quyết về thí điểm một số cơ chế, chính sách tài chính đặc thù",
            "drafting_unit": "UB-KTTC",
            "lead_unit": "UB-KTTC",
            "term": "XV",
            "planned_sessions": ["XV-10"],
            "subjects": ["tài chính"],
        },
        versions=[("Dự thảo lần 1", dt.date(2025, 6, 10), RESOLUTION_V1)],
        moves=[("S_DRAFTING", dt.date(2025, 5, 15), "")],
        created=dt.date(2025, 5, 5),
    ),
    DemoDraft(
        data={
            "kind": "ordinance",
            "title": "Pháp lệnh sửa đổi, bổ sung một số điều của Pháp lệnh Chi phí tố tụng",
            "drafting_agency": "Tòa án nhân dân tối cao",
            "lead_unit": "UB-PLTP",
            "term": "XV",
            "subjects": ["tố tụng"],
        },
        created=dt.date(2025, 9, 1),
    ),
)


def ensure_demo_drafts(session: Session) -> list[tuple[str, str]]:
    """Create the demo drafts that do not exist yet; (external id, title) of those created.
    Acts as the demo admin (who may record any actor's act)."""
    actor = auth_services.find_user(session, demo_email("admin"))
    if actor is None:
        return []
    created: list[tuple[str, str]] = []
    for demo in DEMO_DRAFTS:
        exists = session.scalar(
            select(Document.id).where(
                Document.origin == "draft", Document.title == demo.data["title"]
            )
        )
        if exists:
            continue
        doc = services.create_draft(session, actor, dict(demo.data), today=demo.created)
        # The demo record goes back to when the draft was put on the programme.
        doc.created_at = dt.datetime.combine(demo.created, dt.time(9))
        for label, day, text in demo.versions:
            services.add_version(session, actor, doc, label, text, day, "demo")
        for stage, day, note in demo.moves:
            services.move_stage(session, actor, doc, stage, note, day)
        created.append((doc.external_id, doc.title))
    return created
