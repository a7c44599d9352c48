"""Web pages for emulation scores (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "emulation_scores", __name__, url_prefix="/emulation/scores", template_folder="templates"
)
