"""The automatic feasibility review on the demo plant, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.demo.catalogue import demo_specs
from orderforge.domain.errors import IllegalTransition, PermissionDenied
from orderforge.domain.order import LineInput
from orderforge.production.services import feasibility
from orderforge.services import configuration, orders, users
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def plant(application: Application) -> Application:
    """The demo plant with the review run by hand (the engineers' explicit path)."""
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    application.ctx = dataclasses.replace(application.ctx, review_on_confirm=False)
    return application


def test_confirmation_reviews_automatically(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    assert application.ctx.review_on_confirm  # the installation default
    plain = confirmed_order(application, "TABLE", {})
    wide = confirmed_order(
        application, "TABLE", {"top": "veneered", "length": "3000", "width": "1400"}
    )
    admin = users.authenticate(application.ctx, "admin", DEMO_PASSWORD)
    assert orders.get_order(application.ctx, admin, plain).state == "feasible"
    assert orders.get_order(application.ctx, admin, wide).state == "needs_engineering"
    kinds = [e.kind for e in orders.order_timeline(application.ctx, admin, wide)]
    # the promise is committed after the review (production's handlers come first)
    assert [k for k in kinds if k != "order_promised"][-2:] == [
        "order_confirm",
        "order_flag_needs_engineering",
    ]


def confirmed_order(app: Application, family: str, spec: dict[str, str]) -> str:
    sales = users.authenticate(app.ctx, "sales", DEMO_PASSWORD)
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput(family, 1, spec),))
    number: str = orders.create_order(app.ctx, sales, cmd).view.number
    orders.advance_order(app.ctx, sales, number, "confirm")
    return number


def review(app: Application, number: str, who: str = "engineer") -> dict[str, object]:
    return feasibility.review_order(
        app.ctx, users.authenticate(app.ctx, who, DEMO_PASSWORD), number
    )


def test_a_plain_spec_is_feasible(plant: Application) -> None:
    number = confirmed_order(plant, "TABLE", {})
    result = review(plant, number)
    assert result["findings"] == []
    assert result["order"]["state"] == "feasible"  # type: ignore[index]


def test_a_table_wider_than_every_press_needs_engineering(plant: Application) -> None:
    spec = {"top": "veneered", "length": "3000", "width": "1400"}
    number = confirmed_order(plant, "TABLE", spec)
    result = review(plant, number)
    assert result["order"]["state"] == "needs_engineering"  # type: ignore[index]
    messages = " ".join(f["message"] for f in result["findings"])  # type: ignore[attr-defined]
    assert "width up to 1300 mm, this needs 1400" in messages
    timeline = orders.order_timeline(
        plant.ctx, users.authenticate(plant.ctx, "admin", DEMO_PASSWORD), number
    )
    assert timeline[-1].actor == "feasibility-review"
    assert "1300" in (timeline[-1].reason or "")


def test_a_new_component_needs_engineering(plant: Application) -> None:
    spec = next(s for s in demo_specs()["SEATING"] if "boucle" in "".join(s.values()))
    result = review(plant, confirmed_order(plant, "SEATING", spec))
    assert result["order"]["state"] == "needs_engineering"  # type: ignore[index]
    assert any("new to the plant" in f["message"] for f in result["findings"])  # type: ignore[attr-defined]


def test_a_blocked_component_rejects_the_line(plant: Application) -> None:
    with plant.ctx.uow() as uow:
        spec = next(
            s
            for s in ({**base, "handle": "leather-pull"} for base in demo_specs()["CABINET"])
            if configuration.evaluate_in(uow, "CABINET", s).validity.valid
        )
    result = review(plant, confirmed_order(plant, "CABINET", spec))
    assert result["order"]["state"] == "rejected"  # type: ignore[index]
    assert any("blocked" in f["message"] for f in result["findings"])  # type: ignore[attr-defined]


def test_review_needs_a_confirmed_order_and_an_engineer(plant: Application) -> None:
    number = confirmed_order(plant, "TABLE", {})
    with pytest.raises(PermissionDenied):
        review(plant, number, who="operator")
    review(plant, number)
    with pytest.raises(IllegalTransition, match="runs on confirmed orders"):
        review(plant, number)
