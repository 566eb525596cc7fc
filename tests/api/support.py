"""Helpers for the HTTP tests: valid request bodies, lifecycle paths, an API session.

Kept out of conftest.py so test modules can import them by name.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx

from orderforge.bootstrap import Application
from orderforge.demo.catalogue import demo_specs
from orderforge.demo.plant import DEMO_USERS, FAMILY_CODES
from orderforge.domain.order import REASON_REQUIRED, TRANSITIONS, OrderAction, OrderState
from orderforge.domain.user import Role
from orderforge.services.ports import OrderFilter
from tests.conftest import DEMO_PASSWORD

with warnings.catch_warnings():
    # starlette.testclient warns at import that plain httpx is deprecated (httpx2).
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from fastapi.testclient import TestClient

__all__ = [
    "ALL_USERS",
    "API",
    "CUSTOMER_OF",
    "DEFAULT_CUSTOMER",
    "FAMILIES",
    "REASON",
    "ROLE_USER",
    "ApiSession",
    "Stored",
    "TestClient",
    "customer_for",
    "order_body",
    "path_to",
    "reason_for",
    "source_of",
    "unique",
    "valid_line",
    "valid_spec",
]

API = "/api/v1"
S = OrderState
A = OrderAction

#: A demo customer without a portal user: staff-side orders go here by default.
DEFAULT_CUSTOMER = "C-REST-ZUNFT"
REASON = "Reason given by the test."

#: The first demo user of every role acts for that role.
ROLE_USER: dict[Role, str] = {}
#: Portal users and the customer whose records they may see.
CUSTOMER_OF: dict[str, str] = {}
for _username, _name, _role, _customer in DEMO_USERS:
    ROLE_USER.setdefault(_role, _username)
    if _customer is not None:
        CUSTOMER_OF[_username] = _customer
ALL_USERS: list[str] = [u for u, *_ in DEMO_USERS]
FAMILIES: dict[str, str] = {code: code for code in FAMILY_CODES}


def drain_jobs(application: Application) -> None:
    """Let every queued job (plan runs, MRP runs) end: the in-process worker (SQLite) is
    waited for; on PostgreSQL a worker runs here until the queue is empty."""
    if application.settings.job_backend == "procrastinate":
        from orderforge.adapters.jobs.procrastinate_queue import run_worker

        run_worker(application.settings.database_url, application.run_job, wait=False)
    else:
        wait = getattr(application.ctx.jobs, "wait", None)
        assert wait is not None, "the in-process job queue is expected on SQLite"
        wait(timeout=120)


def customer_for(username: str) -> str:
    """The customer a user's test orders belong to: their own, for portal users."""
    return CUSTOMER_OF.get(username, DEFAULT_CUSTOMER)


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def valid_spec(family: str) -> dict[str, str]:
    """A spec a salesperson configured for the demo catalogue: valid under every rule."""
    return dict(demo_specs()[family][0])


def valid_line(family: str = "TABLE", quantity: int = 1) -> dict[str, Any]:
    return {"product_family": family, "quantity": quantity, "spec": valid_spec(FAMILIES[family])}


def order_body(customer: str = DEFAULT_CUSTOMER, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"customer": customer, "lines": [valid_line()], "notes": ""}
    body.update(fields)
    return body


def unique(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:10]


# -- lifecycle paths -----------------------------------------------------------


def _bfs_parents() -> dict[OrderState, tuple[OrderState, OrderAction] | None]:
    """Shortest paths from a new quote over the transitions with a fixed target."""
    parents: dict[OrderState, tuple[OrderState, OrderAction] | None] = {S.QUOTE: None}
    queue = deque([S.QUOTE])
    while queue:
        state = queue.popleft()
        for action, transition in TRANSITIONS.items():
            target = transition.target
            if state in transition.sources and target is not None and target not in parents:
                parents[target] = (state, action)
                queue.append(target)
    return parents


_PARENTS = _bfs_parents()


