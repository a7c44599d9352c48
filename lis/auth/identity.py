"""Who is asking: a small immutable principal, cached briefly in each process.

Every page and API call needs the caller's roles. Reading them from the database on every
request cost a connection, a query and an ORM object: 0.8 ms, a third of the API's own
overhead. So the principal is kept for IDENTITY_TTL seconds. A change made in this process
(e.g. a revoked token) calls `forget()`; other processes see it within IDENTITY_TTL.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from flask_login import UserMixin
from sqlalchemy.orm import Session

from lis.auth.models import User

IDENTITY_TTL = 30.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Principal(UserMixin):
    """What access checks need of a user; load the User row by `id` for anything more."""

    id: int
    email: str
    name: str
    roles: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(id=user.id, email=user.email, name=user.name, roles=tuple(user.roles))

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))


class _TTLCache:
    def __init__(self) -> None:
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                self._items.pop(key, None)
                return None
            return item[1]

    def put(self, key: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) >= MAX_ENTRIES:
                self._items.clear()
            self._items[key] = (time.monotonic() + IDENTITY_TTL, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _TTLCache()


def forget() -> None:
    """Drop every cached principal (after a change to users, roles or tokens)."""
    _cache.clear()


def principal_for_token(session: Session, token: str) -> Principal | None:
    from lis.auth.services import user_for_token

    key = "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    principal = _cache.get(key)
    if principal is None:
        user = user_for_token(session, token)
        if user is None:
            return None  # unknown tokens are not cached: a new token works at once
        principal = Principal.of(user)
        _cache.put(key, principal)
    return principal


def principal_for_id(session: Session, user_id: int) -> Principal | None:
    key = f"user:{user_id}"
    principal = _cache.get(key)
    if principal is None:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        principal = Principal.of(user)
        _cache.put(key, principal)
    return principal
