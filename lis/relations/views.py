"""Pages: relations of a document, confirm or dismiss suggestions; compare two versions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("relations", __name__)
