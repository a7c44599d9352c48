"""Pages: log a contribution, and a person's own record with its exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("contributions", __name__, url_prefix="/contributions")
