"""Users, passwords and API tokens.

Passwords use scrypt; tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lis.audit import services as audit
from lis.auth.models import ROLES, ApiToken, User
from lis.db import utcnow
from lis.errors import Conflict, NotFound, ValidationError

TOKEN_PREFIX = "lis_"  # noqa: S105 - a label, not a secret
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    roles: list[str],
    name: str = "",
    actor: Any = None,
) -> User:
    errors: dict[str, str] = {}
    email = email.strip().lower()
    if not _EMAIL.match(email):
        errors["email"] = "not a valid e-mail address"
    elif find_user(session, email):
        raise Conflict(f"a user with e-mail {email} already exists", {"email": "already used"})
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        errors["roles"] = f"choose one or more of {', '.join(ROLES)}"
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"at least {MIN_PASSWORD} characters"
    if errors:
        raise ValidationError("the user cannot be created", errors)
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        roles=sorted(set(roles)),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity="user",
        entity_id=user.id,
        summary=f"user {email} created",
        after={"email": email, "name": name, "roles": user.roles},
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user(session, email)
    if user is None or not user.active:
        # Spend the same time as a real check so e-mail addresses cannot be probed by timing.
        check_password_hash(generate_password_hash("x"), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def issue_token(session: Session, email: str, actor: Any = None) -> str:
    """A new API token for the user; only its hash is stored, so it is shown once."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user with e-mail {email}", {"email": "unknown"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_hash_token(token), prefix=token[:12])
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="issue_token",
        entity="user",
        entity_id=user.id,
        summary=f"API token {row.prefix}… issued to {user.email}",
        after={"token_id": row.id, "prefix": row.prefix},
    )
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user holding this unrevoked token: one query, as it runs on every API call."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _hash_token(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
