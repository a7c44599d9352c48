"""marshmallow schemas: the seed files' format (load) and the API's contract (dump)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.reference.models import SESSION_KINDS, UNIT_KINDS

UNIT_CODE = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"  # QH, UB-PLTP, UB-PLTP-V
TERM_CODE = r"^[IVXLC]+$"  # XV
KIND_CODE = r"^[a-z][a-z_]*$"  # law, joint_resolution
WORK_KIND_CODE = r"^[A-Z][A-Z0-9_]*$"  # VERIFY_REPORT
STAGE_CODE = r"^S_[A-Z][A-Z_]*$"  # S_VERIFY
VIEWS = ("flat", "tree")


def _regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"not a regular expression: {exc}") from exc


def _check_dates(data: dict[str, Any], start: str, end: str) -> None:
    lo, hi = data.get(start), data.get(end)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(f"must not be after {end}", start)


class _SeedRow(Schema):
    """What every seed row has: where it comes from, and whether that source was checked."""

    note = fields.String(load_default=None, allow_none=True)
    source = fields.String(required=True, validate=validate.Length(min=1, max=300))
    verified = fields.Boolean(load_default=True)


# --- seed files (load) --------------------------------------------------------------------------
class UnitSeedSchema(_SeedRow):
    code = fields.String(required=True, validate=validate.Regexp(UNIT_CODE))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    aliases_en = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(load_default=None, validate=validate.Regexp(UNIT_CODE))
    valid_from = fields.Date(load_default=None)
    valid_to = fields.Date(load_default=None)
    replaced_by = fields.String(load_default=None, validate=validate.Regexp(UNIT_CODE))
    field = fields.String(load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        _check_dates(data, "valid_from", "valid_to")
        if data.get("replaced_by") and data.get("valid_to") is None:
            raise ValidationError(
                "only a closed unit (with valid_to) has a successor", "replaced_by"
            )


class SessionSeedSchema(_SeedRow):
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=99))
    kind = fields.String(required=True, validate=validate.OneOf(SESSION_KINDS))
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        _check_dates(data, "start_date", "end_date")
        if data.get("start_date") is None and data.get("end_date") is None:
            raise ValidationError("a session needs its opening or its closing day", "start_date")


class TermSeedSchema(_SeedRow):
    code = fields.String(required=True, validate=validate.Regexp(TERM_CODE))
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=99))
    start_year = fields.Integer(required=True, validate=validate.Range(1946, 2100))
    end_year = fields.Integer(required=True, validate=validate.Range(1946, 2100))
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)
    sessions = fields.List(fields.Nested(SessionSeedSchema), load_default=list)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        _check_dates(data, "start_date", "end_date")
        if data["start_year"] > data["end_year"]:
            raise ValidationError("must not be after end_year", "start_year")


class DocumentKindSeedSchema(_SeedRow):
    code = fields.String(required=True, validate=validate.Regexp(KIND_CODE))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    issuers = fields.String(load_default=None)
    number_patterns = fields.List(fields.String(validate=_regex), load_default=list)
    number_examples = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        for example in data.get("number_examples", []):
            if not any(re.search(p, example) for p in data.get("number_patterns", [])):
                raise ValidationError(f"{example!r} matches no pattern", "number_examples")


class WorkKindSeedSchema(_SeedRow):
    code = fields.String(required=True, validate=validate.Regexp(WORK_KIND_CODE))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    stages = fields.List(
        fields.String(validate=validate.Regexp(STAGE_CODE)),
        required=True,
        validate=validate.Length(min=1),
    )
    who = fields.String(required=True, validate=validate.Length(min=1))


# --- API (dump) ---------------------------------------------------------------------------------
class UnitArgsSchema(Schema):
    kind = fields.List(
        fields.String(validate=validate.OneOf(UNIT_KINDS)),
        load_default=list,
        metadata={"description": "Only units of this kind (repeatable)"},
    )
    active_on = fields.Date(
        load_default=None,
        metadata={"description": "Only units that existed on this day (YYYY-MM-DD)"},
    )
    view = fields.String(
        load_default="flat",
        validate=validate.OneOf(VIEWS),
        metadata={
            "description": "flat: one list in tree order, each unit naming its parent; "
            "tree: the roots, each with its children nested (a unit whose parent is "
            "filtered out becomes a root)"
        },
    )


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "Vietnamese name"})
    name_en = fields.String(required=True)
    aliases_en = fields.List(fields.String(), required=True)
    kind = fields.String(required=True)
    parent = fields.String(attribute="parent_code", allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(
        allow_none=True, metadata={"description": "The first day the unit no longer existed"}
    )
    replaced_by = fields.String(attribute="replaced_by_code", allow_none=True)
    field = fields.String(
        allow_none=True, metadata={"description": "What it verifies, as the law words it"}
    )
    note = fields.String(allow_none=True)
    source = fields.String(required=True)
    verified = fields.Boolean(required=True)


class UnitNodeSchema(UnitSchema):
    children = fields.List(
        fields.Nested(lambda: UnitNodeSchema()),
        metadata={"description": "Only with view=tree"},
    )


class UnitListSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(UnitNodeSchema), required=True)


class UnitDetailSchema(UnitSchema):
    children = fields.List(fields.Nested(UnitSchema), required=True)


class UnitCreateSchema(Schema):
    code = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=40), validate.Regexp(UNIT_CODE)],
        metadata={"description": "Capitals, digits and dashes, e.g. UB-PLTP-V; cannot change"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    aliases_en = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=40), validate.Regexp(UNIT_CODE)],
        metadata={"description": "The parent's code (only the Assembly has none)"},
    )
    valid_from = fields.Date(load_default=None, allow_none=True)
    field = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    source = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "Where the unit is established, e.g. a resolution's number"},
    )


class UnitUpdateSchema(Schema):
    """Only the fields sent change; the code and the validity dates do not change here."""

    name = fields.String(validate=validate.Length(min=1, max=300))
    name_en = fields.String(validate=validate.Length(min=1, max=300))
    aliases_en = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)), validate=validate.Length(max=20)
    )
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(
        allow_none=True, validate=[validate.Length(max=40), validate.Regexp(UNIT_CODE)]
    )
    field = fields.String(allow_none=True, validate=validate.Length(max=5000))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class UnitCloseSchema(Schema):
    valid_to = fields.Date(
        required=True, metadata={"description": "The first day the unit no longer exists"}
    )
    replaced_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=40), validate.Regexp(UNIT_CODE)],
        metadata={"description": "The code of the unit that takes over its work"},
    )


class SessionSchema(Schema):
    number = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "regular or irregular"})
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    source = fields.String(required=True)
    verified = fields.Boolean(required=True)


class TermSchema(Schema):
    code = fields.String(required=True)
    number = fields.Integer(required=True)
    start_year = fields.Integer(required=True)
    end_year = fields.Integer(required=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    source = fields.String(required=True)
    verified = fields.Boolean(required=True)
    sessions = fields.List(
        fields.Nested(SessionSchema),
        required=True,
        metadata={"description": "In order of opening (of closing when the opening is unknown)"},
    )


class TermListSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(TermSchema), required=True)


class DocumentKindSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    issuers = fields.String(allow_none=True)
    number_patterns = fields.List(fields.String(), required=True)
    number_examples = fields.List(fields.String(), required=True)
    note = fields.String(allow_none=True)
    source = fields.String(required=True)
    verified = fields.Boolean(required=True)


class DocumentKindListSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(DocumentKindSchema), required=True)


class WorkKindArgsSchema(Schema):
    stage = fields.String(
        load_default=None,
        validate=[validate.Length(max=40), validate.Regexp(STAGE_CODE)],
        metadata={"description": "Only the kinds of work done at this stage, e.g. S_VERIFY"},
    )


class WorkKindSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "Vietnamese name"})
    name_en = fields.String(required=True)
    stages = fields.List(fields.String(), required=True)
    who = fields.String(required=True)
    note = fields.String(allow_none=True)
    source = fields.String(required=True)
    verified = fields.Boolean(required=True)


class WorkKindListSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(WorkKindSchema), required=True)
