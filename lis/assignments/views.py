"""Pages: assign work, open and overdue assignments per unit and per person."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assignments", __name__, url_prefix="/assignments")
