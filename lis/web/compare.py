"""The side-by-side comparison of two versions of a document."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("compare", __name__)
