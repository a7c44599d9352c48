"""factory_boy factories bound to the test session; they flush on create so ids exist."""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lis.auth.models import User
from lis.db import db
from lis.documents.models import Document, Version
from lis.people.models import Person
from lis.reference.models import Unit

TEST_PASSWORD = "correct horse battery"
# Hashing with the default scrypt cost is slow; tests hash once and reuse it.
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = db.session
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@test.lis.vn")
    name = factory.Faker("name")
    password_hash = _PASSWORD_HASH
    roles = factory.LazyFunction(lambda: ["deputy"])
    active = True


class DocumentFactory(BaseFactory):
    class Meta:
        model = Document

    external_id = factory.Sequence(lambda n: f"test-{n}")
    kind = "law"
    number = factory.Sequence(lambda n: f"{n}/2024/QH15")
    number_key = factory.LazyAttribute(lambda o: o.number.lower())
    title = factory.Sequence(lambda n: f"Luật thử nghiệm số {n}")
    issuer = "Quốc hội"
    issuer_normalized = "Quốc hội"
    issued_date = dt.date(2024, 6, 1)
    status = "unknown"
    topics = factory.LazyFunction(list)


class VersionFactory(BaseFactory):
    class Meta:
        model = Version

    document = factory.SubFactory(DocumentFactory)
    seq = 1
    label = "Dự thảo"
    text = "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về thử nghiệm."
    text_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.text.encode()).hexdigest())


def unit_by_code(code: str) -> Unit:
    unit = db.session().scalar(select(Unit).where(Unit.code == code))
    assert unit is not None, f"no unit {code}: is the reference data seeded?"
    return unit


class PersonFactory(BaseFactory):
    """A person in a unit (UB-PLTP-V, the law committee's department, unless told)."""

    class Meta:
        model = Person

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@test.lis.vn")
    position = "Chuyên viên"
    unit = factory.LazyFunction(lambda: unit_by_code("UB-PLTP-V"))
    user = None
    active = True
