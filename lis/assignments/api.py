"""JSON API for assignments."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "assignments_api", __name__, url_prefix="/api/v1", description="Assignments of advisory work"
)
