"""Extension instances, bare: `create_app` wires them to the app."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from lis.db import db
from lis.http_errors import LisApi

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = LisApi()

__all__ = ["api", "babel", "csrf", "db", "login_manager", "migrate"]
