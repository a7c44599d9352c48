"""Web pages for emulation ratings (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "emulation_ratings", __name__, url_prefix="/emulation/ratings", template_folder="templates"
)
