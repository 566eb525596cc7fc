"""Customers: who orders. Kept small until the portal and delivery issues need more."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import DomainEvent
from orderforge.domain.text import check_text

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(eq=False)
class Customer:
    code: str
    name: str
    email: str
    country: str
    created_at: dt.datetime
    #: Postal address as printed on documents (lines, without the name); may be empty
    #: while the customer only asks for quotes.
    address: str = ""
    #: Which of the plant's pricing rules apply (e.g. TRADE, HOTEL-CHAIN); empty: the
    #: family's or the plant's default margin.
    price_group: str = ""
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def register(  # why keyword-only: five strings are too easy to swap
        cls,
        *,
        code: str,
        name: str,
        email: str,
        country: str,
        actor: str,
        at: dt.datetime,
        address: str = "",
        price_group: str = "",
    ) -> Customer:
        code, fields = _checked(
            code=code,
            name=name,
            email=email,
            country=country,
            address=address,
            price_group=price_group,
        )
        name, email, country = fields["name"], fields["email"], fields["country"]
        address, price_group = fields["address"], fields["price_group"]
        customer = cls(
            code=code,
            name=name,
            email=email,
            country=country,
            created_at=at,
            address=address,
            price_group=price_group,
        )
        customer.pending_events.append(
            DomainEvent(
                aggregate="customer",
                aggregate_key=code,
                kind="customer_registered",
                actor=actor,
                occurred_at=at,
                data={
                    "changes": {
                        "name": {"before": None, "after": name},
                        "email": {"before": None, "after": email},
                        "country": {"before": None, "after": country},
                        "address": {"before": None, "after": address},
                        "price_group": {"before": None, "after": price_group},
                    }
                },
            )
        )
        return customer

    def revise(  # keyword-only like register: five strings are too easy to swap
        self,
        *,
        name: str,
        email: str,
        country: str,
        address: str,
        price_group: str,
        actor: str,
        at: dt.datetime,
    ) -> dict[str, dict[str, str]]:
        """Change the customer's name, address and terms (its code never changes: orders
        and users refer to it). Checked as when registering; records one
        `customer_changed` event with each changed field before and after, none when
        nothing changed. Returns the changes."""
        _, wanted = _checked(
            code=self.code,
            name=name,
            email=email,
            country=country,
            address=address,
            price_group=price_group,
        )
        changes = {
            key: {"before": str(getattr(self, key)), "after": value}
            for key, value in wanted.items()
            if getattr(self, key) != value
        }
        if not changes:
            return {}
        for key, change in changes.items():
            setattr(self, key, change["after"])
        self.pending_events.append(
            DomainEvent(
                aggregate="customer",
                aggregate_key=self.code,
                kind="customer_changed",
                actor=actor,
                occurred_at=at,
                data={"changes": changes},
            )
        )
        return changes


def _checked(
    *, code: str, name: str, email: str, country: str, address: str, price_group: str
) -> tuple[str, dict[str, str]]:
    """The code and the other fields as stored (trimmed, upper-cased where codes are),
    or InvalidInput naming the first field that breaks a rule."""
    for field_name, value in (
        ("code", code),
        ("name", name),
        ("email", email),
        ("country", country),
        ("address", address),
        ("price_group", price_group),
    ):
        check_text(value, field_name)
    address = _address(address)
    price_group = price_group.strip().upper()
    if price_group and not _CODE.match(price_group):
        raise InvalidInput(
            "A price group is 2-20 capital letters, digits or dashes, e.g. TRADE.",
            field="price_group",
        )
    code = code.strip().upper()
    name = name.strip()
    email = email.strip()
    country = country.strip().upper()
    if not _CODE.match(code):
        raise InvalidInput(
            "Customer code must be 2-20 capital letters, digits or dashes.", field="code"
        )
    if not name or len(name) > 200:
        raise InvalidInput("Customer name must be 1-200 characters.", field="name")
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"'{email}' is not an e-mail address.", field="email")
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput("Country must be a two-letter ISO code, e.g. DE.", field="country")
    return code, {
        "name": name,
        "email": email,
        "country": country,
        "address": address,
        "price_group": price_group,
    }


def _address(text: str) -> str:
    """Lines as typed, blank ones and surrounding spaces dropped: what an envelope holds."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if len(lines) > 6 or any(len(line) > 100 for line in lines):
        raise InvalidInput(
            "An address has at most 6 lines of at most 100 characters.", field="address"
        )
    return "\n".join(lines)
