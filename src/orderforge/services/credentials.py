"""What a signed-in caller carries: browser sessions and API tokens.

Both are random secrets shown once (a token) or kept in a signed cookie (a session id),
stored only as a SHA-256 digest: a stolen database yields nothing usable, and a digest
lookup is constant work per request. Both are records on the server, so signing out,
revoking, deactivating the user or changing the password ends them at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from pydantic import BaseModel

from orderforge.domain.errors import AuthenticationFailed, InvalidInput, NotFound
from orderforge.domain.permissions import EDIT, Resource, is_allowed
from orderforge.domain.user import ApiToken, WebSession
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.users import principal_of

TOKEN_PREFIX = "ofk_"  # noqa: S105 - a public marker, not a secret
#: A session is marked as seen at most this often: each mark is a write.
_SEEN_EVERY = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenView(BaseModel):
    """A token as its owner and administrators see it: never the secret itself."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    active: bool


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    expires_at: dt.datetime


def issue_token(
    ctx: ServiceContext, username: str, name: str, days: int | None = None
) -> IssuedToken:
    """Create an API token for a user and return it; it cannot be shown again. It
    expires after `days` (the plant's default when None)."""
    name = name.strip() or "api"
    if len(name) > 100 or "\x00" in name:
        raise InvalidInput("Token name must be at most 100 characters, without NUL.", field="name")
    days = ctx.security.token_default_days if days is None else days
    if not 1 <= days <= ctx.security.token_max_days:
        raise InvalidInput(
            f"A token lasts 1 to {ctx.security.token_max_days} days, not {days}.",
            field="expires_in_days",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        user = uow.users.get(username.strip().lower()[:40])
        if user is None or user.id is None or not user.active:
            raise NotFound(f"There is no active user {username[:40]}.")
        now = ctx.clock.now()
        expires_at = now + dt.timedelta(days=days)
        uow.tokens.add(
            ApiToken(
                user_id=user.id,
                name=name,
                token_hash=_digest(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
        uow.commit()
    return IssuedToken(secret=token, expires_at=expires_at)


def principal_by_token(ctx: ServiceContext, token: str) -> Principal:
    refusal = AuthenticationFailed("The API token is unknown, expired or revoked.")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise refusal
    with ctx.uow() as uow:
        stored = uow.tokens.get_by_hash(_digest(token))
        if stored is None or not stored.is_valid(ctx.clock.now()):
            raise refusal
        user = uow.users.get_by_id(stored.user_id)
        if user is None or not user.active:
            raise refusal
        return principal_of(user)


def list_tokens(
    ctx: ServiceContext, actor: Principal | None, everyone: bool = False
) -> list[TokenView]:
    """The actor's own tokens; every user's for an administrator who asks (`actor` None
    is the local administrator at the command line)."""
    with ctx.uow() as uow:
        mine = actor is not None and not (everyone and _is_admin(actor))
        names = {u.id: u.username for u in uow.users.list()}
        now = ctx.clock.now()
        return [
            TokenView(
                id=t.id or 0,
                username=names.get(t.user_id, "?"),
                name=t.name,
                created_at=t.created_at,
                expires_at=t.expires_at,
                revoked_at=t.revoked_at,
                last_used_at=t.last_used_at,
                active=t.is_valid(now),
            )
            for t in uow.tokens.list(actor.user_id if mine and actor else None)
        ]


def _is_admin(actor: Principal | None) -> bool:
    return actor is None or is_allowed(actor.role, Resource.USER, EDIT)


def revoke_token(ctx: ServiceContext, actor: Principal | None, token_id: int) -> None:
    """Owners revoke their own tokens, administrators anyone's; someone else's token is
    'not found' to everybody else, so ids do not reveal whose tokens exist."""
    with ctx.uow() as uow:
        token = uow.tokens.get(token_id)
        may = token is not None and (
            _is_admin(actor) or (actor is not None and token.user_id == actor.user_id)
        )
        if token is None or not may:
            raise NotFound(f"There is no token {token_id}.")
        token.revoke(ctx.clock.now())
        uow.commit()


def start_session(ctx: ServiceContext, principal: Principal) -> str:
    """Record a signed-in browser; the returned id goes into the (signed) cookie."""
    session_id = secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        uow.sessions.add(
            WebSession(
                user_id=principal.user_id,
                token_hash=_digest(session_id),
                created_at=now,
                last_seen_at=now,
            )
        )
        uow.commit()
    return session_id


def principal_by_session(ctx: ServiceContext, session_id: str) -> Principal:
    """The user of a live session; marks it seen (at most once a minute)."""
    principal, stale = session_principal(ctx, session_id)
    if stale:
        mark_session_seen(ctx, session_id)
    return principal


def session_principal(ctx: ServiceContext, session_id: str) -> tuple[Principal, bool]:
    """The user of a live session, and whether its last-seen time is due for an update.
    Only reads: a page view must not write (the caller marks it seen in a transaction
    of its own, `mark_session_seen`)."""
    refusal = AuthenticationFailed("Your session has ended; sign in again.")
    if not session_id or len(session_id) > 100:
        raise refusal
    with ctx.uow() as uow:
        session = uow.sessions.get_by_hash(_digest(session_id))
        now = ctx.clock.now()
        policy = ctx.security
        if session is None or not session.is_live(
            now, policy.session_idle, policy.session_absolute
        ):
            raise refusal
        user = uow.users.get_by_id(session.user_id)
        if user is None or not user.active:
            raise refusal
        return principal_of(user), now - session.last_seen_at >= _SEEN_EVERY


def mark_session_seen(ctx: ServiceContext, session_id: str) -> None:
    """Record that a session was used now, which keeps it from expiring idle."""
    with ctx.uow() as uow:
        session = uow.sessions.get_by_hash(_digest(session_id))
        if session is not None:
            session.last_seen_at = ctx.clock.now()
            uow.commit()


def end_session(ctx: ServiceContext, session_id: str) -> None:
    """Sign out: the cookie, if replayed, is refused from now on."""
    if not session_id or len(session_id) > 100:
        return
    with ctx.uow() as uow:
        _end(uow, session_id, ctx.clock.now())
        uow.commit()


def _end(uow: UnitOfWork, session_id: str, now: dt.datetime) -> None:
    session = uow.sessions.get_by_hash(_digest(session_id))
    if session is not None:
        session.revoke(now)
