"""Dashboards for councils and heads (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "emulation_dashboards",
    __name__,
    url_prefix="/emulation/dashboards",
    template_folder="templates",
)
