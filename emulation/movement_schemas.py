"""Movements, pledges, the criteria catalogue and the titles in the API: what a client sends
and what it gets back."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulation import movements as services
from emulation.models import MOVEMENT_KINDS, MOVEMENT_STATES, PLEDGE_STATES
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul

MAX_PARAMS = 40  # names of a criterion's parameters, and entries of a mapping parameter


def _text(limit: int, minimum: int = 0) -> validate.Validator:
    return validate.And(validate.Length(min=minimum, max=limit), no_nul)


CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
ID = validate.Range(min=1, max=services.MAX_ID)


def _finite_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _params(value: Mapping[str, Any]) -> None:
    """Parameters are numbers or mappings of numbers (a formula checks the names and ranges):
    bounded here so that no request carries an unbounded or nested structure further."""
    if len(value) > MAX_PARAMS:
        raise ValidationError(f"at most {MAX_PARAMS} parameters")
    for name, item in value.items():
        if len(name) > 40:
            raise ValidationError("parameter names have at most 40 characters")
        if isinstance(item, Mapping):
            if len(item) > MAX_PARAMS or not all(
                isinstance(k, str) and len(k) <= 40 and _finite_number(v) for k, v in item.items()
            ):
                raise ValidationError(f"{name[:40]}: a mapping of at most {MAX_PARAMS} numbers")
        elif not _finite_number(item):
            raise ValidationError(f"{name[:40]}: a finite number")


class CriterionChoiceSchema(Schema):
    code = fields.String(
        required=True, validate=CODE, metadata={"description": "A criterion of the catalogue"}
    )
    weight = fields.Float(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=services.MAX_WEIGHT),
        metadata={"description": "Defaults to the catalogue's weight"},
    )
    params = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        load_default=None,
        allow_none=True,
        validate=_params,
        metadata={"description": "Override the catalogue's parameters (merged over them)"},
    )


class ParticipantsSchema(Schema):
    units = fields.List(
        fields.String(validate=CODE),
        load_default=list,
        validate=validate.Length(max=services.MAX_PARTICIPANTS),
        metadata={"description": "Unit codes (each brings the units under it)"},
    )
    people = fields.List(
        fields.Integer(validate=ID, strict=True),
        load_default=list,
        validate=validate.Length(max=services.MAX_PARTICIPANTS),
        metadata={"description": "Person ids (active people)"},
    )


class ParticipantsUpdateSchema(Schema):
    """A list sent replaces that list; a list not sent stays."""

    units = fields.List(
        fields.String(validate=CODE), validate=validate.Length(max=services.MAX_PARTICIPANTS)
    )
    people = fields.List(
        fields.Integer(validate=ID, strict=True),
        validate=validate.Length(max=services.MAX_PARTICIPANTS),
    )


_CRITERIA = {
    "validate": validate.Length(min=1, max=services.MAX_CRITERIA),
    "metadata": {
        "description": "Criteria of the catalogue with their weights and parameters; "
        "the catalogue's default set when left out"
    },
}


class MovementCreateSchema(Schema):
    name = fields.String(required=True, validate=_text(services.MAX_NAME, 1))
    theme = fields.String(load_default="", validate=_text(services.MAX_TEXT))
    slogan = fields.String(load_default="", validate=_text(services.MAX_SLOGAN))
    launching_unit = fields.String(
        required=True, validate=CODE, metadata={"description": "The launching unit's code"}
    )
    kind = fields.String(load_default="regular", validate=validate.OneOf(MOVEMENT_KINDS))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    participants = fields.Nested(ParticipantsSchema, required=True)
    criteria = fields.List(
        fields.Nested(CriterionChoiceSchema), load_default=None, allow_none=True, **_CRITERIA
    )


class MovementUpdateSchema(Schema):
    """Only the fields sent change; `participants.units` or `participants.people`, when sent,
    replace that list."""

    name = fields.String(validate=_text(services.MAX_NAME, 1))
    theme = fields.String(validate=_text(services.MAX_TEXT))
    slogan = fields.String(validate=_text(services.MAX_SLOGAN))
    start_date = fields.Date()
    end_date = fields.Date()
    participants = fields.Nested(ParticipantsUpdateSchema)
    criteria = fields.List(fields.Nested(CriterionChoiceSchema), **_CRITERIA)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kw: Any) -> None:
        if not data:
            raise ValidationError("send at least one field to change", "_schema")


class ReviewSchema(Schema):
    note = fields.String(
        required=True,
        validate=_text(services.MAX_TEXT, 1),
        metadata={"description": "The review's conclusions"},
    )


class MovementArgsSchema(PagedArgsSchema):
    state = fields.String(load_default=None, validate=validate.OneOf(MOVEMENT_STATES))


class PledgeCreateSchema(Schema):
    title = fields.String(
        required=True, validate=CODE, metadata={"description": "A title's code (GET /titles)"}
    )
    person = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "The person pledging; yourself when no person or unit is given"},
    )
    unit = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "The unit pledging (for a collective title)"},
    )
    note = fields.String(load_default="", validate=_text(services.MAX_NOTE))


class MovementUnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class MovementPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MovementCriterionSchema(Schema):
    code = fields.String(required=True)
    formula = fields.String(required=True)
    weight = fields.Float(required=True)
    params = fields.Dict(required=True)


class MovementParticipantsSchema(Schema):
    units = fields.List(fields.Nested(MovementUnitSchema), required=True)
    people = fields.List(fields.Nested(MovementPersonSchema), required=True)


def _participants(m: Any) -> dict[str, Any]:
    return {"units": services.participant_units(m), "people": services.participant_people(m)}


class _ParticipantsField(fields.Nested):
    """The movement's participant rows, dumped as its units and its people."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(_participants(obj), attr, obj, **kwargs)


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class MovementSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    theme = fields.String(required=True)
    slogan = fields.String(required=True)
    launching_unit = fields.Nested(MovementUnitSchema, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MOVEMENT_KINDS))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(MOVEMENT_STATES))
    criteria = fields.List(fields.Nested(MovementCriterionSchema), required=True)
    participants = _ParticipantsField(MovementParticipantsSchema, required=True)
    review_note = fields.String(required=True)
    created_by = fields.Function(lambda m: _email(m.created_by), allow_none=True, required=True)
    closed_at = UtcDateTime(allow_none=True, required=True)
    reviewed_at = UtcDateTime(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class MovementPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(MovementSchema), required=True)


class PledgeSchema(Schema):
    id = fields.Integer(required=True)
    movement_id = fields.Integer(required=True)
    subject_kind = fields.Function(
        lambda p: "unit" if p.unit_id is not None else "person", required=True
    )
    person = fields.Nested(MovementPersonSchema, allow_none=True, required=True)
    unit = fields.Nested(MovementUnitSchema, allow_none=True, required=True)
    title = fields.String(attribute="title_code", required=True)
    note = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(PLEDGE_STATES))
    filed_by_id = fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class CriterionSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    measures = fields.String(required=True)
    measures_en = fields.String(required=True)
    formula = fields.String(required=True)
    reads = fields.Function(lambda c: services.reads_of(c.formula), required=True)
    weight = fields.Float(required=True)
    params = fields.Dict(required=True)
    default = fields.Boolean(required=True)
    source = fields.String(required=True)


class TitleSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    subject = fields.String(required=True, validate=validate.OneOf(("individual", "collective")))
    source = fields.String(required=True)
