"""Users, sign-in and passwords; who manages them.

Passwords are hashed by the PasswordHasher port (argon2 in production). Sessions and
API tokens are in `credentials`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderforge.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, is_allowed, require
from orderforge.domain.user import User, check_email, check_password
from orderforge.services.context import ServiceContext
from orderforge.services.ports import PasswordHasher, Principal, UnitOfWork
from orderforge.services.views import UserView, user_view

#: Verified against when the username is unknown, so a miss costs as much as a hit.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"  # noqa: S105


@dataclass(frozen=True)
class AddUser:
    username: str
    role: str
    password: str
    display_name: str = ""
    customer_code: str | None = None
    #: where e-mail notifications go; "" for none
    email: str = ""


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
        email = check_email(cmd.email)
        _check_unused(uow, username)
    password_hash = ctx.hasher.hash(cmd.password)  # slow: outside any transaction
    with ctx.uow() as uow:
        _check_unused(uow, username)
        now = ctx.clock.now()
        user = User(
            username=username,
            display_name=cmd.display_name.strip() or username,
            role=role,
            password_hash=password_hash,
            created_at=now,
            customer_id=customer_id,
            email=email,
        )
        user.record_created(actor.username if actor else "cli", now)
        uow.users.add(user)
        uow.commit()
        return user_view(user, cmd.customer_code.strip().upper() if cmd.customer_code else None)


def _check_unused(uow: UnitOfWork, username: str) -> None:
    if uow.users.get(username) is not None:
        raise InvalidInput(f"User {username} already exists.", field="username")


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


SIGN_IN = "sign_in"
#: Re-entering one's password to give an electronic signature (21 CFR 11.200).
SIGNATURE = "signature"


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown or inactive, made once per
    hasher: a miss then costs one verification, like a hit, and no hashing."""
    cached = _DUMMY_HASHES.get(id(hasher))
    if cached is None or cached[0] is not hasher:
        cached = (hasher, hasher.hash(_DUMMY_PASSWORD))
        _DUMMY_HASHES[id(hasher)] = cached
    return cached[1]


_DUMMY_HASHES: dict[int, tuple[PasswordHasher, str]] = {}


def authenticate(
    ctx: ServiceContext, username: str, password: str, client: str = "", kind: str = SIGN_IN
) -> Principal:
    """Check a username and password, within the failed-attempt limits.

    The user is read in a short transaction that is closed before the (slow, deliberately)
    hash verification, so guessing never holds a database lock; unknown and known users
    cost one verification each, so the time does not tell which usernames exist.
    `client` is the caller's address, for the per-client limit; `kind` keeps the counts of
    sign-ins and of signature re-entries apart."""
    name = username.strip().lower()[:40]
    keys = {"account": name, "client": client}
    check_attempts(ctx, kind, keys)
    refusal = AuthenticationFailed("Wrong username or password.")
    if "\x00" in name or "\x00" in password:
        record_failure(ctx, kind, keys)
        raise refusal
    with ctx.uow() as uow:
        user = uow.users.get(name)
        principal = principal_of(user) if user is not None and user.active else None
        password_hash = user.password_hash if principal is not None and user else None
    if password_hash is None or principal is None:
        ctx.hasher.verify(_dummy_hash(ctx.hasher), password)
        record_failure(ctx, kind, keys)
        raise refusal
    if not ctx.hasher.verify(password_hash, password):
        record_failure(ctx, kind, keys)
        raise refusal
    if ctx.attempts is not None:
        ctx.attempts.succeeded(kind, keys)
    return principal


def check_attempts(ctx: ServiceContext, kind: str, keys: dict[str, str]) -> None:
    """Refuse before any costly work when the account or the client is over its limit;
    reusable for every kind of secret entry (sign-in, signature re-entry)."""
    if ctx.attempts is None:
        return
    over = ctx.attempts.retry_after(kind, keys)
    if over is None:
        return
    which, seconds = over
    if which == "account":
        raise TooManyAttempts(
            f"Too many failed attempts for this account; try again in {seconds} seconds.",
            retry_after=seconds,
            reason="account_locked",
        )
    raise TooManyAttempts(
        f"Too many failed attempts from your address; try again in {seconds} seconds.",
        retry_after=seconds,
        reason="client_rate_limited",
    )


def record_failure(ctx: ServiceContext, kind: str, keys: dict[str, str]) -> None:
    """Count a failed secret entry of `kind` against each key (account, client)."""
    if ctx.attempts is not None:
        ctx.attempts.failed(kind, keys)


