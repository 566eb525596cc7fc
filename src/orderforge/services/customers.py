"""Customer use cases."""

from __future__ import annotations

from dataclasses import dataclass

from orderforge.domain.customer import Customer
from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import CREATE, EDIT, VIEW, Resource, require
from orderforge.domain.user import Role
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.services.views import CustomerView, customer_view


@dataclass(frozen=True)
class RegisterCustomer:
    code: str
    name: str
    email: str = ""
    country: str = "DE"
    address: str = ""
    price_group: str = ""


def register_customer(ctx: ServiceContext, actor: Principal, cmd: RegisterCustomer) -> CustomerView:
    require(actor.role, Resource.CUSTOMER, CREATE)
    with ctx.uow() as uow:
        customer = Customer.register(
            code=cmd.code,
            name=cmd.name,
            email=cmd.email,
            country=cmd.country,
            address=cmd.address,
            price_group=cmd.price_group,
            actor=actor.username,
            at=ctx.clock.now(),
        )
        if uow.customers.get(customer.code) is not None:
            raise InvalidInput(
                f"A customer with code {customer.code} already exists.", field="code"
            )
        uow.customers.add(customer)
        uow.commit()
        return customer_view(customer)


@dataclass(frozen=True)
class ReviseCustomer:
    """The customer's fields as they should be (the code names it and never changes)."""

    name: str
    email: str
    country: str
    address: str
    price_group: str


def revise_customer(
    ctx: ServiceContext, actor: Principal, code: str, cmd: ReviseCustomer
) -> CustomerView:
    """Change a customer's name, address and terms; one `customer_changed` event with
    the fields before and after (none when nothing changed)."""
    require(actor.role, Resource.CUSTOMER, EDIT)
    with ctx.uow() as uow:
        customer = uow.customers.get(code.strip().upper())
        if customer is None:
            raise NotFound(f"There is no customer {code}.")
        customer.revise(
            name=cmd.name,
            email=cmd.email,
            country=cmd.country,
            address=cmd.address,
            price_group=cmd.price_group,
            actor=actor.username,
            at=ctx.clock.now(),
        )
        uow.commit()
        return customer_view(customer)


def list_customers(ctx: ServiceContext, actor: Principal) -> list[CustomerView]:
    require(actor.role, Resource.CUSTOMER, VIEW)
    with ctx.uow() as uow:
        customers = uow.customers.list()
        if actor.role is Role.CUSTOMER:
            customers = [c for c in customers if c.id == actor.customer_id]
        return [customer_view(c) for c in customers]


def get_customer(ctx: ServiceContext, actor: Principal, code: str) -> CustomerView:
    require(actor.role, Resource.CUSTOMER, VIEW)
    with ctx.uow() as uow:
        customer = uow.customers.get(code.strip().upper())
        if customer is None or (actor.role is Role.CUSTOMER and customer.id != actor.customer_id):
            raise NotFound(f"There is no customer {code}.")
        return customer_view(customer)
