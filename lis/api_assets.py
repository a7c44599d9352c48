"""Swagger UI's files, served from the `swagger-ui-bundle` package: the browsable API docs work
on an intranet without reaching a CDN."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_assets", __name__)


@bp.route("/api/v1/swagger-ui/<path:filename>")
def asset(filename: str) -> Any:
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
