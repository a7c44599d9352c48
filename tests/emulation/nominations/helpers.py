"""Nominations for tests: the people involved, files of each type, and a dossier.

Nominees sit in UB-PLTP-V, the law committee's department; its head may nominate and submit,
the committee's head (UB-PLTP, the unit above) passes unit review, a head of UB-KTTC is an
outsider."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from emulation import nominations
from emulation.commendation_models import EligibilityReport, Nomination
from lis.auth.models import User
from lis.people.models import Person
from tests.emulation.helpers import person
from tests.factories import PersonFactory, UserFactory, unit_by_code

YEAR = 2025
# A title for individuals whose dossier needs no certification of an initiative unless the
# rules cite one (GK: Giấy khen), and one that does (CSTDCS).
PLAIN = "GK"
WITH_INITIATIVE = "CSTDCS"


def pdf(tag: str = "") -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n% " + tag.encode() + b"\n%%EOF\n"


def png(tag: str = "") -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + tag.encode()


def jpg(tag: str = "") -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tag.encode()


def doc(tag: str = "") -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32 + tag.encode()


def zipped(names: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx(tag: str = "") -> bytes:
    return zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": f"<w>{tag}</w>"})


def txt(tag: str = "") -> bytes:
    return f"Báo cáo thành tích năm {YEAR} {tag}\n".encode()


@dataclass
class Cast:
    """The people a nomination meets, each a user with roles (and a person where it matters)."""

    nominee: Person
    head: User  # head of UB-PLTP-V, the nominee's unit
    above: User  # head of UB-PLTP, the unit above
    outsider: User  # head of UB-KTTC
    officer: User
    admin: User
    council: User
    staff: User  # the nominee's own login
    deputy: User


def member(*roles: str, unit: str) -> User:
    user = UserFactory(roles=list(roles))
    PersonFactory(name=user.name, email=user.email, user=user, unit=unit_by_code(unit))
    return user


def cast() -> Cast:
    staff = UserFactory(roles=["staff"])
    nominee = PersonFactory(user=staff, email=staff.email, unit=unit_by_code("UB-PLTP-V"))
    return Cast(
        nominee=nominee,
        head=member("head", unit="UB-PLTP-V"),
        above=member("head", unit="UB-PLTP"),
        outsider=member("head", unit="UB-KTTC"),
        officer=member("officer", unit="VPQH-TH"),
        admin=UserFactory(roles=["admin"]),
        council=member("council", unit="VPQH"),
        staff=staff,
        deputy=UserFactory(roles=["deputy"]),
    )


def draft(session: Session, c: Cast, title: str = PLAIN, **kw: Any) -> Nomination:
    values: dict[str, Any] = {"title": title, "year": YEAR, "person_id": c.nominee.id}
    values.update(kw)
    return nominations.create(session, c.head, **values)


FULL = ("request", "achievement_report", "minutes")


def fill(session: Session, actor: Any, n: Nomination, kinds: tuple[str, ...] = FULL) -> None:
    for kind in kinds:
        nominations.add_dossier_item(
            session,
            actor,
            n.id,
            kind=kind,
            name=f"{kind}.pdf",
            content_type="application/pdf",
            data=pdf(f"{n.id}-{kind}"),
        )


def to_council(session: Session, c: Cast, n: Nomination) -> Nomination:
    """Through unit review to the council, the dossier complete; an override reason in case
    the rules (when installed) find the test nominee ineligible."""
    fill(session, c.head, n, (*FULL, "initiative_certification"))
    nominations.transition(session, c.head, n.id, "unit_review")
    nominations.transition(
        session, c.officer, n.id, "council", override_reason="test: the rules are not the point"
    )
    return n


def report(
    session: Session, n: Nomination, results: list[dict[str, Any]], outcome: str = "pass"
) -> EligibilityReport:
    """A stored eligibility report with the given results, linked to the nomination."""
    row = EligibilityReport(
        person_id=n.person_id,
        unit_id=n.unit_id,
        title_code=n.title_code,
        year=n.year,
        evaluated_on=dt.date(YEAR + 1, 1, 15),
        outcome=outcome,
        results=results,
        params={},
        rule_versions=[],
    )
    session.add(row)
    session.flush()
    n.eligibility_report_id = row.id
    session.flush()
    session.refresh(n, ["eligibility_report"])
    return row


def someone(unit: str = "UB-PLTP-V") -> Person:
    return person(unit)
