"""JSON API for people (admins manage them; every logged-in user may read)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from lis.auth.access import require_roles
from lis.db import db, transaction
from lis.people import queries, services
from lis.people.schemas import (
    PeopleArgsSchema,
    PeoplePageSchema,
    PersonCreateSchema,
    PersonSchema,
    PersonUpdateSchema,
)

blp = Blueprint(
    "people_api", __name__, url_prefix="/api/v1", description="People in the NA's units"
)


def filter_from(data: dict[str, Any]) -> queries.PeopleFilter:
    return queries.PeopleFilter(
        unit=data["unit"], sub_units=data["sub_units"], q=data["q"], active=data["active"]
    )


@blp.route("/people")
class People(MethodView):
    @blp.arguments(PeopleArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, PeoplePageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """People sorted by name, filtered by unit (optionally with its sub-units), by words of
        the name or e-mail (diacritics optional) and by whether they are active."""
        page, per_page = data["page"], data["per_page"]
        total, items = queries.list_people(db.session(), filter_from(data), page, per_page)
        return {"total": total, "page": page, "per_page": per_page, "items": items}

    @require_roles("admin")
    @blp.arguments(PersonCreateSchema(), as_kwargs=False)
    @blp.response(201, PersonSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a person in an open unit, optionally linked to a login by its e-mail (admins)."""
        with transaction() as session:
            return services.create_person(session, actor=current_user, **data)


# The id is taken as text (and checked by the query) so an unknown path answers in JSON.
@blp.route("/people/<string:person_id>")
class PersonItem(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id: str) -> Any:
        """One person by id."""
        return queries.get_person(db.session(), person_id)

    @require_roles("admin")
    @blp.arguments(PersonUpdateSchema(), as_kwargs=False)
    @blp.response(200, PersonSchema)
    def patch(self, data: dict[str, Any], person_id: str) -> Any:
        """Change a person: move (unit), relink or unlink (user), deactivate or reactivate
        (active); only the fields sent change (admins)."""
        with transaction() as session:
            person = queries.get_person(session, person_id)
            return services.update_person(session, person, actor=current_user, changes=data)
