"""Creating staff accounts and checking passwords (argon2id)."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.clock import Clock
from kontakt.events import Event, event_type, record
from kontakt.users.models import ROLES, ApiToken, User

MIN_PASSWORD = 10
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a failed login for an unknown user as slow as for a known
    one, so response times do not reveal which usernames exist."""
    return _hasher.hash("kontakt-timing-equaliser")


class UserError(Exception):
    pass


@event_type
@dataclass(frozen=True)
class UserCreated(Event):
    kind: ClassVar[str] = "user_created"
    username: str
    role: str
    actor: str


@event_type
@dataclass(frozen=True)
class LoginSucceeded(Event):
    kind: ClassVar[str] = "login_succeeded"
    username: str


@event_type
@dataclass(frozen=True)
class LoginFailed(Event):
    kind: ClassVar[str] = "login_failed"
    username: str


async def create_user(
    session: AsyncSession, username: str, password: str, role: str, *, actor: str, clock: Clock
) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,80}", username):
        raise UserError("username must be 2-80 letters, digits, dots, dashes or underscores")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    if await session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    await session.flush()
    await record(session, UserCreated(username=username, role=role, actor=actor), at=clock.now())
    return user


async def authenticate(
    session: AsyncSession, username: str, password: str, *, clock: Clock
) -> User | None:
    """Return the user when the password matches; record the attempt either way."""
    user = await session.scalar(select(User).where(User.username == username))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None or not user.active or not ok:
        await record(session, LoginFailed(username=username[:80]), at=clock.now())
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    await record(session, LoginSucceeded(username=username), at=clock.now())
    return user


@event_type
@dataclass(frozen=True)
class TokenIssued(Event):
    kind: ClassVar[str] = "api_token_issued"
    username: str
    name: str
    actor: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession, username: str, name: str, *, actor: str, clock: Clock
) -> str:
    """A new bearer token for ``username``; shown once, stored only as a hash."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user {username!r}")
    token = "kt_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name[:100],
            token_hash=token_hash(token),
            created_at=clock.now(),
        )
    )
    await record(
        session, TokenIssued(username=username, name=name[:100], actor=actor), at=clock.now()
    )
    return token


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    found = await session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False)
        )
    )
    if found is None:
        return None
    user = await session.get(User, found.user_id)
    return user if user is not None and user.active else None
