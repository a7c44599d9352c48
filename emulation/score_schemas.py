"""Score snapshots in the API: what a client sends and what it gets back."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema
from sqlalchemy import select

from emulation.models import SUBJECT_KINDS, Criterion
from emulation.scoring import MAX_ID, MAX_NOTE, MAX_YEAR, MIN_YEAR, subject_name
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul
from lis.db import db

ID = validate.Range(min=1, max=MAX_ID)
YEAR = validate.Range(min=MIN_YEAR, max=MAX_YEAR)
CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))


# --------------------------------------------------------------------------
# In
# --------------------------------------------------------------------------


class SnapshotCreateSchema(Schema):
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=YEAR,
        metadata={"description": "Score this calendar year with the catalogue's default set"},
    )
    movement_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "Score this movement (its period, criteria, participants)"},
    )
    note = fields.String(
        load_default="", validate=validate.And(validate.Length(max=MAX_NOTE), no_nul)
    )

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **_kw: Any) -> None:
        if (data.get("year") is None) == (data.get("movement_id") is None):
            raise ValidationError(
                {
                    "year": ["give a year or a movement_id, not both"],
                    "movement_id": ["give a year or a movement_id, not both"],
                }
            )


class SnapshotArgsSchema(PagedArgsSchema):
    year = fields.Integer(load_default=None, validate=YEAR)
    movement_id = fields.Integer(load_default=None, validate=ID)


class ScoreLineArgsSchema(PagedArgsSchema):
    subject_kind = fields.String(load_default=None, validate=validate.OneOf(SUBJECT_KINDS))
    unit = fields.String(
        load_default=None,
        validate=CODE,
        metadata={"description": "A unit's code: its people's lines and its own line"},
    )


class SnapshotDiffArgsSchema(Schema):
    against = fields.Integer(
        required=True,
        validate=ID,
        metadata={"description": "The earlier snapshot to compare this one with"},
    )


# --------------------------------------------------------------------------
# Out
# --------------------------------------------------------------------------


def _catalogue() -> dict[str, Criterion]:
    """The catalogue's names by code, read once per request."""
    if "emulation_criteria" not in g:
        g.emulation_criteria = {c.code: c for c in db.session().scalars(select(Criterion))}
    return g.emulation_criteria  # type: ignore[no-any-return]


def _name(data: dict[str, Any], attr: str) -> str:
    known = _catalogue().get(str(data.get("code")))
    return getattr(known, attr) if known is not None else str(data.get("code", ""))


class SnapshotCriterionSchema(Schema):
    code = fields.String(required=True)
    name = fields.Function(lambda d: _name(d, "name"), required=True)
    name_en = fields.Function(lambda d: _name(d, "name_en"), required=True)
    formula = fields.String(required=True, metadata={"description": "Formula and its version"})
    weight = fields.Float(required=True)
    params = fields.Dict(required=True, metadata={"description": "Every parameter, resolved"})


class SnapshotSchema(Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(allow_none=True, required=True)
    movement_id = fields.Integer(allow_none=True, required=True)
    movement_name = fields.Function(
        lambda s: s.movement.name if s.movement else None, allow_none=True, required=True
    )
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    rule_version = fields.String(required=True)
    criteria = fields.List(fields.Nested(SnapshotCriterionSchema), required=True)
    fact_count = fields.Integer(required=True)
    digest = fields.String(required=True, metadata={"description": "sha256 of the lines' facts"})
    previous_id = fields.Integer(allow_none=True, required=True)
    note = fields.String(required=True)
    computed_by = fields.Function(
        lambda s: s.computed_by.email if s.computed_by else None, allow_none=True, required=True
    )
    created_at = UtcDateTime(required=True)


class SnapshotPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(SnapshotSchema), required=True)


VALUES = fields.Dict(
    keys=fields.String(),
    values=fields.Float(allow_none=True),
    required=True,
    metadata={"description": "Criterion code → value on 0–100 (null: nothing to score)"},
)


