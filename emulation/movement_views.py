"""Web pages for emulation movements (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "emulation_movements", __name__, url_prefix="/emulation/movements", template_folder="templates"
)
