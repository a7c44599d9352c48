"""JSON API for importing past contributions from an XLSX sheet, and who advised on a draft."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "history_api", __name__, url_prefix="/api/v1", description="Past contributions and advisers"
)