def path_to(target: OrderState, *, approve_design: bool = False) -> list[OrderAction]:
    """Actions that take a new quote to `target`.

    The design-approval guard is not in the transition table: RELEASE needs an
    APPROVE_DESIGN first, so it is inserted before every RELEASE (and appended when
    `approve_design` asks for an approved order awaiting release).
    """
    if target not in _PARENTS:
        raise ValueError(f"{target} is not reachable from a quote")
    actions: list[OrderAction] = []
    state = target
    while (step := _PARENTS[state]) is not None:
        state, action = step
        actions.append(action)
    actions.reverse()
    with_guard: list[OrderAction] = []
    for action in actions:
        if action is A.RELEASE:
            with_guard.append(A.APPROVE_DESIGN)
        with_guard.append(action)
    if approve_design:
        if target is not S.AWAITING_DESIGN_APPROVAL:
            raise ValueError("only an order awaiting design approval can be approved")
        with_guard.append(A.APPROVE_DESIGN)
    return with_guard


def distance(state: OrderState) -> int:
    return len(path_to(state))


def source_of(action: OrderAction) -> tuple[OrderState, bool]:
    """The nearest state `action` is possible in, and whether the design must be approved."""
    state = min(TRANSITIONS[action].sources, key=lambda s: (distance(s), s.value))
    return state, action is A.RELEASE


def reason_for(action: OrderAction) -> str:
    return REASON if action in REASON_REQUIRED else ""


# -- a session against one app -------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What is stored about one order: its view and the length of its timeline."""

    view: dict[str, Any]
    events: int


