"""Users, sign-in and API tokens.

Passwords are hashed by the PasswordHasher port (argon2 in production). API tokens
are random, shown once, and stored only as a SHA-256 digest: a stolen database does
not yield usable tokens, and a digest lookup is constant work per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from orderforge.domain.errors import AuthenticationFailed, InvalidInput, NotFound
from orderforge.domain.permissions import CREATE, VIEW, Resource, require
from orderforge.domain.user import ApiToken, User
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.views import UserView, user_view

TOKEN_PREFIX = "ofk_"  # noqa: S105 - a public marker, not a secret
#: Verified against when the username is unknown, so a miss costs as much as a hit.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"  # noqa: S105


@dataclass(frozen=True)
class AddUser:
    username: str
    role: str
    password: str
    display_name: str = ""
    customer_code: str | None = None


def principal_of(user: User) -> Principal:
    if user.id is None:  # pragma: no cover
        raise RuntimeError("user has no id; was it stored?")
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        customer_id=user.customer_id,
    )


def add_user(ctx: ServiceContext, actor: Principal | None, cmd: AddUser) -> UserView:
    """Create a user. `actor` None means the local administrator at the command line."""
    if actor is not None:
        require(actor.role, Resource.USER, CREATE)
    with ctx.uow() as uow:
        customer_id = _customer_id(uow, cmd.customer_code)
        username, role = User.check_new(
            username=cmd.username, role=cmd.role, password=cmd.password, customer_id=customer_id
        )
        if uow.users.get(username) is not None:
            raise InvalidInput(f"User {username} already exists.", field="username")
        now = ctx.clock.now()
        user = User(
            username=username,
            display_name=cmd.display_name.strip() or username,
            role=role,
            password_hash=ctx.hasher.hash(cmd.password),
            created_at=now,
            customer_id=customer_id,
        )
        user.record_created(actor.username if actor else "cli", now)
        uow.users.add(user)
        uow.commit()
        return user_view(user, cmd.customer_code.strip().upper() if cmd.customer_code else None)


def _customer_id(uow: UnitOfWork, code: str | None) -> int | None:
    if not code:
        return None
    customer = uow.customers.get(code.strip().upper())
    if customer is None:
        raise InvalidInput(f"There is no customer with code '{code}'.", field="customer")
    return customer.id


def list_users(ctx: ServiceContext, actor: Principal) -> list[UserView]:
    require(actor.role, Resource.USER, VIEW)
    with ctx.uow() as uow:
        codes = {c.id: c.code for c in uow.customers.list()}
        return [user_view(u, codes.get(u.customer_id)) for u in uow.users.list()]


def authenticate(ctx: ServiceContext, username: str, password: str) -> Principal:
    refusal = AuthenticationFailed("Wrong username or password.")
    with ctx.uow() as uow:
        user = uow.users.get(username.strip().lower())
        if user is None or not user.active:
            ctx.hasher.verify(ctx.hasher.hash(_DUMMY_PASSWORD), password)
            raise refusal
        if not ctx.hasher.verify(user.password_hash, password):
            raise refusal
        return principal_of(user)


def principal_by_id(ctx: ServiceContext, user_id: int) -> Principal:
    with ctx.uow() as uow:
        user = uow.users.get_by_id(user_id)
        if user is None or not user.active:
            raise AuthenticationFailed("Your session has ended; sign in again.")
        return principal_of(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ctx: ServiceContext, username: str, name: str) -> str:
    """Create an API token for a user and return it; it cannot be shown again."""
    name = name.strip() or "api"
    if len(name) > 100:
        raise InvalidInput("Token name must be at most 100 characters.", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        user = uow.users.get(username.strip().lower())
        if user is None or user.id is None:
            raise NotFound(f"There is no user {username}.")
        uow.tokens.add(
            ApiToken(
                user_id=user.id, name=name, token_hash=_digest(token), created_at=ctx.clock.now()
            )
        )
        uow.commit()
    return token


def principal_by_token(ctx: ServiceContext, token: str) -> Principal:
    refusal = AuthenticationFailed("The API token is unknown or revoked.")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise refusal
    with ctx.uow() as uow:
        stored = uow.tokens.get_by_hash(_digest(token))
        if stored is None or stored.revoked_at is not None:
            raise refusal
        user = uow.users.get_by_id(stored.user_id)
        if user is None or not user.active:
            raise refusal
        return principal_of(user)
