"""The advisers panel of a draft: per stage and unit, with quality bands only for those who may
see them, and what became of the cited articles in the next version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lis.auth.models import ROLES
from lis.clock import today as clock_today
from lis.contributions import advisers, review
from lis.contributions.models import Contribution
from lis.contributions.rules import Upload
from lis.documents.compare import compare_texts
from lis.documents.models import Document
from lis.drafts import services as drafts
from tests.contributions.helpers import LEAD_UNIT, log, make_draft, member
from tests.drafts.helpers import V2

# Version 3: Điều 1 rewritten, a new Điều 3 inserted, so the old Điều 3 and 4 move down by one.
V3 = """LUẬT
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Luật này sửa đổi, bổ sung một số điều của Luật thử nghiệm, Luật kiểm tra và Luật đo lường.

Điều 2. Nguyên tắc thử nghiệm
Việc thử nghiệm phải bảo đảm công khai, minh bạch.

Điều 3. Chính sách của Nhà nước về thử nghiệm
Nhà nước khuyến khích tổ chức, cá nhân tham gia hoạt động thử nghiệm.

Điều 4. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Thử nghiệm là việc kiểm tra.

Điều 5. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2026.
"""


def _world(session: Session) -> dict[str, Any]:
    """A draft with three versions; staff advice on articles 1 and 3 of version 2, verified,
    rated and judged by the committee's head; and a withdrawn one that must not show."""
    today = clock_today()
    admin = member(session, "admin", unit=LEAD_UNIT)
    doc = make_draft(session, admin)
    drafts.add_version(session, admin, doc, "Dự thảo 3", V3, today - dt.timedelta(days=10))
    author = member(session, "staff")
    head = member(session, "head", unit=LEAD_UNIT)
    advice = log(
        session,
        author,
        document=doc,
        version=2,
        articles=["dieu-1", "dieu-3"],
        due_date=today - dt.timedelta(days=33),
        delivered_date=today - dt.timedelta(days=30),
        upload=Upload("bao-cao.pdf", "application/pdf", b"%PDF-1.4 report"),
    )
    review.verify(session, head, advice.id)
    review.rate(session, head, advice.id, "excellent", "Rõ ràng", 0)
    review.record_outcome(session, head, advice.id, "partly_accepted", 3)
    gone = log(session, author, document=doc, title="Bản nháp rút lại")
    from lis.contributions.services import withdraw_contribution

    withdraw_contribution(session, author, gone.id, "nhầm")
    session.commit()
    return {"doc": doc, "author": author, "head": head, "advice": advice, "gone": gone}


def _items(panel: advisers.AdvisersPanel) -> list[advisers.AdviserItem]:
    return [i for s in panel.stages for u in s.units for i in u.items]


def test_panel_groups_by_stage_and_unit_and_hides_withdrawn(db_session: Session) -> None:
    w = _world(db_session)
    panel = advisers.advisers_panel(db_session, w["head"], w["doc"])
    assert [s.stage for s in panel.stages] == ["S_VERIFY"]
    assert [u.code for u in panel.stages[0].units] == ["UB-PLTP-V"]
    items = _items(panel)
    assert [i.contribution.id for i in items] == [w["advice"].id]
    item = items[0]
    assert item.days_late == 3
    assert item.file_name == "bao-cao.pdf"
    assert item.quality == "excellent"
    assert item.contribution.outcome == "partly_accepted"


def test_cited_articles_traced_to_the_next_version(db_session: Session) -> None:
    w = _world(db_session)
    item = _items(advisers.advisers_panel(db_session, w["head"], w["doc"]))[0]
    assert (item.version_seq, item.next_seq) == (2, 3)
    traces = {t.path: t for t in item.traces}
    assert traces["dieu-1"].status == "changed"
    assert traces["dieu-3"].status == "renumbered"
    assert traces["dieu-3"].new_number == "4"
    assert traces["dieu-3"].new_path == "dieu-4"
    # The anchor is the article's row on the compare page (rows counted from 1, as it does).
    comparison = compare_texts(V2, V3)
    for path, trace in traces.items():
        index = int(trace.anchor.removeprefix("change-"))
        assert comparison.changes[index - 1].old_path == path