@dataclass
class ApiSession:
    """A TestClient over one demo-loaded app plus a bearer token per demo user."""

    client: TestClient
    application: Application
    tokens: dict[str, str]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    # -- reads (as admin, asserting success) --

    def order(self, number: str) -> dict[str, Any]:
        response = self.client.get(f"{API}/orders/{number}", headers=self.auth("admin"))
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        body: dict[str, Any] = response.json()
        return body

    def timeline(self, number: str) -> list[dict[str, Any]]:
        response = self.client.get(f"{API}/orders/{number}/events", headers=self.auth("admin"))
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()
        return events

    def stored(self, number: str) -> Stored:
        return Stored(view=self.order(number), events=len(self.timeline(number)))

    def order_count(self) -> int:
        """Orders in the database, counted below the API (no role, no paging)."""
        with self.application.ctx.uow() as uow:
            count: int = uow.orders.count(OrderFilter())
            return count

    def listing(self, path: str) -> list[dict[str, Any]]:
        response = self.client.get(f"{API}{path}", headers=self.auth("admin"))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items

    # -- writes --

    def create_order(self, as_user: str = "admin", **fields: Any) -> dict[str, Any]:
        fields.setdefault("customer", customer_for(as_user))
        response = self.client.post(
            f"{API}/orders", json=order_body(**fields), headers=self.auth(as_user)
        )
        assert response.status_code == 201, response.text
        view: dict[str, Any] = response.json()
        return view

    def act(
        self,
        number: str,
        action: OrderAction | str,
        *,
        as_user: str = "admin",
        reason: str | None = None,
        if_match: str | None = None,
    ) -> httpx.Response:
        name = action.value if isinstance(action, OrderAction) else action
        if reason is None:
            known = {a.value for a in OrderAction}
            reason = reason_for(OrderAction(name)) if name in known else ""
        headers = self.auth(as_user)
        if if_match is not None:
            headers["If-Match"] = if_match
        response: httpx.Response = self.client.post(
            f"{API}/orders/{number}/actions/{name}", json={"reason": reason}, headers=headers
        )
        return response

    def drive(self, number: str, actions: list[OrderAction]) -> dict[str, Any]:
        """Take the order through `actions`; the design steps go the way people take them
        now, through design revisions (propose, sign, reject)."""
        view: dict[str, Any] = {}
        for action in actions:
            if action is A.SUBMIT_DESIGN:
                self.propose_designs(number)
            elif action is A.APPROVE_DESIGN:
                self.sign_designs(number)
            elif action is A.REJECT_DESIGN:
                self.reject_design(number)
            elif action is A.REQUEST_CHANGE:
                self.request_change(number)
            elif action is A.ACCEPT_CHANGE:
                self.decide_change(number, approve=True)
            elif action is A.DECLINE_CHANGE:
                self.decide_change(number, approve=False)
            elif action is A.RELEASE:
                self.prove_prototypes(number)
                response = self.act(number, action)
                assert response.status_code == 200, f"{action}: {response.text}"
            elif action is A.START_PRODUCTION:
                self.start_work(number)
            elif action is A.FINISH_PRODUCTION:
                self.finish_work(number)
            elif action is A.PASS_INSPECTION:
                self.final_inspection(number, passed=True)
            elif action is A.FAIL_INSPECTION:
                self.final_inspection(number, passed=False)
            elif action is A.SHIP:
                self.ship_all(number)
            elif action is A.CONFIRM_DELIVERY:
                self.deliver_all(number)
            else:
                response = self.act(number, action)
                assert response.status_code == 200, f"{action}: {response.text}"
            view = self.order(number)
        return view

    # -- the floor and final inspection --

    def work_orders(self, number: str) -> list[dict[str, Any]]:
        """The order's current work orders (newest revision of each line)."""
        response = self.client.get(
            f"{API}/orders/{number}/work-orders", headers=self.auth("planner")
        )
        assert response.status_code == 200, response.text
        current: dict[int, dict[str, Any]] = {}
        for wo in response.json():
            if wo["status"] not in ("superseded", "cancelled"):
                current[wo["line_no"]] = wo
        return list(current.values())

    def report(
        self, work_order: str, seq: int, kind: str, as_user: str = "operator", **body: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            f"{API}/work-orders/{work_order}/operations/{seq}/{kind}",
            json=body or None,
            headers=self.auth(as_user),
        )
        assert response.status_code == 200, f"{kind} {work_order}/{seq}: {response.text}"
        view: dict[str, Any] = response.json()
        return view

    def start_work(self, number: str) -> None:
        """The floor starts the first operation of the order's first work order (which
        puts a released order in production)."""
        wo = self.work_orders(number)[0]
        op = next(o for o in wo["operations"] if o["status"] == "ready")
        self.report(wo["number"], op["seq"], "start")

    def finish_work(self, number: str) -> None:
        """The floor runs every operation left of the order's work (the last one done
        sends the order to final inspection); after a failed final inspection with the
        work already done, quality presents it again."""
        work = self.work_orders(number)
        if all(wo["status"] == "done" for wo in work):
            response = self.client.post(
                f"{API}/orders/{number}/final-inspection/present-again",
                headers=self.auth("quality"),
            )
            assert response.status_code == 200, response.text
            return
        for wo in work:
            while True:
                ops = self.work_order(wo["number"])["operations"]
                todo = next((o for o in ops if o["status"] in ("ready", "running", "paused")), None)
                if todo is None:
                    break
                if todo["status"] != "running":
                    self.report(wo["number"], todo["seq"], "start")
                self.report(wo["number"], todo["seq"], "complete", good=wo["quantity"])

    def work_order(self, number: str) -> dict[str, Any]:
        response = self.client.get(f"{API}/work-orders/{number}", headers=self.auth("planner"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def inspect_all(self, number: str, as_user: str = "quality") -> None:
        """Record every open inspection at the order's operations as found right on
        nominal (each required unit)."""
        for wo in self.work_orders(number):
            self.inspect_work_order(wo["number"], as_user=as_user)

    def inspect_work_order(
        self, number: str, *, passed: bool = True, as_user: str = "quality"
    ) -> None:
        """Record every open (or, to pass, failed) inspection of a work order: right on
        nominal, or every pass/fail check failed."""
        response = self.client.get(
            f"{API}/work-orders/{number}/inspections", headers=self.auth(as_user)
        )
        assert response.status_code == 200, response.text
        for inspection in response.json():
            if inspection["status"] not in ("open", "failed"):
                continue
            characteristics = inspection["plan"]["characteristics"]
            for unit in range(1, inspection["units_to_inspect"] + 1):
                body = {
                    "unit": unit,
                    "values": {
                        c["code"]: {"value": c["limits"]["nominal"], "unit": c["unit"]}
                        for c in characteristics
                        if c["unit"]
                    },
                    "checks": {c["code"]: passed for c in characteristics if not c["unit"]},
                }
                recorded = self.client.post(
                    f"{API}/work-orders/{number}/operations/{inspection['seq']}/inspection/results",
                    json=body,
                    headers=self.auth(as_user),
                )
                assert recorded.status_code == 200, recorded.text

    def run_work_order(self, number: str) -> None:
        """The floor starts and completes every operation of one work order."""
        while True:
            wo = self.work_order(number)
            todo = next(
                (o for o in wo["operations"] if o["status"] in ("ready", "running", "paused")),
                None,
            )
            if todo is None:
                return
            if todo["status"] != "running":
                self.report(number, todo["seq"], "start")
            self.report(number, todo["seq"], "complete", good=wo["quantity"])

    def make_prototype(self, number: str, line_no: int, as_user: str = "engineer") -> str:
        """An engineer makes the line's prototype; its work order number."""
        response = self.client.post(
            f"{API}/orders/{number}/lines/{line_no}/prototypes", headers=self.auth(as_user)
        )
        assert response.status_code == 201, response.text
        line = next(li for li in response.json()["lines"] if li["line_no"] == line_no)
        made: str = line["prototype"]["work_order"]
        return made

    def prove_prototypes(self, number: str) -> None:
        """Every line whose family asks for a prototype gets one, made on the floor and
        passed by quality's inspection (what release waits for)."""
        for line in self.design(number)["lines"]:
            prototype = line.get("prototype")
            if prototype is None or prototype["passed"]:
                continue
            made = prototype["work_order"]
            if prototype["can_make"] or made is None:
                made = self.make_prototype(number, line["line_no"])
            self.run_work_order(made)
            self.inspect_work_order(made)

    def final_inspection(
        self, number: str, *, passed: bool, as_user: str = "quality"
    ) -> httpx.Response:
        """Quality's checklist: every item passed (after inspecting every operation), or
        the first item failed with REASON."""
        if passed:
            self.inspect_all(number)
        view = self.client.get(
            f"{API}/orders/{number}/final-inspection", headers=self.auth(as_user)
        ).json()
        items: dict[str, dict[str, Any]] = {i["code"]: {"passed": True} for i in view["items"]}
        if not passed:
            items[view["items"][0]["code"]] = {"passed": False, "note": REASON}
        response: httpx.Response = self.client.post(
            f"{API}/orders/{number}/final-inspection",
            json={"items": items},
            headers=self.auth(as_user),
        )
        assert response.status_code == 200, response.text
        return response

    # -- shipments (the order's SHIP and CONFIRM_DELIVERY follow from them) --

    def pack(
        self, number: str, contents: dict[int, int] | None = None, as_user: str = "planner"
    ) -> dict[str, Any]:
        """One package holding `contents` (line -> quantity; default: all that is left)."""
        if contents is None:
            view = self.client.get(
                f"{API}/orders/{number}/shipments", headers=self.auth(as_user)
            ).json()
            contents = {li["line"]: li["left_to_pack"] for li in view["lines"]}
        package = {
            "length_cm": "120",
            "width_cm": "80",
            "height_cm": "95",
            "weight_kg": "68.5",
            "contents": [{"line": k, "quantity": v} for k, v in contents.items() if v],
        }
        response = self.client.post(
            f"{API}/orders/{number}/shipments",
            json={"packages": [package], "note": "Corner protectors on the top."},
            headers=self.auth(as_user),
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def send(
        self, shipment: str, as_user: str = "planner", carrier: str = "DHL-FREIGHT"
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(
            f"{API}/shipments/{shipment}/ship",
            json={"carrier": carrier, "tracking_number": f"TRK{shipment[-4:]}"},
            headers=self.auth(as_user),
        )
        return response

    def deliver(
        self, shipment: str, as_user: str = "sales", on: dt.date | None = None
    ) -> httpx.Response:
        day = on or self.application.ctx.clock.now().date()
        response: httpx.Response = self.client.post(
            f"{API}/shipments/{shipment}/deliver",
            json={"delivered_on": day.isoformat(), "received_by": "Anna Huber"},
            headers=self.auth(as_user),
        )
        return response

    def ship_all(self, number: str, as_user: str = "planner") -> httpx.Response:
        """Pack what is left in one package and ship it: the order is shipped."""
        shipment = self.pack(number, as_user=as_user)["number"]
        response = self.send(shipment, as_user=as_user)
        assert response.status_code == 200, response.text
        order: httpx.Response = self.client.get(
            f"{API}/orders/{number}", headers=self.auth(as_user)
        )
        return order

    def deliver_all(self, number: str, as_user: str = "sales") -> httpx.Response:
        """Confirm the delivery of every shipment on its way: the order is delivered."""
        view = self.client.get(f"{API}/orders/{number}/shipments", headers=self.auth(as_user))
        for s in view.json()["shipments"]:
            if s["status"] == "shipped":
                response = self.deliver(s["number"], as_user=as_user)
                assert response.status_code == 200, response.text
        order: httpx.Response = self.client.get(
            f"{API}/orders/{number}", headers=self.auth(as_user)
        )
        return order

    # -- design revisions --

    def design(self, number: str, as_user: str = "admin") -> dict[str, Any]:
        response = self.client.get(f"{API}/orders/{number}/design", headers=self.auth(as_user))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def propose_designs(self, number: str, as_user: str = "engineer") -> dict[str, Any]:
        """Revision of every line's design, proposed by an engineer."""
        view: dict[str, Any] = {}
        for line in self.order(number)["lines"]:
            response = self.client.post(
                f"{API}/orders/{number}/lines/{line['line_no']}/revisions",
                data={"notes": "Drawn from the spec."},
                headers=self.auth(as_user),
            )
            assert response.status_code == 201, response.text
            view = response.json()
        return view

    def signer_for(self, number: str, capacity: str, author: str = "engineer") -> str:
        """Who signs in `capacity`: the customer's portal user (else sales records the
        customer's approval), an engineer other than the author, quality."""
        if capacity == "Customer approval":
            customer = self.order(number)["customer"]["code"]
            portal = [u for u, c in CUSTOMER_OF.items() if c == customer]
            return portal[0] if portal else ROLE_USER[Role.SALES]
        if capacity == "Engineering approval":
            return "lead" if author == "engineer" else "engineer"
        return ROLE_USER[Role.QUALITY]

    def sign(
        self, number: str, line_no: int, letter: str, as_user: str, password: str = DEMO_PASSWORD
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(
            f"{API}/orders/{number}/lines/{line_no}/revisions/{letter}/sign",
            json={"meaning": "approval", "username": as_user, "password": password},
            headers=self.auth(as_user),
        )
        return response

    def sign_designs(self, number: str) -> None:
        """Every missing approval of every line's current revision, signed."""
        for line in self.design(number)["lines"]:
            current = next(r for r in line["revisions"] if r["current"])
            for capacity in current["missing"]:
                who = self.signer_for(number, capacity)
                response = self.sign(number, line["line_no"], current["letter"], who)
                assert response.status_code == 200, response.text

    def reject_design(self, number: str) -> None:
        """The customer sends the first line's current revision back."""
        line = self.design(number)["lines"][0]
        current = next(r for r in line["revisions"] if r["current"])
        who = self.signer_for(number, "Customer approval")
        response = self.client.post(
            f"{API}/orders/{number}/lines/{line['line_no']}/revisions/{current['letter']}/reject",
            json={"comment": REASON},
            headers=self.auth(who),
        )
        assert response.status_code == 200, response.text

    # -- engineering changes --

    def request_change(
        self, number: str, as_user: str = "sales", quantity: int | None = None
    ) -> dict[str, Any]:
        """Sales asks for one more unit of line 1 (or `quantity`)."""
        line = self.order(number)["lines"][0]
        response = self.client.post(
            f"{API}/orders/{number}/changes",
            json={
                "reason": REASON,
                "lines": [
                    {
                        "line_no": line["line_no"],
                        "spec": line["spec"],
                        "quantity": quantity or line["quantity"] + 1,
                    }
                ],
            },
            headers=self.auth(as_user),
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def open_change(self, number: str) -> dict[str, Any]:
        response = self.client.get(f"{API}/orders/{number}/changes", headers=self.auth("admin"))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = next(c for c in response.json()["changes"] if c["open"])
        return found

    def decide_change(
        self, number: str, *, approve: bool, as_user: str = "engineer"
    ) -> dict[str, Any]:
        change = self.open_change(number)["number"]
        if approve:
            response = self.client.post(
                f"{API}/changes/{change}/approve",
                json={"username": as_user, "password": DEMO_PASSWORD},
                headers=self.auth(as_user),
            )
        else:
            response = self.client.post(
                f"{API}/changes/{change}/reject",
                json={"comment": REASON},
                headers=self.auth(as_user),
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def make_order(
        self,
        target: OrderState = S.QUOTE,
        *,
        customer: str = DEFAULT_CUSTOMER,
        approve_design: bool = False,
        **fields: Any,
    ) -> dict[str, Any]:
        """A fresh order of `customer`, driven by admin through the API to `target`."""
        view = self.create_order(customer=customer, **fields)
        if path := path_to(target, approve_design=approve_design):
            view = self.drive(view["number"], path)
        assert view["state"] == target.value
        return view
