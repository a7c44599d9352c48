"""JSON API for heads: the review queue, verification, quality ratings and outcomes."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("review_api", __name__, url_prefix="/api/v1", description="Reviewing contributions")
