"""JSON API for eligibility: run a title's rules for a person or a unit and keep the report,
read stored reports, list who qualifies in a unit, ask "what if" a parameter changed, and read
the catalogue of rules and parameters.

Who may call what (`emulation.eligibility` holds the rules in full):

- evaluate (stored), who-qualifies, what-if: officers, the council, administrators; heads for
  their units and their units' people.
- stored reports: the same, and staff their own.
- the rules and parameters: every reader of the emulation module.
- deputies: 403 everywhere.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from emulation import eligibility, legal
from emulation.commendation_models import EligibilityReport
from emulation.eligibility_schemas import (
    EligibilityEvaluateSchema,
    EligibilityQualifyArgsSchema,
    EligibilityQualifyListSchema,
    EligibilityReportArgsSchema,
    EligibilityReportPageSchema,
    EligibilityReportSchema,
    EligibilityRuleParamListSchema,
    EligibilityRulesArgsSchema,
    EligibilityRulesCatalogueSchema,
    EligibilityWhatIfResultSchema,
    EligibilityWhatIfSchema,
)
from lis import clock
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import ValidationError
from lis.reference.models import Unit

blp = Blueprint(
    "emulation_eligibility_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Eligibility: the title rules run for a person or a unit, who qualifies, "
    "what if a parameter changed",
)

_READ = require_roles(*eligibility.READ_ROLES)
_EVALUATE = require_roles(*eligibility.EVALUATE_ROLES)


def unit_id_of(code: str) -> int:
    """A unit's id by code; an unknown code is a 422 naming `unit`."""
    found = db.session().scalar(select(Unit.id).where(Unit.code == code))
    if found is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    return found


@blp.route("/eligibility")
class Reports(MethodView):
    @_READ
    @blp.arguments(EligibilityReportArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, EligibilityReportPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Stored eligibility reports the caller may see, newest first.

        Officers, the council and administrators see all; heads their units' and their
        units' people's; staff their own. `unit` means the unit's reports and those of the
        people now in it."""
        session = db.session()
        stmt = eligibility.list_reports(
            session,
            current_user,
            person_id=data["person"],
            unit_id=unit_id_of(data["unit"]) if data["unit"] else None,
            title=data["title"],
            year=data["year"],
        )
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_EVALUATE
    @blp.arguments(EligibilityEvaluateSchema())
    @blp.response(201, EligibilityReportSchema)
    def post(self, data: dict[str, Any]) -> EligibilityReport:
        """Run a title's rules for a person (`person`) or a unit (`unit`, collective titles)
        for `year`, with the rules and parameters in force on `on` (today by default), and
        keep the report (audited).

        Each result says pass, fail or unknown (cannot tell), why (in the request's language),
        the provision it encodes (with whether its text was verified), the parameters and the
        facts it used. An unknown title, a title for the other kind of subject, a year out of
        range or an unknown person or unit is a 422 naming the field."""
        with transaction() as session:
            row = eligibility.evaluate(
                session,
                current_user,
                title=data["title"],
                year=data["year"],
                person_id=data["person"],
                unit_id=unit_id_of(data["unit"]) if data["unit"] else None,
                on=data["on"],
            )
            report_id = row.id
        return eligibility.get_report(db.session(), current_user, report_id)


@blp.route("/eligibility/<int:report_id>")
class ReportItem(MethodView):
    @_READ
    @blp.response(200, EligibilityReportSchema)
    def get(self, report_id: int) -> EligibilityReport:
        """One stored report, with each rule's outcome, explanation, provision and facts."""
        return eligibility.get_report(db.session(), current_user, report_id)


@blp.route("/eligibility/qualifies")
class Qualifies(MethodView):
    @_EVALUATE
    @blp.arguments(EligibilityQualifyArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, EligibilityQualifyListSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Who qualifies in a unit for a year: each active person of the unit (not its
        sub-units) against each individual title with rules, and the unit itself against
        each collective title (or only `title`). Nothing is stored.

        Officers, the council and administrators for any unit; heads for their units."""
        on = data["on"] or clock.today()
        rows = eligibility.who_qualifies(
            db.session(),
            current_user,
            unit_id=unit_id_of(data["unit"]),
            year=data["year"],
            title=data["title"],
            on=on,
        )
        return {
            "unit": data["unit"],
            "year": data["year"],
            "title": data["title"],
            "on": on,
            "items": rows,
        }


@blp.route("/eligibility/what-if")
class WhatIf(MethodView):
    @_EVALUATE
    @blp.arguments(EligibilityWhatIfSchema())
    @blp.response(200, EligibilityWhatIfResultSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Run a unit's who-qualifies list for one title twice: with the parameters in force,
        then with `overrides`; answer only the subjects whose outcome changes, with the rules
        that changed. Nothing is stored.

        An unknown parameter or a value of the wrong type is a 422 naming
        `overrides.<name>`."""
        on = data["on"] or clock.today()
        overrides = eligibility.check_overrides(data["overrides"])
        rows = eligibility.what_if(
            db.session(),
            current_user,
            unit_id=unit_id_of(data["unit"]),
            year=data["year"],
            title=data["title"],
            overrides=overrides,
            on=on,
        )
        in_force = eligibility.params_in_force(on)
        return {
            "unit": data["unit"],
            "year": data["year"],
            "title": data["title"],
            "on": on,
            "overrides": eligibility.jsonable(overrides),
            "in_force": eligibility.jsonable({k: in_force.get(k) for k in overrides}),
            "items": rows,
        }


@blp.route("/rules")
class Rules(MethodView):
    @_READ
    @blp.arguments(EligibilityRulesArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, EligibilityRulesCatalogueSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Every title with rules: its rules with the provisions they encode, and the
        parameters in force on `on` (today by default)."""
        on = data["on"] or clock.today()
        titles = eligibility.catalogue(db.session(), current_user)
        return {
            "on": on,
            "titles": [
                {
                    "code": t.title.code,
                    "name": t.title.name,
                    "name_en": t.title.name_en,
                    "subject": t.title.subject,
                    "kind": t.title.kind,
                    "level": t.title.level,
                    "decider": t.title.decider,
                    "decider_en": t.title.decider_en,
                    "rules": list(t.rules),
                }
                for t in titles
            ],
            "params": eligibility.param_versions_in_force(on),
        }


@blp.route("/rule-params")
class RuleParams(MethodView):
    @_READ
    @blp.response(200, EligibilityRuleParamListSchema)
    def get(self) -> dict[str, Any]:
        """Every version of every rule parameter: its value, type, validity, the provision it
        comes from and a note (a parameter whose source is unverified says so)."""
        eligibility.catalogue(db.session(), current_user)  # the reader check
        return {"items": legal.params_catalogue()}
