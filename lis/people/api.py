"""JSON API for people (admins manage them; every logged-in user may read)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "people_api", __name__, url_prefix="/api/v1", description="People in the NA's units"
)
