"""People who use OrderForge and the role each acts in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_LENGTH = 8
#: The same shape a customer's e-mail address must have (domain/customer.py); the
#: longest address SMTP carries.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254
#: Names that events use for actors who are not users; no user may take one, so an
#: event's actor name always names at most one user.
RESERVED_USERNAMES = frozenset({"cli", "system", "feasibility-review", "demo-loader"})


class Role(StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    ENGINEER = "engineer"
    PLANNER = "planner"
    OPERATOR = "operator"
    QUALITY = "quality"
    #: buys materials: suppliers, purchase orders, receipts, MRP proposals
    PURCHASING = "purchasing"
    CUSTOMER = "customer"


MAX_PASSWORD_LENGTH = 200


def check_password(password: str, field: str = "password") -> str:
    """A password worth hashing: long enough, bounded (hashing cost), no NUL."""
    check_text(password, field)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", field=field
        )
    return password


def check_email(email: str, field: str = "email") -> str:
    """An e-mail address, or "" for none: one address, no display name, nothing that
    could smuggle a second header line into a mail."""
    check_text(email, field)
    email = email.strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(
            f"An e-mail address is at most {MAX_EMAIL_LENGTH} characters.", field=field
        )
    if email and (not _EMAIL.match(email) or any(c in email for c in '<>,;"()')):
        raise InvalidInput(f"'{email[:80]}' is not an e-mail address.", field=field)
    return email


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"Unknown role '{role[:40]}'. Roles: {', '.join(r.value for r in Role)}.",
            field="role",
        ) from None


def _check_customer(role: Role, customer_id: int | None) -> None:
    if role is Role.CUSTOMER and customer_id is None:
        raise InvalidInput("A customer user must belong to a customer.", field="customer")
    if role is not Role.CUSTOMER and customer_id is not None:
        raise InvalidInput(
            "Only users with the customer role belong to a customer.", field="customer"
        )


@dataclass(eq=False)
class User:
    username: str
    display_name: str
    role: Role
    password_hash: str
    created_at: dt.datetime
    #: Set only for role customer: the customer whose records this user may see.
    customer_id: int | None = None
    active: bool = True
    #: Where e-mail notifications go; "" for none (the user is then not told by mail).
    #: Shown to administrators and the user only.
    email: str = ""
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @staticmethod
    def check_new(
        *, username: str, role: str, password: str, customer_id: int | None
    ) -> tuple[str, Role]:
        """Validate a new user's fields before the password is hashed (hashing is slow)."""
        check_password(password)
        username = username.strip().lower()
        if not _USERNAME.fullmatch(username):
            raise InvalidInput(
                "Username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'.",
                field="username",
            )
        if username in RESERVED_USERNAMES:
            raise InvalidInput(f"The username {username} is reserved.", field="username")
        parsed = _parse_role(role)
        _check_customer(parsed, customer_id)
        return username, parsed

    def record_created(self, actor: str, at: dt.datetime) -> None:
        self._record(
            "user_created", actor, at, {"role": {"before": None, "after": self.role.value}}
        )

    def _record(self, kind: str, actor: str, at: dt.datetime, changes: dict[str, Any]) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate="user",
                aggregate_key=self.username,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data={"changes": changes},
            )
        )

    def change_role(self, role: str, customer_id: int | None, actor: str, at: dt.datetime) -> None:
        """Give the user another role; a customer user keeps (or gets) their customer."""
        parsed = _parse_role(role)
        _check_customer(parsed, customer_id)
        if parsed is self.role and customer_id == self.customer_id:
            return
        changes = {"role": {"before": self.role.value, "after": parsed.value}}
        self.role, self.customer_id = parsed, customer_id
        self._record("user_role_changed", actor, at, changes)

    def change_email(self, email: str, actor: str, at: dt.datetime) -> None:
        """Set or clear the address (checked with `check_email`). The event says that
        it changed, not to what: the history is read more widely than the address."""
        email = check_email(email)
        if email == self.email:
            return
        changes = {"email": {"before": bool(self.email), "after": bool(email)}}
        self.email = email
        self._record("user_email_changed", actor, at, changes)

    def deactivate(self, actor: str, at: dt.datetime) -> None:
        """The user can no longer sign in; their sessions and tokens stop working."""
        if self.active:
            self.active = False
            self._record(
                "user_deactivated", actor, at, {"active": {"before": True, "after": False}}
            )

    def reactivate(self, actor: str, at: dt.datetime) -> None:
        if not self.active:
            self.active = True
            self._record(
                "user_reactivated", actor, at, {"active": {"before": False, "after": True}}
            )

    def set_password_hash(self, password_hash: str, actor: str, at: dt.datetime) -> None:
        """A new password (the caller checked it with `check_password` and hashed it);
        the event says that it changed, never what it is."""
        self.password_hash = password_hash
        self._record("user_password_changed", actor, at, {})


@dataclass(eq=False)
class ApiToken:
    """A long-lived API credential. Only a hash is stored; the token is shown once."""

    user_id: int
    name: str
    token_hash: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    #: None only for tokens made before tokens expired (they keep working until revoked)
    expires_at: dt.datetime | None = None
    id: int | None = None

    def is_valid(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def revoke(self, at: dt.datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = at


@dataclass(eq=False)
class WebSession:
    """A signed-in browser, kept on the server so that signing out really ends it: the
    cookie carries a random id whose SHA-256 digest is stored here."""

    user_id: int
    token_hash: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None = None
    id: int | None = None

    def is_live(self, now: dt.datetime, idle: dt.timedelta, absolute: dt.timedelta) -> bool:
        """Live until signed out, idle for `idle`, or `absolute` after sign-in."""
        return (
            self.revoked_at is None
            and now - self.last_seen_at < idle
            and now - self.created_at < absolute
        )

    def revoke(self, at: dt.datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = at