def test_trace_of_a_removed_and_an_unknown_article() -> None:
    old = "Điều 1. A\nNội dung một.\n\nĐiều 2. B\nNội dung hai khác hẳn.\n"
    new = "Điều 1. A\nNội dung một.\n"
    traces = advisers.trace_articles(compare_texts(old, new), ["dieu-2", "dieu-9", "dieu-1"])
    assert [(t.path, t.status) for t in traces] == [
        ("dieu-2", "removed"),
        ("dieu-9", "unknown"),
        ("dieu-1", "unchanged"),
    ]
    assert traces[1].anchor is None


def test_no_next_version_means_no_trace(db_session: Session) -> None:
    admin = member(db_session, "admin", unit=LEAD_UNIT)
    doc = make_draft(db_session, admin)
    author = member(db_session, "staff")
    log(db_session, author, document=doc, version=2, articles=["dieu-1"])
    item = _items(advisers.advisers_panel(db_session, author, doc))[0]
    assert item.version_seq == 2 and item.next_seq is None and item.traces == []


QUALITY_READERS = {"admin", "head", "officer", "council"}


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role_quality_rule(
    client: Any, db_session: Session, token_for: Any, role: str
) -> None:
    w = _world(db_session)
    token = token_for(role, unit="UB-PLTP-V")
    resp = client.get(
        f"/api/v1/documents/{w['doc'].external_id}/advisers",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["count"] == 1
    c = body["stages"][0]["units"][0]["contributions"][0]
    assert c["state"] == "verified"
    assert c["outcome"] == "partly_accepted" and c["outcome_version"] == 3
    assert c["late"] is True and c["days_late"] == 3
    assert c["quality_visible"] is (role in QUALITY_READERS)
    assert c["quality"] == ("excellent" if role in QUALITY_READERS else None)
    # The file links only for those the ledger lets read it (not deputies, not other staff).
    assert (c["file"]["url"] is not None) is (role in QUALITY_READERS)
    arts = {a["path"]: a for a in c["articles"]}
    assert arts["dieu-3"]["status"] == "renumbered" and arts["dieu-3"]["new_number"] == "4"
    assert re.search(r"/compare\?a=2&b=3#change-\d+$", arts["dieu-1"]["compare_url"])


def test_author_sees_own_quality(client: Any, db_session: Session, token_for: Any) -> None:
    w = _world(db_session)
    resp = client.get(
        f"/api/v1/documents/{w['doc'].external_id}/advisers",
        headers={"Authorization": f"Bearer {token_for(user=w['author'])}"},
    )
    c = resp.get_json()["stages"][0]["units"][0]["contributions"][0]
    assert c["quality"] == "excellent"


def test_api_needs_login_and_a_known_document(client: Any, api: Any) -> None:
    assert client.get("/api/v1/documents/nope/advisers").status_code == 401
    resp = api("/api/v1/documents/no-such-document/advisers")
    assert resp.status_code == 404


@pytest.mark.parametrize("role", ["deputy", "staff", "head"])
def test_document_page_shows_the_panel(
    client: Any, db_session: Session, login: Any, role: str
) -> None:
    w = _world(db_session)
    login(role, unit="UB-PLTP-V")
    page = client.get(f"/documents/{w['doc'].external_id}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="advisers"' in html
    assert w["advice"].title in html
    assert "Bản nháp rút lại" not in html  # withdrawn
    assert "Verified" in html and "Partly accepted" in html
    assert ("Completed the task excellently" in html) is (role == "head")
    assert "#change-" in html and "Renumbered" in html
    assert "3 days late" in html


def test_panel_absent_on_a_law_nobody_advised_on(
    client: Any, db_session: Session, login: Any
) -> None:
    doc = db_session.query(Document).filter(Document.origin != "draft").first()
    assert doc is not None
    login("deputy")
    html = client.get(f"/documents/{doc.external_id}").get_data(as_text=True)
    assert 'id="advisers"' not in html


def test_imported_draft_without_advice_shows_empty_panel(
    client: Any, db_session: Session, login: Any
) -> None:
    doc = make_draft(db_session)
    db_session.commit()
    login("staff", unit="UB-PLTP-V")
    html = client.get(f"/documents/{doc.external_id}?lang=en").get_data(as_text=True)
    assert 'id="advisers"' in html and "Nobody has logged advisory work" in html
    assert db_session.query(Contribution).filter_by(document_id=doc.id).count() == 0