class ScoreLineSchema(Schema):
    id = fields.Integer(required=True)
    snapshot_id = fields.Integer(required=True)
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    person_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    subject_name = fields.Function(lambda line: subject_name(line, "vi"), required=True)
    subject_name_en = fields.Function(lambda line: subject_name(line, "en"), required=True)
    unit_code = fields.Function(
        lambda line: line.unit.code if line.unit else None, allow_none=True, required=True
    )
    values = VALUES
    details = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "Criterion code → the counts beside its value"},
    )
    total = fields.Float(allow_none=True, required=True)
    rank = fields.Integer(allow_none=True, required=True)
    fact_count = fields.Function(
        lambda line: len(line.facts.get("contribution", [])), required=True
    )
    pending = fields.Function(
        lambda line: len(line.unverified),
        required=True,
        metadata={"description": "Unverified contributions, set apart and not counted"},
    )


class ScoreLinePageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(ScoreLineSchema), required=True)


class ScoreDocumentSchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)


def _late(c: Any) -> bool:
    return c.due_date is not None and c.delivered_date > c.due_date


class ScoreContributionSchema(Schema):
    id = fields.Integer(required=True)
    document = fields.Nested(ScoreDocumentSchema, required=True)
    work_kind = fields.Function(lambda c: c.work_kind.code, required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    delivered_date = fields.Date(required=True)
    late = fields.Function(_late, required=True)
    quality = fields.String(allow_none=True, required=True)
    major_errors = fields.Integer(required=True)
    outcome = fields.String(allow_none=True, required=True)


class ScoreCriterionEvidenceSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    formula = fields.String(required=True)
    weight = fields.Float(required=True)
    value = fields.Float(allow_none=True, required=True)
    detail = fields.Dict(required=True, metadata={"description": "The counts beside the value"})
    fact_kind = fields.String(required=True, validate=validate.OneOf(("contribution", "document")))
    contributions = fields.List(
        fields.Nested(ScoreContributionSchema),
        required=True,
        metadata={"description": "The contributions behind the value (contribution criteria)"},
    )
    documents = fields.List(
        fields.Nested(ScoreDocumentSchema),
        required=True,
        metadata={"description": "The drafts behind the value (document criteria)"},
    )

    @pre_dump
    def _split(self, e: Any, **_kw: Any) -> dict[str, Any]:
        """One list of rows in, two typed lists out: clients read one shape per kind."""
        return {
            **{f: getattr(e, f) for f in ("code", "name", "name_en", "formula", "weight")},
            "value": e.value,
            "detail": e.detail,
            "fact_kind": e.fact_kind,
            "contributions": e.facts if e.fact_kind == "contribution" else [],
            "documents": e.facts if e.fact_kind == "document" else [],
        }


class ScoreLineDetailSchema(Schema):
    line = fields.Nested(ScoreLineSchema, required=True)
    snapshot = fields.Nested(SnapshotSchema, required=True)
    criteria = fields.List(fields.Nested(ScoreCriterionEvidenceSchema), required=True)
    pending = fields.List(
        fields.Nested(ScoreContributionSchema),
        required=True,
        metadata={"description": "Unverified contributions: shown apart, never counted"},
    )


class ScoreLineDifferenceSchema(Schema):
    line_id = fields.Integer(required=True)
    criterion = fields.String(
        required=True,
        metadata={"description": "A criterion code, 'total', or 'facts' (values changed)"},
    )
    stored = fields.Float(allow_none=True, required=True)
    recomputed = fields.Float(allow_none=True, required=True)
    changed_fact_ids = fields.List(fields.Integer(), required=True)


class SnapshotReproductionSchema(Schema):
    snapshot_id = fields.Integer(required=True)
    exact = fields.Boolean(required=True)
    lines_checked = fields.Integer(required=True)
    differences = fields.List(fields.Nested(ScoreLineDifferenceSchema), required=True)


class ScoreLineChangeSchema(Schema):
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    person_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    subject_name = fields.String(required=True)
    old_total = fields.Float(allow_none=True, required=True)
    new_total = fields.Float(allow_none=True, required=True)
    old_rank = fields.Integer(allow_none=True, required=True)
    new_rank = fields.Integer(allow_none=True, required=True)
    criteria = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Float(allow_none=True)),
        required=True,
        metadata={"description": "Criterion code → [old value, new value], changed ones only"},
    )
    added_facts = fields.List(fields.Integer(), required=True)
    removed_facts = fields.List(fields.Integer(), required=True)


class SnapshotDiffSchema(Schema):
    old_id = fields.Integer(required=True)
    new_id = fields.Integer(required=True)
    changes = fields.List(fields.Nested(ScoreLineChangeSchema), required=True)
