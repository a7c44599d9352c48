"""Pages for managing units and people (administrators)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")
