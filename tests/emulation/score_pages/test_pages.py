"""The score pages per role: who gets which page and which lines, every number opening the
facts behind it, the unverified work set apart, the compute form, reproduce and compare."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation.access import READ_ROLES, RUN_ROLES
from emulation.models import Movement, MovementParticipant, ScoreSnapshot
from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from tests.emulation.helpers import YEAR, fact
from tests.emulation.score_pages.conftest import (
    ALICE,
    BOB,
    CAROL,
    ECONOMY,
    LAW,
    World,
    compute,
    line_ids,
    section,
    snapshot_ids,
)

SEE_ALL = ("admin", "officer", "council")


def _login_as(role: str, login: Any, world: World) -> None:
    """Staff: ALICE herself; a head: the head of ALICE and BOB's department."""
    if role == "staff":
        login(user=world.staff)
    else:
        login(role, unit=LAW)


def _expected_lines(role: str, world: World) -> set[int]:
    if role in SEE_ALL:
        return {row.id for row in world.lines()}
    law_unit = world.alice.unit_id
    if role == "head":
        return {
            world.line(world.alice).id,
            world.line(world.bob).id,
            world.line(unit_id=law_unit).id,
        }
    if role == "staff":
        return {world.line(world.alice).id}
    return set()


def test_anonymous_readers_are_sent_to_log_in(client: FlaskClient, world: World) -> None:
    line = world.line(world.alice)
    for path in (
        "/emulation/scores",
        f"/emulation/scores/{world.snap.id}",
        f"/emulation/scores/lines/{line.id}",
        f"/emulation/scores/{world.snap.id}/reproduce",
        f"/emulation/scores/{world.snap.id}/diff",
    ):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), path
    assert client.post("/emulation/scores", data={"year": YEAR}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_the_list_per_role(role: str, client: FlaskClient, login: Any, world: World) -> None:
    _login_as(role, login, world)
    resp = client.get("/emulation/scores")
    assert resp.status_code == (200 if role in READ_ROLES or role == "admin" else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    row = section_row(html, f"snapshot-{world.snap.id}")
    assert f"/emulation/scores/{world.snap.id}" in row
    assert str(YEAR) in row and world.snap.rule_version in row
    assert f">{world.snap.fact_count}<" in row
    # Only those who compute see the form.
    assert ('name="year"' in html) == (role in RUN_ROLES)


def section_row(html: str, row_id: str) -> str:
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize("role", ROLES)
def test_the_snapshot_shows_each_role_its_lines(
    role: str, client: FlaskClient, login: Any, world: World
) -> None:
    _login_as(role, login, world)
    resp = client.get(f"/emulation/scores/{world.snap.id}")
    if role == "deputy":
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert line_ids(html) == _expected_lines(role, world)
    assert (CAROL in html) == (role in SEE_ALL)
    assert (BOB in html) == (role in (*SEE_ALL, "head"))
    assert ALICE in html
    # The criteria, so a reader knows how the numbers were made.
    criteria = section(html, "criteria")
    for item in world.snap.criteria:
        assert f'id="criterion-{item["code"]}"' in criteria
        assert item["formula"] in criteria


@pytest.mark.parametrize("role", ROLES)
def test_the_line_page_per_role(role: str, client: FlaskClient, login: Any, world: World) -> None:
    _login_as(role, login, world)
    visible = _expected_lines(role, world)
    for row in world.lines():
        resp = client.get(f"/emulation/scores/lines/{row.id}")
        assert resp.status_code == (200 if row.id in visible else 403), (role, row.id)


def test_every_number_opens_the_facts_behind_it(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("officer", unit=LAW)
    html = client.get(f"/emulation/scores/{world.snap.id}").get_data(as_text=True)
    alice = world.line(world.alice)
    row = section_row(html, f"line-{alice.id}")
    # Each criterion's value, the total, the rank and the pending count are links.
    for code in alice.values:
        assert f'href="/emulation/scores/lines/{alice.id}#c-{code}"' in row, code
    numbers = re.findall(r"<td class=\"num[^\"]*\">(.*?)</td>", row, re.S)
    assert numbers and all("<a href=" in cell for cell in numbers), numbers
    # Progress: one of two dated items late, −25 % for it: 87.5, written the Vietnamese way.
    assert re.search(r'#c-progress"[^>]*>87,5<', row)
    assert re.search(r'class="score-pending-count">1<', row)

    page = client.get(f"/emulation/scores/lines/{alice.id}").get_data(as_text=True)
    progress = section(page, "c-progress")
    for c in (world.alice_on_time, world.alice_late):
        assert f'data-fact="{c.id}"' in progress
        assert f'href="/documents/{c.document.external_id}"' in progress
        assert c.document.number in progress
    late_row = section_row(progress, f"facts-progress-fact-{world.alice_late.id}")
    assert "Trễ hạn" in late_row or "score-late" in late_row
    assert f'data-fact="{world.alice_pending.id}"' not in progress
    pending = section(page, "pending")
    assert f'data-fact="{world.alice_pending.id}"' in pending
    assert "không được tính" in pending.lower() or "not counted" in pending.lower()
    quality = section(page, "c-quality")
    assert "Hoàn thành tốt nhiệm vụ" in quality  # the band, in Vietnamese


def test_numbers_follow_the_language(client: FlaskClient, login: Any, world: World) -> None:
    login("officer", unit=LAW)
    alice = world.line(world.alice)
    html = client.get(f"/emulation/scores/{world.snap.id}?lang=en").get_data(as_text=True)
    assert re.search(r'#c-progress"[^>]*>87.5<', section_row(html, f"line-{alice.id}"))
    page = client.get(f"/emulation/scores/lines/{alice.id}?lang=en").get_data(as_text=True)
    assert "Completed the task well" in section(page, "c-quality")
    assert "not counted" in section(page, "pending")


def test_a_criterion_with_nothing_to_read_shows_a_dash(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("officer", unit=LAW)
    carol = world.line(world.carol)
    assert carol.values["effectiveness"] is None  # no outcome recorded
    html = client.get(f"/emulation/scores/{world.snap.id}").get_data(as_text=True)
    assert re.search(r'#c-effectiveness"[^>]*>—<', section_row(html, f"line-{carol.id}"))


def test_filter_by_unit_and_kind(client: FlaskClient, login: Any, world: World) -> None:
    login("council", unit=LAW)
    base = f"/emulation/scores/{world.snap.id}"
    economy = world.carol.unit_id
    html = client.get(f"{base}?unit={ECONOMY}").get_data(as_text=True)
    assert line_ids(html) == {world.line(world.carol).id, world.line(unit_id=economy).id}
    html = client.get(f"{base}?kind=unit").get_data(as_text=True)
    assert line_ids(html) == {r.id for r in world.lines() if r.subject_kind == "unit"}
    html = client.get(f"{base}?kind=person&unit={LAW}").get_data(as_text=True)
    assert line_ids(html) == {world.line(world.alice).id, world.line(world.bob).id}
    assert client.get(f"{base}?unit=NO-SUCH-UNIT").status_code == 422


def test_a_head_cannot_filter_to_a_unit_out_of_reach(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("head", unit=LAW)
    html = client.get(f"/emulation/scores/{world.snap.id}").get_data(as_text=True)
    assert f'value="{ECONOMY}"' not in html  # not offered
    assert client.get(f"/emulation/scores/{world.snap.id}?unit={ECONOMY}").status_code == 422


@pytest.mark.parametrize("role", ROLES)
def test_the_compute_form_per_role(
    role: str, client: FlaskClient, login: Any, world: World, db_session: Any
) -> None:
    _login_as(role, login, world)
    before = snapshot_ids(db_session)
    resp = client.post("/emulation/scores", data={"scope": "year", "year": str(YEAR)})
    if role not in RUN_ROLES:
        assert resp.status_code == 403
        assert snapshot_ids(db_session) == before
        return
    assert resp.status_code == 302, resp.get_data(as_text=True)
    new = [i for i in snapshot_ids(db_session) if i not in before]
    assert len(new) == 1
    assert resp.headers["Location"].endswith(f"/emulation/scores/{new[0]}")
    snap = db_session.get(ScoreSnapshot, new[0])
    assert snap.year == YEAR and snap.previous_id == world.snap.id
    audit = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity == "score_snapshot", AuditEvent.entity_id == str(new[0])
        )
    )
    assert audit is not None and audit.action == "score.compute"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="compare"' in page  # it has a previous snapshot now


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scope": "year", "year": "1800"}, "year", "Enter a year from 1990 to 2100."),
        ({"scope": "year", "year": "twenty"}, "year", "Not a valid integer value."),
        ({"scope": "year", "year": ""}, "year", "Enter the year to score."),
        ({"scope": "movement", "movement": ""}, "movement", "Choose the movement to score."),
        ({"scope": "movement", "movement": "999999"}, "movement", "Not a valid choice."),
        ({"scope": "neither", "year": str(YEAR)}, "scope", "Not a valid choice."),
        ({"scope": "year", "year": str(YEAR), "note": "x" * 501}, "note", "longer than 500"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    data: dict[str, str],
    field: str,
    message: str,
    client: FlaskClient,
    login: Any,
    world: World,
    db_session: Any,
) -> None:
    login("officer", unit=LAW)
    before = snapshot_ids(db_session)
    resp = client.post("/emulation/scores?lang=en", data=data)
    assert resp.status_code == 422
    error = re.search(rf'id="{field}-error">(.*?)</p>', resp.get_data(as_text=True), re.S)
    assert error is not None and message in error.group(1)
    assert snapshot_ids(db_session) == before


def test_the_service_refusal_is_shown_on_the_form(
    client: FlaskClient, login: Any, world: World, db_session: Any, monkeypatch: Any
) -> None:
    """A year the form lets through but the service refuses (its own bounds) is shown on the
    year field, not as a 500."""
    from emulation import score_forms

    monkeypatch.setattr(score_forms.ComputeForm.year.kwargs["validators"][1], "min", 1000)
    login("officer", unit=LAW)
    resp = client.post("/emulation/scores?lang=en", data={"scope": "year", "year": "1500"})
    assert resp.status_code == 422
    error = re.search(r'id="year-error">(.*?)</p>', resp.get_data(as_text=True), re.S)
    assert error is not None and "This year cannot be scored." in error.group(1)


def _reproduce_result(html: str) -> str:
    found = re.search(r'<p class="([^"]*)" id="reproduce-result">', html)
    assert found is not None
    return found.group(1)


def test_reproduce_exactly_then_after_a_change(
    client: FlaskClient, login: Any, world: World, db_session: Any
) -> None:
    login("officer", unit=LAW)
    url = f"/emulation/scores/{world.snap.id}/reproduce"
    assert "score-ok" in _reproduce_result(client.get(url).get_data(as_text=True))
    world.bob_fact.quality = "completed"  # a head corrected the band after the snapshot
    db_session.commit()
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "score-ok" not in _reproduce_result(html)
    table = html[html.index('id="differences"') :]
    bob = world.line(world.bob)
    assert f'href="/emulation/scores/lines/{bob.id}#c-quality"' in table
    assert f'href="/contributions/{world.bob_fact.id}"' in table  # the changed fact
    # ALICE sees that something changed, but not BOB's line.
    client.post("/logout")
    login(user=world.staff)
    html = client.get(url).get_data(as_text=True)
    assert BOB not in html and f"lines/{bob.id}" not in html
    assert "score-ok" not in _reproduce_result(html)


def test_compare_with_the_previous_snapshot(
    client: FlaskClient, login: Any, world: World, db_session: Any
) -> None:
    extra = fact(db_session, world.alice, quality="excellent")
    db_session.commit()
    newer = compute(db_session, world.officer, year=YEAR)
    assert newer.previous_id == world.snap.id
    login("officer", unit=LAW)
    page = client.get(f"/emulation/scores/{newer.id}").get_data(as_text=True)
    assert f'href="/emulation/scores/{newer.id}/diff"' in page
    html = client.get(f"/emulation/scores/{newer.id}/diff").get_data(as_text=True)
    changes = html[html.index('id="changes"') :]
    assert ALICE in changes and CAROL not in changes  # CAROL did nothing new
    assert f'href="/contributions/{extra.id}"' in changes
    # An explicit `against`, and bad ones.
    same = client.get(f"/emulation/scores/{newer.id}/diff?against={newer.id}")
    assert same.status_code == 200 and "changes" not in re.findall(r'id="(\w+)"', same.text)
    assert client.get(f"/emulation/scores/{newer.id}/diff?against=x").status_code == 422
    assert client.get(f"/emulation/scores/{newer.id}/diff?against=99999999").status_code == 404
    first = client.get(f"/emulation/scores/{world.snap.id}/diff")
    assert first.status_code == 200 and 'id="diff-result"' in first.text


def test_staff_compare_shows_only_their_own_change(
    client: FlaskClient, login: Any, world: World, db_session: Any
) -> None:
    fact(db_session, world.alice, quality="excellent")
    fact(db_session, world.bob, quality="excellent")
    db_session.commit()
    newer = compute(db_session, world.officer, year=YEAR)
    login(user=world.staff)
    html = client.get(f"/emulation/scores/{newer.id}/diff").get_data(as_text=True)
    assert ALICE in html and BOB not in html


@pytest.mark.parametrize(
    "path",
    [
        "/emulation/scores/99999999",
        "/emulation/scores/lines/99999999",
        "/emulation/scores/99999999/reproduce",
        "/emulation/scores/99999999/diff",
        "/emulation/scores/2147483648",
    ],
)
def test_unknown_ids_are_404(path: str, client: FlaskClient, login: Any, world: World) -> None:
    login("officer", unit=LAW)
    assert client.get(path).status_code == 404


def test_reproduce_and_diff_are_refused_to_deputies(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("deputy")
    assert client.get(f"/emulation/scores/{world.snap.id}/reproduce").status_code == 403
    assert client.get(f"/emulation/scores/{world.snap.id}/diff").status_code == 403


def test_an_officer_scores_a_movement_from_the_form(
    client: FlaskClient, login: Any, world: World, db_session: Any
) -> None:
    movement = Movement(
        name="Thi đua hoàn thành xuất sắc nhiệm vụ lập pháp 2025",
        launching_unit_id=world.alice.unit_id,
        start_date=dt.date(YEAR, 1, 1),
        end_date=dt.date(YEAR, 12, 31),
        criteria=[{"code": "progress", "formula": "progress@1", "weight": 100, "params": {}}],
        participants=[MovementParticipant(unit_id=world.alice.unit_id)],
    )
    db_session.add(movement)
    db_session.commit()
    login("officer", unit=LAW)
    form = client.get("/emulation/scores").get_data(as_text=True)
    assert f'value="{movement.id}"' in form
    resp = client.post(
        "/emulation/scores", data={"scope": "movement", "movement": str(movement.id)}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    snap = db_session.scalar(select(ScoreSnapshot).where(ScoreSnapshot.movement_id == movement.id))
    assert snap is not None and snap.year is None
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert movement.name in html
    assert ALICE in html and BOB in html and CAROL not in html  # the participants only
    assert 'id="criterion-progress"' in html and 'id="criterion-quality"' not in html
