"""JSON API for relations and suggested relations."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "relations_api", __name__, url_prefix="/api/v1", description="Relations between documents"
)
