"""The review pages: who opens them, the queue's contents, and each form's happy and sad paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient

from lis import clock
from lis.auth.models import ROLES
from lis.contributions import review
from tests.contributions.helpers import log, make_draft
from tests.contributions.review.conftest import World

REVIEWERS = {"admin", "head"}


def html(resp: Any) -> str:
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_queue_page_per_role(role: str, client: FlaskClient, login: Any, world: World) -> None:
    login(role, unit="UB-PLTP-V")
    resp = client.get("/review/")
    assert resp.status_code == (200 if role in REVIEWERS else 403)
    if role in REVIEWERS:
        assert f'id="contribution-{world.c.id}"' in html(resp)


@pytest.mark.parametrize("role", ROLES)
def test_posting_per_role(role: str, client: FlaskClient, login: Any, world: World) -> None:
    login(role, unit="UB-PLTP-V")
    resp = client.post(f"/review/{world.c.id}/verify", data={"next": "/review/"})
    assert resp.status_code == (302 if role in REVIEWERS else 403)


def test_the_queue_shows_what_a_head_needs(
    client: FlaskClient, login: Any, db_session: Any, world: World
) -> None:
    today = clock.today()
    second = make_draft(db_session, world.admin, title="Luật thử nghiệm thứ hai")
    late = log(
        db_session,
        world.staff,
        document=second,
        title="Báo cáo trễ hạn",
        due_date=today - dt.timedelta(days=5),
        delivered_date=today - dt.timedelta(days=2),
    )
    db_session.commit()
    login(user=world.committee_head)
    page = html(client.get("/review/"))
    assert world.c.title in page and late.title in page
    assert world.staff.name in page and "UB-PLTP-V" in page
    assert page.count('class="review-group"') == 2  # grouped by draft by default
    assert "badge--late" in page.split(f'id="contribution-{late.id}"')[1]
    assert 'name="reason"' in page and "/verify" in page
    by_date = html(client.get("/review/?order=delivered"))
    assert by_date.count('class="review-group"') == 1
    assert by_date.index(f"contribution-{late.id}") < by_date.index(f"contribution-{world.c.id}")
    # Only the committee itself, without its department: nothing.
    only = html(client.get("/review/?unit=UB-PLTP&f=1"))
    assert f"contribution-{world.c.id}" not in only
    assert client.get("/review/?unit=UB-KTTC").status_code == 403
    assert client.get("/review/?unit=NOPE").status_code == 404


def test_verify_then_rate_and_record_the_outcome(
    client: FlaskClient, login: Any, db_session: Any, world: World
) -> None:
    login(user=world.head)
    resp = client.post(f"/review/{world.c.id}/verify", data={"next": "/review/?order=delivered"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/review/?order=delivered")
    db_session.refresh(world.c)
    assert world.c.state == "verified"
    page = html(client.get("/review/?tab=recent"))
    item = page.split(f'id="contribution-{world.c.id}"')[1]
    for band in ("excellent", "good", "completed", "not_completed"):
        assert f'name="quality" value="{band}"' in item
    assert 'name="version"' in item and '<option value="2"' in item
    assert '<option value="1"' not in item  # the advice concerns version 1
    resp = client.post(
        f"/review/{world.c.id}/rate",
        data={"quality": "good", "comment": "Đạt yêu cầu", "major_errors": "1", "next": "/review/"},
    )
    assert resp.status_code == 302
    resp = client.post(
        f"/review/{world.c.id}/outcome",
        data={"outcome": "partly_accepted", "version": "2", "next": "/review/?tab=recent"},
    )
    assert resp.status_code == 302
    db_session.refresh(world.c)
    assert (world.c.quality, world.c.major_errors, world.c.outcome) == (
        "good",
        1,
        "partly_accepted",
    )
    page = html(client.get("/review/?tab=recent"))
    assert "Đạt yêu cầu" in page and "review-outcome" in page


def test_a_rejection_needs_a_reason(
    client: FlaskClient, login: Any, db_session: Any, world: World
) -> None:
    login(user=world.head)
    resp = client.post(f"/review/{world.c.id}/reject", data={"reason": "", "next": "/review/"})
    assert resp.status_code == 422
    assert 'aria-invalid="true"' in html(resp).split(f'id="contribution-{world.c.id}"')[1]
    resp = client.post(
        f"/review/{world.c.id}/reject",
        data={"reason": "Thiếu bảng so sánh", "next": "/review/"},
    )
    assert resp.status_code == 302
    db_session.refresh(world.c)
    assert (world.c.state, world.c.reject_reason) == ("rejected", "Thiếu bảng so sánh")
    page = html(client.get("/review/?tab=recent"))
    assert "Thiếu bảng so sánh" in page


def test_bad_ratings_and_outcomes_are_shown_beside_the_row(
    client: FlaskClient, login: Any, db_session: Any, world: World
) -> None:
    review.verify(db_session, world.committee_head, world.c.id)
    db_session.commit()
    login(user=world.head)
    for data in (
        {"quality": "good", "major_errors": "101"},
        {"quality": "good", "major_errors": "x"},
        {"quality": "superb", "major_errors": "0"},
    ):
        resp = client.post(
            f"/review/{world.c.id}/rate", data={**data, "next": "/review/?tab=recent"}
        )
        assert resp.status_code == 422, data
        assert "field__error" in html(resp)
    resp = client.post(
        f"/review/{world.c.id}/outcome",
        data={"outcome": "accepted", "version": "1", "next": "/review/?tab=recent"},
    )
    assert resp.status_code == 422
    assert "field__error" in html(resp).split(f'id="contribution-{world.c.id}"')[1]
    db_session.refresh(world.c)
    assert world.c.quality is None and world.c.outcome is None


def test_own_work_and_wrong_states(
    client: FlaskClient, login: Any, db_session: Any, world: World
) -> None:
    own = log(db_session, world.head, document=world.doc)
    db_session.commit()
    login(user=world.head)
    assert f"contribution-{own.id}" not in html(client.get("/review/"))
    assert client.post(f"/review/{own.id}/verify", data={}).status_code == 403
    assert client.post(f"/review/{world.c.id}/verify", data={}).status_code == 302
    again = client.post(f"/review/{world.c.id}/verify", data={})  # already verified: a notice
    assert again.status_code == 302
    assert client.post("/review/999999999/verify", data={}).status_code == 404


def test_next_never_leaves_the_review_pages(client: FlaskClient, login: Any, world: World) -> None:
    login(user=world.head)
    for target in ("https://evil.example/", "//evil.example/review/", "/admin/people"):
        resp = client.post(f"/review/{world.c.id}/verify", data={"next": target})
        assert resp.headers["Location"] in ("/review/", "http://localhost/review/")
