"""JSON API for drafts: create, add versions, move through stages."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "drafts_api", __name__, url_prefix="/api/v1", description="Drafts, versions and stages"
)