@dataclass(frozen=True)
class UserChange:
    """An administrator's change to a user; None leaves a field as it is."""

    username: str
    role: str | None = None
    customer_code: str | None = None
    active: bool | None = None
    #: a new address; "" clears it
    email: str | None = None


def change_user(ctx: ServiceContext, actor: Principal | None, change: UserChange) -> UserView:
    """Change a user's role or deactivate/reactivate them. Deactivating ends their
    sessions and revokes their tokens; nobody deactivates or demotes themselves (so the
    plant never loses its last administrator by accident)."""
    if actor is not None:
        require(actor.role, Resource.USER, EDIT)
    by = actor.username if actor else "cli"
    with ctx.uow() as uow:
        user = _user(uow, change.username)
        demoted = change.active is False or change.role not in (None, "admin")
        if actor is not None and user.id == actor.user_id and demoted:
            raise InvalidInput(
                "You cannot deactivate or demote yourself; ask another administrator.",
                field="username",
            )
        now = ctx.clock.now()
        if change.role is not None:
            customer_id = (
                _customer_id(uow, change.customer_code) if change.role == "customer" else None
            )
            if change.role == "customer" and customer_id is None:
                customer_id = user.customer_id
            user.change_role(change.role, customer_id, by, now)
        if change.email is not None:
            user.change_email(change.email, by, now)
        if change.active is True:
            user.reactivate(by, now)
        elif change.active is False:
            user.deactivate(by, now)
            _end_credentials(uow, user, now)
        uow.commit()
        codes = {c.id: c.code for c in uow.customers.list()}
        return user_view(user, codes.get(user.customer_id))


def my_account(ctx: ServiceContext, actor: Principal) -> UserView:
    """The signed-in user's own record, e-mail address included."""
    with ctx.uow() as uow:
        user = _user(uow, actor.username)
        customer = uow.customers.get_by_id(user.customer_id) if user.customer_id else None
        return user_view(user, customer.code if customer else None)


def change_own_email(ctx: ServiceContext, actor: Principal, email: str) -> UserView:
    """Anyone may set or clear the address their own notifications go to."""
    with ctx.uow() as uow:
        user = _user(uow, actor.username)
        user.change_email(email, actor.username, ctx.clock.now())
        uow.commit()
        customer = uow.customers.get_by_id(user.customer_id) if user.customer_id else None
        return user_view(user, customer.code if customer else None)


def change_own_password(ctx: ServiceContext, actor: Principal, old: str, new: str) -> None:
    """The old password is required (a borrowed session cannot take the account over).
    Other sessions and all API tokens of the user end; hashing runs outside any
    transaction."""
    check_password(new, "new_password")
    with ctx.uow() as uow:
        current_hash = _user(uow, actor.username).password_hash
    check_attempts(ctx, SIGN_IN, {"account": actor.username})
    if not ctx.hasher.verify(current_hash, old):
        record_failure(ctx, SIGN_IN, {"account": actor.username})
        raise InvalidInput("The current password is not right.", field="old_password")
    _store_password(ctx, actor, actor.username, ctx.hasher.hash(new))


def reset_password(ctx: ServiceContext, actor: Principal, username: str, new: str) -> None:
    """An administrator sets a new password for someone who lost theirs."""
    require(actor.role, Resource.USER, EDIT)
    check_password(new, "password")
    with ctx.uow() as uow:
        _user(uow, username)
    _store_password(ctx, actor, username, ctx.hasher.hash(new))


def _store_password(ctx: ServiceContext, actor: Principal, username: str, new_hash: str) -> None:
    with ctx.uow() as uow:
        user = _user(uow, username)
        now = ctx.clock.now()
        user.set_password_hash(new_hash, actor.username, now)
        _end_credentials(uow, user, now)
        uow.commit()


def _end_credentials(uow: UnitOfWork, user: User, now: dt.datetime) -> None:
    if user.id is None:  # pragma: no cover
        return
    for session in uow.sessions.live_for_user(user.id):
        session.revoke(now)
    for token in uow.tokens.list(user.id):
        token.revoke(now)


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get(username.strip().lower()[:40])
    if user is None:
        raise NotFound(f"There is no user {username[:40]}.")
    return user


def may(actor: Principal, action: str) -> bool:
    """Whether the actor may do `action` on users (pages show only what they may)."""
    return is_allowed(actor.role, Resource.USER, action)
