"""The permission matrix is policy: these pin the rules the issue states in words."""

from __future__ import annotations

import pytest

from orderforge.domain.errors import PermissionDenied
from orderforge.domain.order import OrderAction
from orderforge.domain.permissions import (
    CHANGE_ACTIONS,
    DESIGN_ACTIONS,
    PERMISSIONS,
    ROOM_ACTIONS,
    SHIPPING_ACTIONS,
    Resource,
    actions_of,
    is_allowed,
    require,
)
from orderforge.domain.user import Role


def test_every_role_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Role)


def test_matrix_names_only_existing_actions() -> None:
    for role, resources in PERMISSIONS.items():
        for resource, actions in resources.items():
            unknown = set(actions) - set(actions_of(resource))
            assert not unknown, f"{role} on {resource}: {unknown}"


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.OPERATOR, OrderAction.CONFIRM, False),  # an operator cannot confirm orders
        (Role.SALES, OrderAction.RELEASE, False),  # sales cannot release to production
        (Role.PLANNER, OrderAction.RELEASE, True),
        # nobody presses "approve design": the signatures of the revisions approve it
        (Role.CUSTOMER, OrderAction.APPROVE_DESIGN, False),
        (Role.ADMIN, OrderAction.APPROVE_DESIGN, False),
        (Role.CUSTOMER, OrderAction.CANCEL, False),
        # final inspection passes through its checklist, production follows the floor
        (Role.QUALITY, OrderAction.PASS_INSPECTION, False),
        (Role.OPERATOR, OrderAction.START_PRODUCTION, False),
        (Role.ENGINEER, OrderAction.SHIP, False),
        # nobody presses "ship": the order is shipped when its shipments have all left
        (Role.PLANNER, OrderAction.SHIP, False),
        (Role.SALES, OrderAction.CONFIRM_DELIVERY, False),
    ],
)
def test_stated_rules(role: Role, action: OrderAction, allowed: bool) -> None:
    assert is_allowed(role, Resource.ORDER, action.value) is allowed


def test_the_customer_signs_its_design_and_engineers_propose_it() -> None:
    assert is_allowed(Role.CUSTOMER, Resource.DESIGN, "sign")
    assert not is_allowed(Role.CUSTOMER, Resource.DESIGN, "propose")
    assert is_allowed(Role.ENGINEER, Resource.DESIGN, "propose")
    assert not is_allowed(Role.PLANNER, Resource.DESIGN, "sign")


def test_admin_may_do_every_order_action_but_the_rooms_steps() -> None:
    rooms = {a.value for a in ROOM_ACTIONS}
    assert DESIGN_ACTIONS | CHANGE_ACTIONS | SHIPPING_ACTIONS <= ROOM_ACTIONS
    for action in actions_of(Resource.ORDER):
        assert is_allowed(Role.ADMIN, Resource.ORDER, action) is (action not in rooms)


def test_refusal_says_who_and_what() -> None:
    with pytest.raises(PermissionDenied, match=r"Your role \(operator\) may not confirm orders"):
        require(Role.OPERATOR, Resource.ORDER, "confirm")
