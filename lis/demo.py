"""Demo users for a laptop: one per role, printed by `make run`. Never used in production."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from lis.auth import services
from lis.auth.models import ROLES

DEMO_PASSWORD = os.environ.get("LIS_DEMO_PASSWORD", "demo-password")
DEMO_DOMAIN = "demo.lis.vn"


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


def ensure_demo_users(session: Session) -> list[tuple[str, list[str]]]:
    """An account per role (admin included); existing ones are left as they are."""
    out = []
    for role in ROLES:
        email = demo_email(role)
        user = services.find_user(session, email)
        if user is None:
            user = services.create_user(
                session, email=email, password=DEMO_PASSWORD, roles=[role], name=f"Demo {role}"
            )
        out.append((user.email, list(user.roles)))
    return out
