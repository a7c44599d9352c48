"""Council meetings, attendance and ballots in the API: what a client sends and gets back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from emulation import council as services
from emulation.commendation_models import BALLOT_RESULTS, VOTE_CHOICES
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul

ID = validate.Range(min=1, max=services.MAX_ID)
COUNT = validate.Range(min=0, max=services.MAX_COUNT)


def _text(limit: int, minimum: int = 0) -> validate.Validator:
    return validate.And(validate.Length(min=minimum, max=limit), no_nul)


def _unique(key: str) -> Any:
    def check(items: list[dict[str, Any]]) -> None:
        ids = [item[key] for item in items]
        if len(ids) != len(set(ids)):
            raise ValidationError(f"each {key} at most once")

    return check


class _Computed(fields.Nested):
    """A nested value computed from the object (typed in the OpenAPI document, unlike a
    Function field)."""

    def __init__(self, nested: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, **kwargs)
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return self.compute(obj)


class CouncilMeetingCreateSchema(Schema):
    title = fields.String(required=True, validate=_text(services.MAX_TITLE, 1))
    held_on = fields.Date(required=True, metadata={"description": "The day the council meets"})
    members = fields.List(
        fields.Integer(validate=ID, strict=True),
        required=True,
        validate=validate.Length(min=1, max=services.MAX_MEMBERS),
        metadata={"description": "Person ids of the council's members (active people, each once)"},
    )


class CouncilAttendanceEntrySchema(Schema):
    person_id = fields.Integer(required=True, validate=ID, strict=True)
    present = fields.Boolean(required=True)


class CouncilAttendanceUpdateSchema(Schema):
    attendance = fields.List(
        fields.Nested(CouncilAttendanceEntrySchema),
        required=True,
        validate=validate.And(
            validate.Length(min=1, max=services.MAX_MEMBERS), _unique("person_id")
        ),
        metadata={
            "description": "Members marked present or absent; members not listed keep their mark"
        },
    )


class CouncilVoteSchema(Schema):
    person_id = fields.Integer(required=True, validate=ID, strict=True)
    choice = fields.String(required=True, validate=validate.OneOf(VOTE_CHOICES))


class CouncilBallotCreateSchema(Schema):
    nomination_id = fields.Integer(required=True, validate=ID, strict=True)
    secret = fields.Boolean(
        required=True,
        metadata={"description": "A secret ballot keeps counts only; an open one each vote"},
    )
    yes = fields.Integer(load_default=None, allow_none=True, validate=COUNT, strict=True)
    no = fields.Integer(load_default=None, allow_none=True, validate=COUNT, strict=True)
    abstain = fields.Integer(load_default=None, allow_none=True, validate=COUNT, strict=True)
    votes = fields.List(
        fields.Nested(CouncilVoteSchema),
        load_default=None,
        validate=validate.And(validate.Length(max=services.MAX_MEMBERS), _unique("person_id")),
        metadata={
            "description": "Open ballots only: each present member's vote (the counts follow "
            "from them); must be absent in a secret ballot"
        },
    )


class CouncilCloseSchema(Schema):
    minutes = fields.String(
        required=True,
        validate=_text(services.MAX_MINUTES, 1),
        metadata={"description": "The minutes (biên bản) of the meeting"},
    )


class CouncilMeetingArgsSchema(PagedArgsSchema):
    state = fields.String(load_default=None, validate=validate.OneOf(services.MEETING_STATES))


class CouncilQuorumSchema(Schema):
    present = fields.Integer(required=True)
    total = fields.Integer(required=True)
    needed = fields.Integer(required=True)
    met = fields.Boolean(required=True)


class CouncilAttendanceSchema(Schema):
    person_id = fields.Integer(required=True)
    name = fields.String(attribute="person.name", required=True)
    present = fields.Boolean(required=True)


class CouncilOpenVoteSchema(Schema):
    person_id = fields.Integer(required=True)
    choice = fields.String(required=True, validate=validate.OneOf(VOTE_CHOICES))


class CouncilBallotSchema(Schema):
    id = fields.Integer(required=True)
    meeting_id = fields.Integer(required=True)
    nomination_id = fields.Integer(required=True)
    nomination_state = fields.String(attribute="nomination.state", required=True)
    secret = fields.Boolean(required=True)
    threshold = fields.Float(
        required=True, metadata={"description": "Yes votes must exceed this share of all members"}
    )
    yes = fields.Integer(required=True)
    no = fields.Integer(required=True)
    abstain = fields.Integer(required=True)
    result = fields.String(required=True, validate=validate.OneOf(BALLOT_RESULTS))
    rule_versions = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "The eligibility report voted on, its rules (rule@version), its "
            "parameters (name=value) and the council's quorum share and threshold"
        },
    )
    votes = fields.List(
        fields.Nested(CouncilOpenVoteSchema),
        required=True,
        metadata={"description": "Each member's vote in an open ballot; empty when secret"},
    )
    recorded_at = UtcDateTime(required=True)


class CouncilMeetingSummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(services.MEETING_STATES))
    members_total = fields.Integer(required=True)
    quorum_share = fields.Float(required=True)
    quorum = _Computed(CouncilQuorumSchema, services.quorum, required=True)
    ballot_count = fields.Function(
        lambda m: len(m.ballots), required=True, metadata={"type": "integer"}
    )


class CouncilMeetingSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(services.MEETING_STATES))
    members_total = fields.Integer(required=True)
    quorum_share = fields.Float(
        required=True, metadata={"description": "The share of members who must be present"}
    )
    quorum = _Computed(CouncilQuorumSchema, services.quorum, required=True)
    attendance = _Computed(CouncilAttendanceSchema, services.members_of, many=True, required=True)
    ballots = fields.List(fields.Nested(CouncilBallotSchema), required=True)
    minutes = fields.String(required=True)
    created_by_id = fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class CouncilMeetingPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(CouncilMeetingSummarySchema), required=True)
