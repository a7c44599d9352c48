"""The evidence pack of a nominee with 500 contributions (DESIGN §6, issue 8 item 7).

A fresh database (SQLite under bench/out/evidence by default, or the PostgreSQL database named
by LIS_BENCH_DATABASE_URL, which must be called lis_bench*: its schema is dropped) is migrated
and seeded, then one staff member gets a year of work: 500 contributions on 40 drafts spread
over the year, mostly verified, some waiting or returned, every quality band and outcome, on
time and late; colleagues get some work too, so the year's score snapshot ranks the nominee
among others. The nominee also gets decided ratings of three years, an initiative used by an
earlier award, an eligibility report (when emulation.eligibility is there), and a nomination
before the council with its history, a dossier file and a secret ballot at a meeting.

An officer then opens the pack through the app (Flask test client, logged in by the form):
the page and the PDF (WeasyPrint), each best of `--runs` after a warm-up. The bars: HTML ≤ 300 ms,
PDF ≤ 3 s. The workbook's time is shown for information.

    .venv/bin/python bench/evidence.py [--runs 5] [--contributions 500] [--seed 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from typing import Any

import _common as c  # puts the repository root first on sys.path

YEAR = 2025
UNIT = "UB-PLTP-V"
NOMINEE = "Nguyễn Thị Ánh Tuyết"
OFFICER = "officer@bench.lis.vn"
PASSWORD = "bench-" + "evidence-password"  # a throwaway login on a throwaway database
COLLEAGUES = 20
DRAFTS = 40
HTML_LIMIT_MS = 300.0
PDF_LIMIT_S = 3.0
STATES = (("verified", 88), ("submitted", 8), ("rejected", 4))
BANDS = (("excellent", 30), ("good", 45), ("completed", 20), ("not_completed", 5))
OUTCOMES = ((None, 40), ("accepted", 35), ("partly_accepted", 15), ("not_accepted", 10))


def database_url() -> str:
    url = os.environ.get("LIS_BENCH_DATABASE_URL")
    if not url:
        root = c.OUT / "evidence"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        return f"sqlite:///{root / 'lis.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not (parsed.database or "").startswith(
        "lis_bench"
    ):
        print(f"refusing {parsed.render_as_string()}: the bench drops its schema", file=sys.stderr)
        sys.exit(2)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(url: str):  # type: ignore[no-untyped-def]  # lis is imported lazily
    from lis.app import create_app
    from lis.settings import Settings

    return create_app(
        Settings(
            database_url=url,
            index_dir=c.OUT / "evidence" / "index",
            secret_key=c.SECRET_KEY,
            demo_corpus=None,
            index_after_commit=False,
            extra={"csrf": False},  # the bench logs in through the form, as a browser would
        )
    )


def pick(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def build(session: Any, n: int, rng: random.Random) -> int:
    """The nominee's year and the nomination; returns the nomination's id."""
    from sqlalchemy import insert, select

    from emulation import scoring
    from emulation.access import SystemActor
    from emulation.commendation_models import (
        Attendance,
        Award,
        Ballot,
        CouncilMeeting,
        DossierItem,
        Initiative,
        InitiativeAuthor,
        Nomination,
        NominationEvent,
    )
    from emulation.models import QualityRating
    from lis.auth import services as auth
    from lis.contributions.models import Contribution
    from lis.documents.models import Document
    from lis.people.models import Person
    from lis.reference.models import Unit, WorkKind

    unit = session.scalar(select(Unit).where(Unit.code == UNIT))
    officer = auth.create_user(session, email=OFFICER, password=PASSWORD, roles=["officer"])
    nominee = Person(name=NOMINEE, position="Chuyên viên chính", unit_id=unit.id)
    colleagues = [Person(name=f"Chuyên viên {i:02d}", unit_id=unit.id) for i in range(COLLEAGUES)]
    members = [Person(name=f"Ủy viên Hội đồng {i}", unit_id=unit.id) for i in range(9)]
    session.add_all([nominee, *colleagues, *members])
    session.flush()
    session.execute(
        insert(Document),
        [
            {
                "external_id": f"bench-evidence-{i}",
                "kind": "law",
                "number": f"{i}/{YEAR}/QH15",
                "number_key": f"{i}/{YEAR}/qh15",
                "title": f"Dự án Luật sửa đổi, bổ sung một số điều của Luật thử nghiệm số {i}",
                "status": "unknown",
                "topics": [],
                "origin": "draft",
                "stage": "S_VERIFY",
                "procedure": "normal",
            }
            for i in range(1, DRAFTS + 1)
        ],
    )
    docs = list(
        session.scalars(select(Document.id).where(Document.external_id.like("bench-evidence-%")))
    )
    kinds = list(session.scalars(select(WorkKind.id)))
    head = officer.id

    def row(person_id: int, i: int) -> dict[str, Any]:
        delivered = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
        due = delivered - dt.timedelta(days=rng.choice((0, 0, 0, 1, 3))) if i % 7 else None
        state = pick(rng, STATES)
        verified = state == "verified"
        return {
            "document_id": rng.choice(docs),
            "stage": "S_VERIFY",
            "work_kind_id": rng.choice(kinds),
            "person_id": person_id,
            "unit_id": unit.id,
            "title": f"Báo cáo thẩm tra, góp ý dự thảo — sản phẩm số {i}",
            "articles": [],
            "due_date": due,
            "delivered_date": delivered,
            "note": "",
            "source": "logged",
            "state": state,
            "reject_reason": "" if state != "rejected" else "Cần bổ sung số liệu",
            "verified_by_id": head if verified else None,
            "quality": pick(rng, BANDS) if verified else None,
            "quality_comment": "",
            "major_errors": rng.choice((0, 0, 0, 0, 1, 2)) if verified else 0,
            "outcome": pick(rng, OUTCOMES) if verified else None,
        }

    rows = [row(nominee.id, i) for i in range(n)]
    rows += [row(p.id, i) for p in colleagues for i in range(25)]
    session.execute(insert(Contribution), rows)
    session.commit()
    system = SystemActor()
    scoring.compute(session, system, year=YEAR)

    for year, band in ((YEAR - 2, "good"), (YEAR - 1, "excellent"), (YEAR, "excellent")):
        session.add(
            QualityRating(
                person_id=nominee.id,
                unit_id=unit.id,
                year=year,
                band=band,
                suggested_band=band,
                decided_at=dt.datetime(year + 1, 1, 10),
            )
        )
    initiative = Initiative(
        title="Quy trình rà soát thuật ngữ pháp lý trong dự thảo luật",
        recognized_by_unit_id=unit.id,
        recognized_on=dt.date(YEAR - 1, 11, 20),
        scope="grassroots",
        decision_no="12/QĐ-UBPL",
        authors=[InitiativeAuthor(person_id=nominee.id, share=1.0)],
    )
    award = Award(person_id=nominee.id, title_code="LDTT", year=YEAR - 1, basis="initiative")
    award.initiatives = [initiative]
    session.add_all([initiative, award])
    session.flush()
    report_id = eligibility_report(session, nominee.id)
    nomination = Nomination(
        person_id=nominee.id,
        title_code="CSTDCS",
        year=YEAR,
        proposed_by_unit_id=unit.id,
        state="council",
        summary="Hoàn thành xuất sắc nhiệm vụ năm " + str(YEAR),
        eligibility_report_id=report_id,
        created_by_id=officer.id,
    )
    session.add(nomination)
    session.flush()
    for src, dst in ((None, "draft"), ("draft", "unit_review"), ("unit_review", "council")):
        session.add(
            NominationEvent(
                nomination_id=nomination.id, from_state=src, to_state=dst, actor_email=OFFICER
            )
        )
    data = b"%PDF-1.4 to trinh de nghi khen thuong"
    session.add(
        DossierItem(
            nomination_id=nomination.id,
            kind="request",
            name="to-trinh.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
    )
    meeting = CouncilMeeting(
        title="Phiên họp Hội đồng Thi đua – Khen thưởng",
        held_on=dt.date(YEAR + 1, 2, 10),
        members_total=9,
        quorum_share=2 / 3,
        attendance=[Attendance(person_id=m.id, present=True) for m in members[:8]],
    )
    session.add(meeting)
    session.flush()
    session.add(
        Ballot(
            meeting_id=meeting.id,
            nomination_id=nomination.id,
            secret=True,
            threshold=0.9,
            yes=8,
            no=0,
            abstain=0,
            result="passed",
        )
    )
    session.commit()
    return nomination.id


def eligibility_report(session: Any, person_id: int) -> int | None:
    """The rules run through emulation.eligibility when that module is there."""
    try:
        from emulation import eligibility
        from emulation.access import SystemActor
    except ImportError:
        print("eligibility: emulation.eligibility is missing; the pack shows no report")
        return None
    report = eligibility.evaluate(
        session,
        SystemActor(),
        title="CSTDCS",
        year=YEAR,
        person_id=person_id,
        on=dt.date(YEAR + 1, 1, 20),
    )
    return int(report.id)


def best_of(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    call()  # warm-up: templates compiled, fonts loaded
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--contributions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    url = database_url()
    app = make_app(url)
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from emulation.seed import seed_emulation
    from lis.contributions.models import Contribution
    from lis.db import db, transaction
    from lis.people.models import Person
    from lis.reference.seed import seed_reference

    with app.app_context():
        upgrade()
        with transaction() as session:
            seed_emulation(session, seed_reference(session))
        session = db.session()
        with c.stopwatch() as took:
            nomination_id = build(session, args.contributions, random.Random(args.seed))
        mine = session.scalar(
            select(func.count())
            .select_from(Contribution)
            .join(Person, Person.id == Contribution.person_id)
            .where(Person.name == NOMINEE)
        )
        db.remove()
    kind = url.split("://")[0]
    print(f"data: {kind}, {mine} contributions of the nominee, built in {took[0]:.1f} s")

    client = app.test_client()
    login = client.post("/login", data={"email": OFFICER, "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError(f"the officer could not log in: {login.status_code}")
    base = f"/emulation/evidence/{nomination_id}"

    def get(path: str) -> Any:
        resp = client.get(path)
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path} answered {resp.status_code}: {resp.data[:300]!r}")
        return resp

    html_s, html = best_of(args.runs, lambda: get(base))
    pdf_s, pdf = best_of(args.runs, lambda: get(base + ".pdf"))
    xlsx_s, xlsx = best_of(max(1, args.runs // 2), lambda: get(base + ".xlsx"))
    c.table(
        ["format", "best (s)", "size (KB)", "note"],
        [
            [
                "HTML page",
                html_s,
                len(html.data) / 1024,
                f"{html.data.count(b'data-state=')} rows",
            ],
            ["PDF (WeasyPrint)", pdf_s, len(pdf.data) / 1024, "A4, contributions landscape"],
            ["XLSX", xlsx_s, len(xlsx.data) / 1024, "information"],
        ],
        title=f"evidence pack, best of {args.runs} after a warm-up",
    )
    c.print_bars(
        [
            c.Bar("evidence_html", html_s * 1000, "ms", "<=", HTML_LIMIT_MS, digits=0),
            c.Bar("evidence_pdf", pdf_s, "s", "<=", PDF_LIMIT_S, digits=2),
        ]
    )


if __name__ == "__main__":
    main()
