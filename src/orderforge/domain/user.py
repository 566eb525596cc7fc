"""People who use OrderForge and the role each acts in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_LENGTH = 8


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
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @staticmethod
    def check_new(
        *, username: str, role: str, password: str, customer_id: int | None
    ) -> tuple[str, Role]:
        """Validate a new user's fields before the password is hashed (hashing is slow)."""
        check_text(password, "password")
        username = username.strip().lower()
        if not _USERNAME.fullmatch(username):
            raise InvalidInput(
                "Username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-'.",
                field="username",
            )
        try:
            parsed = Role(role)
        except ValueError:
            raise InvalidInput(
                f"Unknown role '{role}'. Roles: {', '.join(r.value for r in Role)}.",
                field="role",
            ) from None
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput(
                f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
            )
        if parsed is Role.CUSTOMER and customer_id is None:
            raise InvalidInput("A customer user must belong to a customer.", field="customer")
        if parsed is not Role.CUSTOMER and customer_id is not None:
            raise InvalidInput(
                "Only users with the customer role belong to a customer.", field="customer"
            )
        return username, parsed

    def record_created(self, actor: str, at: dt.datetime) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate="user",
                aggregate_key=self.username,
                kind="user_created",
                actor=actor,
                occurred_at=at,
                data={"changes": {"role": {"before": None, "after": self.role.value}}},
            )
        )


@dataclass(eq=False)
class ApiToken:
    """A long-lived API credential. Only a hash is stored; the token is shown once."""

    user_id: int
    name: str
    token_hash: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    id: int | None = None
