"""The ratings page per role, suggesting and deciding from it, in Vietnamese and English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import ratings
from emulation.models import QualityRating
from lis.auth.models import ROLES
from tests.emulation.ratings.helpers import YEAR, snapshot, ten_good_or_better
from tests.factories import PersonFactory, UserFactory, unit_by_code

READERS = {"admin", "officer", "council", "head", "staff"}
PAGE = "/emulation/ratings"


@pytest.fixture
def setup(db_session: Any) -> dict[str, Any]:
    lines = ten_good_or_better("UB-PLTP-V")
    snapshot(db_session, lines)
    officer = UserFactory(roles=["officer"])
    rows = ratings.suggest_for_unit(db_session, officer, unit_by_code("UB-PLTP-V").id, YEAR)
    db_session.commit()
    by_person = {r.person_id: r for r in rows}
    return {"lines": lines, "rows": [by_person[who.id] for who, _ in lines]}


def forms(html: str) -> list[str]:
    return re.findall(r'action="(/emulation/ratings/\d+/decide)"', html)


@pytest.mark.parametrize("role", ROLES)
def test_page_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-PLTP")
    resp = client.get(PAGE, query_string={"year": YEAR, "unit": "UB-PLTP-V", "lang": "en"})
    assert resp.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        return
    html = resp.get_data(as_text=True)
    names = [who.name for who, _ in setup["lines"]]
    if role == "staff":
        assert not any(name in html for name in names)  # a staff member sees only their own
        return
    assert all(name in html for name in names)
    assert "Cap of excellent: at most 2 of the 10 rated good or better (20%)" in html
    assert "now 2 excellent" in html and "exceeds the cap" not in html
    assert "but at most 2 of the 10 people rated good or better" in html  # the cap's reason
    assert "Decree 335/2025" in html
    assert len(forms(html)) == (11 if role in ("head", "admin") else 0)
    assert ("Suggest from the latest scores" in html) == (role in ("head", "admin", "officer"))


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    resp = client.get(PAGE)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_vietnamese_by_default(client: FlaskClient, login: Any, setup: Any) -> None:
    login("head", unit="UB-PLTP")
    html = client.get(PAGE, query_string={"year": YEAR}).get_data(as_text=True)
    assert "Hoàn thành xuất sắc nhiệm vụ" in html and "Hoàn thành tốt nhiệm vụ" in html
    assert setup["lines"][0][0].name in html  # a head sees their unit by default


def test_staff_see_their_own(client: FlaskClient, db_session: Any) -> None:
    user = UserFactory(roles=["staff"])
    me = PersonFactory(user=user, unit=unit_by_code("UB-PLTP-V"))
    other = PersonFactory(unit=unit_by_code("UB-PLTP-V"))
    snapshot(db_session, [(me, 80.0), (other, 85.0)])
    ratings.suggest_for_unit(db_session, UserFactory(roles=["admin"]), me.unit_id, YEAR)
    from tests.factories import TEST_PASSWORD

    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    html = client.get(PAGE, query_string={"year": YEAR, "lang": "en"}).get_data(as_text=True)
    assert me.name in html and other.name not in html
    assert "Cap of excellent" not in html  # counts are for readers of the whole unit


def test_unverified_years_say_so(client: FlaskClient, login: Any, db_session: Any) -> None:
    lines = ten_good_or_better("UB-PLTP-V")
    snapshot(db_session, lines, year=2025)
    login("officer")
    html = client.get(PAGE, query_string={"year": 2025, "lang": "en"}).get_data(as_text=True)
    assert "not verified for this year" in html


def test_suggest_from_the_page(client: FlaskClient, login: Any, db_session: Any) -> None:
    lines = ten_good_or_better("UB-PLTP-V")
    snapshot(db_session, lines)
    login("head", unit="UB-PLTP")
    resp = client.post(
        f"{PAGE}/suggest?lang=en",
        data={"unit": "UB-PLTP-V", "year": YEAR, "next": f"{PAGE}?year={YEAR}&unit=UB-PLTP-V"},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{PAGE}?year={YEAR}&unit=UB-PLTP-V"
    count = db_session.scalar(
        select(QualityRating.id).where(QualityRating.person_id == lines[0][0].id)
    )
    assert count is not None
    html = client.get(resp.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "Ratings suggested from the latest scores (people rated: 11)" in html


def test_suggest_without_scores_says_so(client: FlaskClient, login: Any) -> None:
    login("officer")
    resp = client.post(
        f"{PAGE}/suggest", data={"unit": "UB-PLTP-V", "year": 2030}, follow_redirects=True
    )
    assert resp.status_code == 200
    assert "2030" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "council", "deputy"])
def test_suggest_refused(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-PLTP")
    resp = client.post(f"{PAGE}/suggest", data={"unit": "UB-PLTP-V", "year": YEAR})
    assert resp.status_code == 403


def test_decide_from_the_page(client: FlaskClient, login: Any, setup: Any, db_session: Any) -> None:
    head = login("head", unit="UB-PLTP")
    db_session.commit()  # a refused form rolls back to here, not past the head
    row = setup["rows"][3]  # 85: good
    back = f"{PAGE}?year={YEAR}&unit=UB-PLTP-V"
    url = f"{PAGE}/{row.id}/decide?lang=en"
    # A different band without a comment: the form comes back with the problem beside it.
    resp = client.post(url, data={"band": "completed", "comment": "", "next": back + "&lang=en"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="comment-%d-error"' % row.id in html
    assert "Say why the decision differs from the suggestion" in html
    # The third (91, suggested good by the cap) as excellent: over the cap.
    third = setup["rows"][2]
    resp = client.post(
        f"{PAGE}/{third.id}/decide",
        data={"band": "excellent", "comment": "lead author", "next": back + "&lang=en"},
    )
    assert resp.status_code == 409
    assert 'id="override-%d-error"' % third.id in resp.get_data(as_text=True)
    resp = client.post(
        f"{PAGE}/{third.id}/decide",
        data={
            "band": "excellent",
            "comment": "lead author",
            "cap_override_reason": "exceptional year",
            "next": back,
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"] == back
    resp = client.post(url, data={"band": "good", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp.headers["Location"] == PAGE
    db_session.expire_all()
    decided = db_session.get(QualityRating, row.id)
    assert decided.band == "good" and decided.decided_by_id == head.id
    html = client.get(back + "&lang=en").get_data(as_text=True)
    assert "Cap exceeded:" in html and "exceptional year" in html
    assert "now 3 excellent" in html and "The unit exceeds the cap." in html
    assert head.email in html


def test_decide_refused(client: FlaskClient, login: Any, setup: Any) -> None:
    row = setup["rows"][3]
    login("head", unit="UB-KTTC")
    assert client.post(f"{PAGE}/{row.id}/decide", data={"band": "good"}).status_code == 403
    client.post("/logout")
    login("officer")
    assert client.post(f"{PAGE}/{row.id}/decide", data={"band": "good"}).status_code == 403
    client.post("/logout")
    login("head", unit="UB-PLTP")
    assert client.post(f"{PAGE}/{10**12}/decide", data={"band": "good"}).status_code == 404


def test_bad_page_arguments(client: FlaskClient, login: Any, setup: Any) -> None:
    login("officer")
    assert client.get(PAGE, query_string={"unit": "NOPE"}).status_code == 404
    assert client.get(PAGE, query_string={"unit": "x" * 300}).status_code == 404
    assert client.get(PAGE, query_string={"year": "abc", "page": "-3"}).status_code == 200
    assert client.get(PAGE, query_string={"year": 10**20}).status_code == 200
