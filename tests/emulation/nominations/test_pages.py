"""The nomination pages per role: the list with its state tabs, the new form, the page of a
nomination with its dossier checklist, upload form, moves and history, and the downloads."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from emulation.commendation_models import DossierItem, Nomination
from lis.auth.models import ROLES
from tests.emulation.nominations.helpers import YEAR, Cast, cast, draft, fill, pdf, txt

BASE = "/emulation/nominations"
READERS = {"admin", "officer", "council", "head", "staff"}
CREATORS = {"admin", "officer", "head"}


@pytest.fixture
def c(db_session: Any) -> Cast:
    return cast()


@pytest.fixture
def n(db_session: Any, c: Cast) -> Nomination:
    row = draft(db_session, c, summary="Nhiều sáng kiến")
    fill(db_session, c.head, row, ("request",))
    db_session.commit()  # a refused form rolls back to here (a savepoint in tests)
    return row


def user_for(role: str, c: Cast) -> Any:
    return {
        "head": c.head,
        "staff": c.staff,
        "officer": c.officer,
        "admin": c.admin,
        "council": c.council,
        "deputy": c.deputy,
    }[role]


def test_anonymous_readers_go_to_the_login(client: FlaskClient, n: Nomination) -> None:
    for path in (f"{BASE}/", f"{BASE}/new", f"{BASE}/{n.id}"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(role: str, client: FlaskClient, login: Any, c: Cast, n: Nomination) -> None:
    login(user=user_for(role, c))
    listing = client.get(f"{BASE}/?lang=en")
    page = client.get(f"{BASE}/{n.id}?lang=en")
    assert listing.status_code == page.status_code == (200 if role in READERS else 403)
    assert client.get(f"{BASE}/new").status_code == (200 if role in CREATORS else 403)
    item = n.dossier[0]
    download = client.get(f"{BASE}/{n.id}/dossier/{item.id}")
    assert download.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        return
    assert download.data == pdf(f"{n.id}-request")
    html = listing.get_data(as_text=True)
    assert f'id="nomination-{n.id}"' in html and "Draft (1)" in html
    assert ('id="new-nomination"' in html) == (role in CREATORS)
    html = page.get_data(as_text=True)
    assert c.nominee.name in html and "Nhiều sáng kiến" in html
    # The checklist: the request provided with its name, size and short checksum; the rest missing.
    request_row = html[
        html.index('id="dossier-request"') : html.index('id="dossier-achievement_report"')
    ]
    assert "✓" in request_row and item.name in request_row and item.sha256[:12] in request_row
    assert f"{item.size} bytes" in request_row
    assert "missing" in html[html.index('id="dossier-minutes"') :]
    assert ('id="move-unit_review"' in html) == (role in ("head", "admin"))
    assert ('id="dossier-upload"' in html) == (role in ("head", "admin"))
    assert ('id="delete-draft"' in html) == (role == "head")
    assert 'id="history"' in html


def test_new_form_creates_a_draft_and_names_bad_fields(
    client: FlaskClient, login: Any, c: Cast, db_session: Any
) -> None:
    login(user=c.head)
    page = client.get(f"{BASE}/new?lang=en").get_data(as_text=True)
    assert c.nominee.name in page and "UB-KTTC-V" not in page  # only the head's units
    resp = client.post(
        f"{BASE}/new?lang=en",
        data={"title": "TTLDTT", "year": YEAR, "person_id": str(c.nominee.id), "unit": ""},
    )
    assert resp.status_code == 422
    assert "This title is for a unit: choose a unit, not a person." in resp.get_data(as_text=True)
    resp = client.post(f"{BASE}/new?lang=en", data={"title": "GK", "year": "1990"})
    assert resp.status_code == 422 and "field__error" in resp.get_data(as_text=True)
    resp = client.post(
        f"{BASE}/new",
        data={"title": "GK", "year": YEAR, "person_id": str(c.nominee.id), "summary": "Tốt"},
    )
    assert resp.status_code == 302
    new_id = int(re.search(r"/(\d+)$", resp.headers["Location"]).group(1))
    assert db_session.get(Nomination, new_id).summary == "Tốt"
    again = client.post(
        f"{BASE}/new?lang=en", data={"title": "GK", "year": YEAR, "person_id": str(c.nominee.id)}
    )
    assert again.status_code == 409 and "one live nomination" in again.get_data(as_text=True)


def test_moves_with_and_without_an_override(
    client: FlaskClient, login: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    login(user=c.head)
    resp = client.post(f"{BASE}/{n.id}/transitions", data={"to": "unit_review", "note": "Trình"})
    assert resp.status_code == 302
    client.post("/logout")
    login(user=c.above)
    page = client.get(f"{BASE}/{n.id}?lang=en").get_data(as_text=True)
    assert 'id="nomination-blockers"' in page and 'id="move-council"' in page
    resp = client.post(f"{BASE}/{n.id}/transitions?lang=en", data={"to": "council"})
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "give a reason to move on anyway" in html and 'aria-invalid="true"' in html
    resp = client.post(
        f"{BASE}/{n.id}/transitions",
        data={"to": "council", "override_reason": "Biên bản bổ sung sau"},
    )
    assert resp.status_code == 302
    db_session.expire_all()
    assert db_session.get(Nomination, n.id).state == "council"
    page = client.get(f"{BASE}/{n.id}?lang=en").get_data(as_text=True)
    assert "Biên bản bổ sung sau" in page and 'id="council-note"' in page
    resp = client.post(f"{BASE}/{n.id}/transitions?lang=en", data={"to": "decided"})
    assert resp.status_code == 409  # a ballot decides


def test_upload_remove_and_delete_through_the_pages(
    client: FlaskClient, login: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    login(user=c.head)
    resp = client.post(
        f"{BASE}/{n.id}/dossier",
        data={"kind": "minutes", "file": (io.BytesIO(txt("bien ban")), "bien-ban.txt")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    db_session.expire_all()
    kinds = {i.kind: i for i in db_session.get(Nomination, n.id).dossier}
    assert kinds["minutes"].content_type == "text/plain"
    resp = client.post(
        f"{BASE}/{n.id}/dossier?lang=en",
        data={"kind": "minutes", "file": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "Upload a PDF, Word, PNG, JPEG or plain text file" in resp.get_data(as_text=True)
    resp = client.post(f"{BASE}/{n.id}/dossier?lang=en", data={"kind": "minutes"})
    assert resp.status_code == 422
    resp = client.post(f"{BASE}/{n.id}/dossier/{kinds['minutes'].id}/delete")
    assert resp.status_code == 302
    db_session.expire_all()
    assert "minutes" not in {i.kind for i in db_session.get(Nomination, n.id).dossier}
    assert client.post(f"{BASE}/{n.id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.get(Nomination, n.id) is None


def test_a_tampered_file_is_not_downloaded(
    client: FlaskClient, login: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    item = n.dossier[0]
    db_session.execute(update(DossierItem).where(DossierItem.id == item.id).values(data=b"x"))
    db_session.commit()
    login(user=c.officer)
    assert client.get(f"{BASE}/{n.id}/dossier/{item.id}").status_code == 409


def test_outsiders_and_staff_cannot_act(
    client: FlaskClient, login: Any, c: Cast, n: Nomination
) -> None:
    login(user=c.outsider)
    assert client.get(f"{BASE}/{n.id}").status_code == 403
    assert client.post(f"{BASE}/{n.id}/transitions", data={"to": "unit_review"}).status_code == 403
    client.post("/logout")
    login(user=c.staff)
    assert client.post(f"{BASE}/{n.id}/transitions", data={"to": "unit_review"}).status_code == 403
    assert client.post(f"{BASE}/{n.id}/delete").status_code == 403
    resp = client.post(
        f"{BASE}/{n.id}/dossier",
        data={"kind": "other", "file": (io.BytesIO(pdf("s")), "s.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403


def test_pages_print_and_translate(client: FlaskClient, login: Any, c: Cast, n: Nomination) -> None:
    login(user=c.officer)
    html = client.get(f"{BASE}/{n.id}").get_data(as_text=True)
    assert "@media print" in html
    assert client.get(f"{BASE}/?state=nope&year=abc&title=x").status_code == 200


def test_the_page_links_the_eligibility_report(
    client: FlaskClient, login: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    from tests.emulation.nominations.helpers import report

    row = report(db_session, n, [], outcome="unknown")
    db_session.commit()
    login(user=c.officer)
    html = client.get(f"{BASE}/{n.id}?lang=en").get_data(as_text=True)
    assert f"Report {row.id} of" in html
    if "emulation_eligibility.report" in client.application.view_functions:
        assert f'href="/emulation/eligibility/{row.id}"' in html
