"""JSON API for logging contributions and a person's own record."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "contributions_api", __name__, url_prefix="/api/v1", description="Advisory contributions"
)
