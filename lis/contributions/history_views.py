"""Pages: import past contributions from XLSX; the advisers panel of a draft."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("contribution_history", __name__, url_prefix="/contributions/history")
