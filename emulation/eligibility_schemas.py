"""Eligibility in the API: what a client sends and what it gets back."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulation.eligibility import (
    MAX_ID,
    MAX_ON,
    MAX_OVERRIDES,
    MAX_YEAR,
    MIN_ON,
    MIN_YEAR,
    QualifyRow,
    WhatIfRow,
    jsonable,
    param_kind,
)
from emulation.eligibility_forms import explain, provision_info
from emulation.title_rules import RuleResult
from lis.api_fields import PagedArgsSchema, UtcDateTime

ID = validate.Range(min=1, max=MAX_ID)
YEAR = validate.Range(min=MIN_YEAR, max=MAX_YEAR)
DAY = validate.Range(min=MIN_ON, max=MAX_ON)
CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
OUTCOME = {"description": "pass, fail or unknown (cannot tell)"}


# --------------------------------------------------------------------------
# In
# --------------------------------------------------------------------------


class EligibilityEvaluateSchema(Schema):
    title = fields.String(required=True, validate=CODE, metadata={"description": "e.g. CSTDCS"})
    year = fields.Integer(required=True, validate=YEAR)
    person = fields.Integer(
        load_default=None, validate=ID, metadata={"description": "The person's id"}
    )
    unit = fields.String(
        load_default=None,
        validate=CODE,
        metadata={"description": "A unit's code, for a collective title"},
    )
    on = fields.Date(
        load_default=None,
        validate=DAY,
        metadata={"description": "The day whose rules and parameters apply (today if left out)"},
    )

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **_kw: Any) -> None:
        if (data.get("person") is None) == (data.get("unit") is None):
            raise ValidationError(
                {
                    "person": ["give a person or a unit, not both"],
                    "unit": ["give a person or a unit, not both"],
                }
            )


class EligibilityReportArgsSchema(PagedArgsSchema):
    person = fields.Integer(load_default=None, validate=ID)
    unit = fields.String(
        load_default=None,
        validate=CODE,
        metadata={"description": "A unit's code: its own reports and its people's"},
    )
    title = fields.String(load_default=None, validate=CODE)
    year = fields.Integer(load_default=None, validate=YEAR)


class EligibilityQualifyArgsSchema(Schema):
    unit = fields.String(required=True, validate=CODE, metadata={"description": "A unit's code"})
    year = fields.Integer(required=True, validate=YEAR)
    title = fields.String(
        load_default=None, validate=CODE, metadata={"description": "One title (all if left out)"}
    )
    on = fields.Date(load_default=None, validate=DAY)


class EligibilityWhatIfSchema(Schema):
    unit = fields.String(required=True, validate=CODE)
    year = fields.Integer(required=True, validate=YEAR)
    title = fields.String(required=True, validate=CODE)
    overrides = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.Length(min=1, max=80)),
        values=fields.Raw(allow_none=True),
        validate=validate.Length(min=1, max=MAX_OVERRIDES),
        metadata={
            "description": "Parameter name → the value to try (see /rule-params for the names "
            "and their types)",
            "example": {"cstdcs_requires_both": True},
        },
    )
    on = fields.Date(load_default=None, validate=DAY)


class EligibilityRulesArgsSchema(Schema):
    on = fields.Date(load_default=None, validate=DAY, metadata={"description": "Today if left out"})


# --------------------------------------------------------------------------
# Out
# --------------------------------------------------------------------------


class EligibilityProvisionSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The citation, as read"})
    verified = fields.Boolean(required=True, metadata={"description": "Was its text verified"})


def _provisions(ids: Any) -> list[dict[str, Any]]:
    out = []
    for pid in ids or ():
        info = provision_info(str(pid))
        out.append({"id": info.id, "label": info.label, "verified": info.verified})
    return out


class EligibilityResultSchema(Schema):
    rule = fields.String(required=True)
    version = fields.Integer(required=True)
    outcome = fields.String(required=True, metadata=OUTCOME)
    reason = fields.String(required=True, metadata={"description": "The reason code"})
    explanation = fields.Function(
        explain, required=True, metadata={"description": "In the request's language"}
    )
    params = fields.Dict(required=True)
    facts = fields.List(
        fields.String(), required=True, metadata={"description": 'e.g. "award:12", "rating:2024"'}
    )
    provisions = fields.Function(
        lambda r: _provisions(r["provisions"] if isinstance(r, dict) else r.provisions),
        required=True,
        metadata={"description": "[{id, label, verified}]"},
    )
    gate = fields.Boolean(required=True)


class EligibilityPersonRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.Function(lambda p: p.unit.code if p.unit else None, required=True)


class EligibilityUnitRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class EligibilityReportSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(attribute="title_code", required=True)
    year = fields.Integer(required=True)
    evaluated_on = fields.Date(required=True)
    outcome = fields.String(required=True, metadata=OUTCOME)
    person = fields.Nested(EligibilityPersonRefSchema, allow_none=True, required=True)
    unit = fields.Nested(EligibilityUnitRefSchema, allow_none=True, required=True)
    results = fields.List(fields.Nested(EligibilityResultSchema), required=True)
    params = fields.Dict(required=True, metadata={"description": "Every parameter used"})
    rule_versions = fields.List(fields.String(), required=True)
    created_at = UtcDateTime(required=True)


class EligibilityReportPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(EligibilityReportSchema), required=True)


class EligibilityShortResultSchema(Schema):
    rule = fields.String(required=True)
    reason = fields.String(required=True)
    explanation = fields.Function(explain, required=True)
    gate = fields.Boolean(required=True)


class EligibilitySubjectSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "person or unit"})
    id = fields.Integer(required=True)
    name = fields.String(required=True)


def _subject(row: QualifyRow | WhatIfRow) -> dict[str, Any]:
    return {"kind": row.subject_kind, "id": row.subject_id, "name": row.name}


class EligibilityQualifyRowSchema(Schema):
    subject = fields.Function(_subject, required=True)
    title = fields.String(required=True)
    outcome = fields.String(required=True, metadata=OUTCOME)
    failing = fields.List(
        fields.Nested(EligibilityShortResultSchema),
        required=True,
        metadata={"description": "Rules that fail (gates included)"},
    )
    unknown = fields.List(
        fields.Nested(EligibilityShortResultSchema),
        required=True,
        metadata={"description": "Rules that cannot tell"},
    )


class EligibilityQualifyListSchema(Schema):
    unit = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(allow_none=True, required=True)
    on = fields.Date(required=True)
    items = fields.List(fields.Nested(EligibilityQualifyRowSchema), required=True)


class EligibilitySideSchema(Schema):
    outcome = fields.String(required=True, metadata=OUTCOME)
    reason = fields.String(required=True)
    explanation = fields.Function(explain, required=True)


def _side(result: RuleResult | None) -> dict[str, Any] | None:
    return None if result is None else EligibilitySideSchema().dump(result)


class EligibilityRuleChangeSchema(Schema):
    rule = fields.String(required=True)
    before = fields.Function(lambda c: _side(c.before), allow_none=True, required=True)
    after = fields.Function(lambda c: _side(c.after), allow_none=True, required=True)


class EligibilityWhatIfRowSchema(Schema):
    subject = fields.Function(_subject, required=True)
    title = fields.String(required=True)
    before = fields.String(required=True, metadata=OUTCOME)
    after = fields.String(required=True, metadata=OUTCOME)
    changes = fields.List(fields.Nested(EligibilityRuleChangeSchema), required=True)


class EligibilityWhatIfResultSchema(Schema):
    unit = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    on = fields.Date(required=True)
    overrides = fields.Dict(required=True, metadata={"description": "As applied"})
    in_force = fields.Dict(required=True, metadata={"description": "Their values in force"})
    items = fields.List(fields.Nested(EligibilityWhatIfRowSchema), required=True)


class EligibilityRuleParamSchema(Schema):
    name = fields.String(required=True)
    value = fields.Function(lambda p: jsonable(p.value), allow_none=True, required=True)
    type = fields.Function(
        lambda p: param_kind(p.name),
        required=True,
        metadata={"description": "boolean, integer, number, text or list"},
    )
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True, required=True)
    provision = fields.Function(lambda p: _provisions([p.provision])[0], required=True)
    note = fields.String(required=True)


class EligibilityRuleSchema(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    provisions = fields.Function(lambda r: _provisions(r.provisions), required=True)
    params = fields.List(fields.String(), required=True, metadata={"description": "Names"})


class EligibilityTitleRulesSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    subject = fields.String(required=True, metadata={"description": "individual or collective"})
    kind = fields.String(required=True, metadata={"description": "title or form"})
    level = fields.String(required=True)
    decider = fields.String(required=True)
    decider_en = fields.String(required=True)
    rules = fields.List(fields.Nested(EligibilityRuleSchema), required=True)


class EligibilityRulesCatalogueSchema(Schema):
    on = fields.Date(required=True)
    titles = fields.List(fields.Nested(EligibilityTitleRulesSchema), required=True)
    params = fields.List(
        fields.Nested(EligibilityRuleParamSchema),
        required=True,
        metadata={"description": "The parameters in force on that day"},
    )


class EligibilityRuleParamListSchema(Schema):
    items = fields.List(
        fields.Nested(EligibilityRuleParamSchema),
        required=True,
        metadata={"description": "Every version of every parameter, with its validity"},
    )
