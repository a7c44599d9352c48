"""People in the API: the list's filters, what admins send, and what everyone reads."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.api_fields import UtcDateTime
from lis.reference.schemas import UNIT_CODE

MAX_PAGE_WINDOW = 10_000
_unit_code = [validate.Length(min=1, max=40), validate.Regexp(UNIT_CODE, flags=re.IGNORECASE)]


class _Email(fields.String):
    """An e-mail as typed; the service checks its shape so the web form and the API agree."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(validate=validate.Length(max=254), **kw)


class PeopleArgsSchema(Schema):
    unit = fields.String(
        load_default=None,
        validate=_unit_code,
        metadata={"description": "Only people of the unit with this code, e.g. UB-PLTP-V"},
    )
    sub_units = fields.Boolean(
        load_default=False,
        metadata={"description": "With unit: include the people of every unit under it"},
    )
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Words of the name or e-mail, with or without diacritics"},
    )
    active = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "true: only active people; false: only deactivated ones"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE_WINDOW))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("page", 1) * data.get("per_page", 50) > MAX_PAGE_WINDOW:
            raise ValidationError(f"page × per_page must stay within {MAX_PAGE_WINDOW}", "page")


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    position = fields.String(required=True)
    unit = fields.String(attribute="unit.code", required=True, metadata={"description": "Code"})
    unit_name = fields.String(attribute="unit.name", required=True)
    user = fields.String(
        attribute="user_email",
        allow_none=True,
        metadata={"description": "E-mail of the login linked to this person, if any"},
    )
    active = fields.Boolean(required=True)
    note = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class PeoplePageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(PersonSchema), required=True)


class PersonCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = _Email(load_default=None, allow_none=True)
    position = fields.String(load_default="", validate=validate.Length(max=200))
    unit = fields.String(required=True, validate=_unit_code, metadata={"description": "Code"})
    user = _Email(
        load_default=None,
        allow_none=True,
        metadata={"description": "E-mail of an existing login not linked to anyone yet"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class PersonUpdateSchema(Schema):
    """Only the fields sent change; `user: null` unlinks, `active: false` deactivates."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    email = _Email(allow_none=True)
    position = fields.String(validate=validate.Length(max=200))
    unit = fields.String(validate=_unit_code, metadata={"description": "Move to this unit"})
    user = _Email(allow_none=True, metadata={"description": "Relink (e-mail) or unlink (null)"})
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))
    active = fields.Boolean()
