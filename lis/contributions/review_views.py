"""Pages for heads: the review queue, verify or reject, rate, record outcomes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
