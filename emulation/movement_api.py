"""JSON API for emulation movements (being built)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "emulation_movements_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Emulation movements",
)
