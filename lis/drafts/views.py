"""Pages for drafts: create, add a version, move a stage."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("drafts", __name__, url_prefix="/drafts")
