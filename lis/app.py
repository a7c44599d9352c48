"""The composition root: `create_app(settings)` wires everything, in this order."""

from __future__ import annotations

import logging

from flask import Flask, request

from lis import converters, http_errors, i18n, search_backend
from lis.auth import access
from lis.db import db, sqlite_writes
from lis.extensions import api, csrf, migrate
from lis.http_errors import ErrorResponsesPlugin
from lis.indexing import hooks
from lis.json_provider import OrjsonProvider
from lis.settings import PROJECT_ROOT, Settings

# Import the models so that the metadata (and Alembic) sees every table.
from lis.assignments import models as _assignment_models  # noqa: F401  isort: skip
from lis.audit import models as _audit_models  # noqa: F401  isort: skip
from lis.auth import models as _auth_models  # noqa: F401  isort: skip
from lis.contributions import models as _contribution_models  # noqa: F401  isort: skip
from emulation import models as _emulation_models  # noqa: F401  isort: skip
from emulation import commendation_models as _commendation_models  # noqa: F401  isort: skip
from lis.documents import models as _document_models  # noqa: F401  isort: skip
from lis.drafts import models as _draft_models  # noqa: F401  isort: skip
from lis.indexing import models as _indexing_models  # noqa: F401  isort: skip
from lis.people import models as _people_models  # noqa: F401  isort: skip
from lis.reference import models as _reference_models  # noqa: F401  isort: skip
from lis.relations import models as _relation_models  # noqa: F401  isort: skip


class LisFlask(Flask):
    json_provider_class = OrjsonProvider


API_TITLE = "LIS API"
API_VERSION = "v1"


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        DEBUG=settings.debug,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in access.py, skipped only for bearer tokens
        WTF_CSRF_ENABLED=settings.extra.get("csrf", True),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        API_TITLE=API_TITLE,
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/swagger-ui/",
        LIS_SETTINGS=settings,
    )


def _register_api(app: Flask) -> None:
    from emulation.council_api import blp as council_api
    from emulation.eligibility_api import blp as eligibility_api
    from emulation.movement_api import blp as movements_api
    from emulation.nomination_api import blp as nominations_api
    from emulation.rating_api import blp as ratings_api
    from emulation.record_api import blp as records_api
    from emulation.score_api import blp as scores_api
    from lis.assignments.api import blp as assignments_api
    from lis.audit.api import blp as audit_api
    from lis.contributions.api import blp as contributions_api
    from lis.contributions.history_api import blp as history_api
    from lis.contributions.review_api import blp as review_api
    from lis.documents.api import blp as documents_api
    from lis.drafts.api import blp as drafts_api
    from lis.people.api import blp as people_api
    from lis.reference.api import blp as reference_api
    from lis.relations.api import blp as relations_api

    api.init_app(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearer": []}, {"session": []}],
            "extra_plugins": [ErrorResponsesPlugin()],
        },
    )
    for blueprint in (
        documents_api,
        drafts_api,
        relations_api,
        assignments_api,
        contributions_api,
        review_api,
        history_api,
        reference_api,
        people_api,
        audit_api,
        movements_api,
        scores_api,
        ratings_api,
        records_api,
        eligibility_api,
        nominations_api,
        council_api,
    ):
        api.register_blueprint(blueprint)


def _register_blueprints(app: Flask) -> None:
    from emulation.council_views import bp as council_bp
    from emulation.dashboard_views import bp as dashboards_bp
    from emulation.eligibility_views import bp as eligibility_bp
    from emulation.evidence_views import bp as evidence_bp
    from emulation.movement_views import bp as movements_bp
    from emulation.nomination_views import bp as nominations_bp
    from emulation.rating_views import bp as ratings_bp
    from emulation.record_views import bp as records_bp
    from emulation.score_views import bp as scores_bp
    from lis.api_assets import bp as api_assets
    from lis.assignments.views import bp as assignments_bp
    from lis.audit.views import bp as audit_bp
    from lis.auth.views import bp as auth_bp
    from lis.contributions.history_views import bp as history_bp
    from lis.contributions.review_views import bp as review_bp
    from lis.contributions.views import bp as contributions_bp
    from lis.drafts.views import bp as drafts_bp
    from lis.health.views import bp as health_bp
    from lis.people.views import bp as people_bp
    from lis.relations.views import bp as relations_bp
    from lis.web.compare import bp as compare_bp
    from lis.web.views import bp as web_bp

    app.register_blueprint(api_assets)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    for blueprint in (
        web_bp,
        compare_bp,
        drafts_bp,
        relations_bp,
        assignments_bp,
        contributions_bp,
        review_bp,
        history_bp,
        people_bp,
        audit_bp,
        movements_bp,
        scores_bp,
        ratings_bp,
        dashboards_bp,
        records_bp,
        eligibility_bp,
        nominations_bp,
        council_bp,
        evidence_bp,
    ):
        app.register_blueprint(blueprint)


def _mark_writes() -> None:
    """A request that may write takes SQLite's write lock when its transaction begins."""
    sqlite_writes.set(request.method not in {"GET", "HEAD", "OPTIONS"})


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.validate()
    app = LisFlask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    converters.install(app.url_map)
    _configure(app, settings)
    logging.basicConfig(level=logging.INFO if settings.debug else logging.WARNING)

    db.init_engine(settings.database_url)
    hooks.install(db.session_factory)
    app.teardown_appcontext(db.remove)
    app.before_request(_mark_writes)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    http_errors.init_app(app)
    search_backend.init_app(app, settings)
    _register_blueprints(app)
    _register_api(app)

    from lis.cli import register_commands

    register_commands(app)
    return app
