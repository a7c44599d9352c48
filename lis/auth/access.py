"""Who may see what: every endpoint needs a logged-in user unless it is listed as public."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

from lis.auth import identity
from lis.db import db
from lis.errors import PermissionDenied, error_body
from lis.extensions import csrf, login_manager

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "health.healthz", "api_assets.asset"})
F = TypeVar("F", bound=Callable[..., Any])


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def require_roles(*roles: str) -> Callable[[F], F]:
    """Refuse (403) users that hold none of `roles`; admins hold every role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role("admin", *roles):
                raise PermissionDenied(
                    f"this needs one of the roles: {', '.join(roles)}", {"role": "missing"}
                )
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> Any:
        return identity.principal_for_id(db.session(), int(user_id)) if user_id.isdigit() else None

    @login_manager.request_loader
    def _load_from_token(_request: Any) -> Any:
        token = bearer_token()
        return identity.principal_for_token(db.session(), token) if token else None

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if is_api_request():
            body = error_body("unauthorized", "log in or send 'Authorization: Bearer <token>'")
            return body, 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def _require_login() -> Any:
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and bearer_token() is None and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # cookie sessions must prove the form came from us
        return None
