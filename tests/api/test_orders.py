"""Orders over HTTP: the lifecycle with its timeline, idempotent creation, lost updates."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import httpx
import pytest

from orderforge.domain.order import (
    ACTIVE_STATES,
    CHANGEABLE_STATES,
    TRANSITIONS,
    OrderAction,
    OrderState,
)
from orderforge.domain.permissions import ROOM_ACTIONS
from tests.api.support import (
    API,
    REASON,
    ApiSession,
    TestClient,
    order_body,
    unique,
    valid_line,
)
from tests.conftest import FixedClock

A = OrderAction
S = OrderState

#: Quote to delivery, each step taken by the role that takes it in the plant.
HAPPY_PATH: list[tuple[OrderAction, str, OrderState]] = [
    (A.CONFIRM, "alpina", S.CONFIRMED),
    (A.MARK_FEASIBLE, "engineer", S.FEASIBLE),
    (A.PLAN, "planner", S.PLANNED),
    (A.SUBMIT_DESIGN, "engineer", S.AWAITING_DESIGN_APPROVAL),
    (A.APPROVE_DESIGN, "alpina", S.AWAITING_DESIGN_APPROVAL),
    (A.RELEASE, "planner", S.RELEASED),
    (A.START_PRODUCTION, "operator", S.IN_PRODUCTION),
    (A.FINISH_PRODUCTION, "operator", S.FINAL_INSPECTION),
    (A.PASS_INSPECTION, "quality", S.READY_TO_SHIP),
    (A.SHIP, "planner", S.SHIPPED),
    (A.CONFIRM_DELIVERY, "sales", S.DELIVERED),
]
ALPINA = "C-HOTEL-ALPINA"


def utc(text: str) -> dt.datetime:
    """An API timestamp; it must carry the UTC offset."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.utcoffset() == dt.timedelta(0), text
    return value


def etag_of(response: httpx.Response) -> str:
    tag = response.headers["etag"]
    assert tag == f'"{response.json()["version"]}"'
    return tag


def is_postgres(api: ApiSession) -> bool:
    return str(api.application.engine.dialect.name) == "postgresql"


# -- the lifecycle -----------------------------------------------------------------


def test_quote_to_delivery_with_timeline(api: ApiSession, clock: FixedClock) -> None:
    created = api.create_order(as_user="sales", customer=ALPINA)
    number = created["number"]
    assert created["state"] == "quote"
    assert created["version"] == 1
    moments = [clock.now()]
    etag = f'"{created["version"]}"'
    for step, (action, username, target) in enumerate(HAPPY_PATH, start=1):
        clock.advance(hours=1)
        moments.append(clock.now())
        if action is A.SUBMIT_DESIGN:  # proposing revision A submits the design
            api.propose_designs(number, as_user=username)
            response = api.client.get(f"{API}/orders/{number}", headers=api.auth("admin"))
        elif action is A.APPROVE_DESIGN:  # the customer's signature approves it
            assert api.sign(number, 1, "A", username).status_code == 200
            response = api.client.get(f"{API}/orders/{number}", headers=api.auth("admin"))
        elif action in (A.START_PRODUCTION, A.FINISH_PRODUCTION, A.PASS_INSPECTION):
            # the floor's reports and quality's checklist move the order, not a button
            api.drive(number, [action])
            response = api.client.get(f"{API}/orders/{number}", headers=api.auth("admin"))
        elif action is A.SHIP:  # packing and shipping all of it ships the order
            response = api.ship_all(number, as_user=username)
        elif action is A.CONFIRM_DELIVERY:  # so does confirming its shipment's delivery
            response = api.deliver_all(number, as_user=username)
        else:
            response = api.act(number, action, as_user=username, if_match=etag)
        assert response.status_code == 200, f"{action}: {response.text}"
        view = response.json()
        assert view["state"] == target.value
        assert view["version"] == 1 + step
        assert utc(view["updated_at"]) == clock.now()
        etag = etag_of(response)
    final = api.order(number)
    assert final["state"] == "delivered"
    assert utc(final["design_approved_at"]) == moments[5]
    assert (
        api.client.get(f"{API}/orders/{number}/actions", headers=api.auth("admin")).json()[
            "actions"
        ]
        == []
    )

    events = api.timeline(number)
    # Confirming commits the delivery date the plant can keep, in the same transaction.
    [promised] = [e for e in events if e["kind"] == "order_promised"]
    assert promised["changes"]["promise_date"]["before"] is None
    assert promised["changes"]["promise_date"]["after"] == final["promise_date"]
    assert utc(promised["occurred_at"]) == moments[1]
    # The design's own record (revision proposed, signed, approved) sits beside the steps.
    design = [e["kind"] for e in events if e["kind"].startswith("design_")]
    assert design == ["design_revision_proposed", "design_revision_signed", "design_approved"]
    events = [e for e in events if e["kind"] != "order_promised" and e["kind"] not in design]
    assert len(events) == 1 + len(HAPPY_PATH)
    assert [e["actor"] for e in events] == ["sales"] + [user for _, user, _ in HAPPY_PATH]
    assert [utc(e["occurred_at"]) for e in events] == moments
    assert [e["action"] for e in events] == [None] + [a.value for a, _, _ in HAPPY_PATH]
    assert events[0]["kind"] == "order_created"
    assert events[0]["changes"]["state"] == {"before": None, "after": "quote"}
    assert len({e["id"] for e in events}) == len(events)
    state = "quote"
    for event, (action, _, target) in zip(events[1:], HAPPY_PATH, strict=True):
        assert event["kind"] == f"order_{action.value}"
        if target.value != state:
            assert event["changes"]["state"] == {"before": state, "after": target.value}
        state = target.value


def test_design_approval_event_records_before_and_after(api: ApiSession) -> None:
    number = api.make_order(S.AWAITING_DESIGN_APPROVAL, approve_design=True)["number"]
    [event] = [e for e in api.timeline(number) if e["action"] == "approve_design"]
    assert event["changes"] != {}


def test_illegal_moves_are_409_and_change_nothing(api: ApiSession) -> None:
    number = api.make_order()["number"]
    before = api.stored(number)
    impossible = [
        a for a, t in TRANSITIONS.items() if S.QUOTE not in t.sources and a not in ROOM_ACTIONS
    ]
    for action in impossible:
        response = api.act(number, action)
        assert response.status_code == 409, f"{action}: {response.text}"
        assert response.json()["title"] == "Not possible in the current state"
    assert api.stored(number) == before


def test_release_needs_design_approval(api: ApiSession) -> None:
    number = api.make_order(S.AWAITING_DESIGN_APPROVAL)["number"]
    before = api.stored(number)
    response = api.act(number, A.RELEASE, as_user="planner")
    assert response.status_code == 409
    assert "revision A still needs customer approval" in response.json()["detail"]
    assert api.stored(number) == before
    # Nobody approves a design by a button: the signatures of its revisions do.
    assert api.act(number, A.APPROVE_DESIGN, as_user="engineer").status_code == 403
    assert api.stored(number) == before
    api.sign_designs(number)
    assert api.act(number, A.RELEASE, as_user="planner").json()["state"] == "released"


@pytest.mark.parametrize("state", sorted(ACTIVE_STATES), ids=str)
def test_hold_and_resume_return_to_the_held_from_state(api: ApiSession, state: OrderState) -> None:
    before = api.make_order(state)
    number = before["number"]
    held = api.act(number, A.HOLD, as_user="planner", reason="Customer site not ready.")
    assert held.status_code == 200, held.text
    assert (held.json()["state"], held.json()["held_from"]) == ("on_hold", state.value)
    offered = api.client.get(f"{API}/orders/{number}/actions", headers=api.auth("planner"))
    assert "resume" in offered.json()["actions"]
    resumed = api.act(number, A.RESUME, as_user="sales")
    assert resumed.status_code == 200, resumed.text
    after = resumed.json()
    assert (after["state"], after["held_from"]) == (state.value, None)
    assert after["design_approved_at"] == before["design_approved_at"]
    hold_event, resume_event = api.timeline(number)[-2:]
    assert hold_event["reason"] == "Customer site not ready."
    assert hold_event["changes"]["state"] == {"before": state.value, "after": "on_hold"}
    assert resume_event["changes"]["state"] == {"before": "on_hold", "after": state.value}


@pytest.mark.parametrize("decision", ["accept", "decline"])
@pytest.mark.parametrize("state", sorted(CHANGEABLE_STATES), ids=str)
def test_change_request_accepted_or_declined(
    api: ApiSession, state: OrderState, decision: str
) -> None:
    """A change goes through its record; decided either way, the order returns to where
    it was (an approved change keeps its place; it does not fall back to review)."""
    before = api.make_order(state, customer=ALPINA)
    number = before["number"]
    assert api.act(number, A.REQUEST_CHANGE, as_user="alpina").status_code == 403
    api.request_change(number, as_user="alpina")
    requested = api.order(number)
    assert (requested["state"], requested["changed_from"]) == ("change_requested", state.value)
    api.decide_change(number, approve=decision == "accept")
    after = api.order(number)
    assert (after["state"], after["changed_from"]) == (state.value, None)
    if decision == "accept":
        assert after["lines"][0]["quantity"] == before["lines"][0]["quantity"] + 1
        if state is S.AWAITING_DESIGN_APPROVAL:
            # the approved revision shows the old quantity: it must be approved again
            assert after["design_approved_at"] is None
        else:
            assert after["design_approved_at"] == before["design_approved_at"]
    else:
        assert after["lines"] == before["lines"]
        assert after["design_approved_at"] == before["design_approved_at"]
        assert api.timeline(number)[-1]["reason"].endswith(REASON)


def test_accepted_change_needs_a_new_design_approval(api: ApiSession) -> None:
    number = api.make_order(S.AWAITING_DESIGN_APPROVAL, customer=ALPINA, approve_design=True)[
        "number"
    ]
    api.request_change(number, as_user="alpina")
    api.decide_change(number, approve=True)
    before = api.stored(number)
    refused = api.act(number, A.RELEASE, as_user="planner")
    assert refused.status_code == 409
    assert "drawn for the spec before a change" in refused.json()["detail"]
    assert api.stored(number) == before
    api.propose_designs(number)
    api.sign_designs(number)
    assert api.act(number, A.RELEASE, as_user="planner").json()["state"] == "released"


# -- idempotent creation -------------------------------------------------------


def test_same_key_same_body_replays_the_first_answer(api: ApiSession) -> None:
    body = order_body(notes=unique("idem-"))
    headers = {**api.auth("sales"), "Idempotency-Key": unique("key-")}
    before = api.order_count()
    first = api.client.post(f"{API}/orders", json=body, headers=headers)
    # Another client retries: keys in another order, other spacing -> the same request.
    again = json.dumps(dict(reversed(body.items())), indent=2)
    replay = api.client.post(
        f"{API}/orders", content=again, headers={**headers, "content-type": "application/json"}
    )
    assert (first.status_code, replay.status_code) == (201, 201), replay.text
    assert replay.json() == first.json()
    assert "idempotent-replayed" not in first.headers
    assert replay.headers["idempotent-replayed"] == "true"
    for header in ("location", "etag"):
        assert replay.headers[header] == first.headers[header]
    assert api.order_count() == before + 1
    found = api.client.get(f"{API}/orders", params={"q": body["notes"]}, headers=headers)
    assert [o["number"] for o in found.json()["items"]] == [first.json()["number"]]


def test_same_key_other_body_is_refused(api: ApiSession) -> None:
    key = unique("key-")
    headers = {**api.auth("sales"), "Idempotency-Key": key}
    first = api.client.post(f"{API}/orders", json=order_body(notes="first"), headers=headers)
    assert first.status_code == 201
    before = api.order_count()
    for other in (
        order_body(notes="second"),
        order_body(notes="first", lines=[valid_line(quantity=2)]),
        order_body("C-HOTEL-ALPINA", notes="first"),
    ):
        response = api.client.post(f"{API}/orders", json=other, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["title"] == "Idempotency key reused"
    assert api.order_count() == before
    assert api.order(first.json()["number"]) == first.json()


def test_keys_belong_to_their_user(api: ApiSession) -> None:
    key = unique("key-")
    body = order_body(notes=unique("scope-"))
    before = api.order_count()
    numbers = {
        api.client.post(
            f"{API}/orders", json=body, headers={**api.auth(user), "Idempotency-Key": key}
        ).json()["number"]
        for user in ("sales", "admin")
    }
    assert len(numbers) == 2
    assert api.order_count() == before + 2


def test_refused_request_does_not_use_up_the_key(api: ApiSession) -> None:
    headers = {**api.auth("sales"), "Idempotency-Key": unique("key-")}
    bad = order_body(lines=[valid_line(quantity=0)])
    assert api.client.post(f"{API}/orders", json=bad, headers=headers).status_code == 422
    good = api.client.post(f"{API}/orders", json=order_body(), headers=headers)
    assert good.status_code == 201
    assert "idempotent-replayed" not in good.headers


def _post_together(
    api: ApiSession, body: dict[str, Any], headers: dict[str, str], n: int
) -> list[httpx.Response]:
    """`n` clients, each on its own thread, released at the same instant."""
    barrier = threading.Barrier(n)
    responses: list[httpx.Response] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post() -> None:
        client = TestClient(api.client.app, raise_server_exceptions=False)
        barrier.wait(timeout=30)
        try:
            response = client.post(f"{API}/orders", json=body, headers=headers)
        except BaseException as exc:  # pragma: no cover - reported below
            with lock:
                errors.append(exc)
            return
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=post) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(responses) == n
    return responses


def test_concurrent_retries_with_one_key_create_one_order(api: ApiSession) -> None:
    body = order_body(notes=unique("race-"))
    headers = {**api.auth("sales"), "Idempotency-Key": unique("key-")}
    before = api.order_count()
    responses = _post_together(api, body, headers, n=8)
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
    assert api.order_count() == before + 1
    found = api.client.get(f"{API}/orders", params={"q": body["notes"]}, headers=headers)
    assert [o["number"] for o in found.json()["items"]] == [bodies[0]["number"]]


def test_concurrent_creates_without_key_get_distinct_numbers(api: ApiSession) -> None:
    body = order_body(notes=unique("burst-"))
    before = api.order_count()
    responses = _post_together(api, body, api.auth("sales"), n=6)
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    numbers = sorted(r.json()["number"] for r in responses)
    assert len(set(numbers)) == 6
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + 6))  # gap-free
    assert api.order_count() == before + 6


def test_replay_is_byte_for_byte(api: ApiSession, request: pytest.FixtureRequest) -> None:
    headers = {**api.auth("sales"), "Idempotency-Key": unique("key-")}
    first = api.client.post(f"{API}/orders", json=order_body(), headers=headers)
    replay = api.client.post(f"{API}/orders", json=order_body(), headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content


# -- ETag / If-Match -------------------------------------------------------------


def test_lost_update_on_edit_is_412(api: ApiSession) -> None:
    number = api.make_order(notes="original")["number"]
    read_a = api.client.get(f"{API}/orders/{number}", headers=api.auth("sales"))
    read_b = api.client.get(f"{API}/orders/{number}", headers=api.auth("admin"))
    etag = etag_of(read_a)
    assert etag_of(read_b) == etag
    first = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "first writer"},
        headers={**api.auth("sales"), "If-Match": etag},
    )
    assert first.status_code == 200, first.text
    assert etag_of(first) != etag
    before = api.stored(number)
    second = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "second writer"},
        headers={**api.auth("admin"), "If-Match": etag},
    )
    assert second.status_code == 412, second.text
    assert second.json()["title"] == "Changed meanwhile"
    after = api.stored(number)
    assert after == before
    assert after.view == first.json()
    assert after.view["notes"] == "first writer"


def test_lost_update_on_action_is_412(api: ApiSession) -> None:
    number = api.make_order(S.CONFIRMED)["number"]
    etag = etag_of(api.client.get(f"{API}/orders/{number}", headers=api.auth("engineer")))
    first = api.act(number, A.MARK_FEASIBLE, as_user="engineer", if_match=etag)
    assert first.status_code == 200, first.text
    before = api.stored(number)
    second = api.act(number, A.HOLD, as_user="sales", if_match=etag)
    assert second.status_code == 412, second.text
    third = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "late"},
        headers={**api.auth("sales"), "If-Match": etag},
    )
    assert third.status_code == 412
    after = api.stored(number)
    assert after == before
    assert after.view == first.json()
    assert after.view["state"] == "feasible"


def test_edit_then_stale_action_is_412(api: ApiSession) -> None:
    number = api.make_order()["number"]
    etag = etag_of(api.client.get(f"{API}/orders/{number}", headers=api.auth("sales")))
    edited = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "edited"},
        headers={**api.auth("sales"), "If-Match": etag},
    )
    assert edited.status_code == 200
    before = api.stored(number)
    assert api.act(number, A.CONFIRM, as_user="sales", if_match=etag).status_code == 412
    assert api.stored(number) == before


@pytest.mark.parametrize("form", ["{v}", "W/{v}", "*"])
def test_current_weak_and_star_if_match_are_accepted(api: ApiSession, form: str) -> None:
    number = api.make_order()["number"]
    version = api.order(number)["version"]
    if_match = form.format(v=f'"{version}"')
    response = api.act(number, A.CONFIRM, if_match=if_match)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{version + 1}"'


@pytest.mark.parametrize("garbage", ["yesterday", '"abc"', '"-1"', "W/", '"1.5"'])
def test_if_match_garbage_is_422(api: ApiSession, garbage: str) -> None:
    number = api.make_order()["number"]
    before = api.stored(number)
    responses = [
        api.act(number, A.CONFIRM, if_match=garbage),
        api.client.patch(
            f"{API}/orders/{number}",
            json={"notes": "x"},
            headers={**api.auth("admin"), "If-Match": garbage},
        ),
    ]
    for response in responses:
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["If-Match"]
    assert api.stored(number) == before


@pytest.mark.parametrize(
    "state", [S.CONFIRMED, S.REJECTED, S.ON_HOLD, S.IN_PRODUCTION, S.CANCELLED], ids=str
)
def test_edit_only_while_quote(api: ApiSession, state: OrderState) -> None:
    number = api.make_order(state)["number"]
    before = api.stored(number)
    response = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "too late"},
        headers={**api.auth("admin"), "If-Match": f'"{before.view["version"]}"'},
    )
    assert response.status_code == 409, response.text
    assert api.stored(number) == before


def test_edit_notes_and_dates_of_a_quote(api: ApiSession, clock: FixedClock) -> None:
    number = api.make_order(requested_date="2027-03-01")["number"]
    before = api.stored(number)
    clock.advance(minutes=5)
    response = api.client.patch(
        f"{API}/orders/{number}",
        json={"notes": "Site visit booked.", "requested_date": "2027-04-15"},
        headers={**api.auth("sales"), "If-Match": f'"{before.view["version"]}"'},
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["notes"], view["requested_date"]) == ("Site visit booked.", "2027-04-15")
    assert view["lines"] == before.view["lines"]
    event = api.timeline(number)[-1]
    assert (event["kind"], event["actor"]) == ("order_revised", "sales")
    assert event["changes"]["requested_date"] == {"before": "2027-03-01", "after": "2027-04-15"}
    # Leaving a field out keeps it; an explicit null clears the date.
    cleared = api.client.patch(
        f"{API}/orders/{number}", json={"requested_date": None}, headers=api.auth("sales")
    )
    assert (cleared.json()["requested_date"], cleared.json()["notes"]) == (
        None,
        "Site visit booked.",
    )


def test_edit_lines_of_a_quote(api: ApiSession) -> None:
    """Lines only, at the same instant (fixed clock): the version must still move."""
    number = api.make_order()["number"]
    before = api.stored(number)
    lines = [valid_line("TABLE", quantity=4), valid_line("CABINET", quantity=2)]
    response = api.client.patch(
        f"{API}/orders/{number}",
        json={"lines": lines},
        headers={**api.auth("sales"), "If-Match": f'"{before.view["version"]}"'},
    )
    assert response.status_code == 200, response.text
    after = api.stored(number)
    assert [(li["product_family"], li["quantity"]) for li in after.view["lines"]] == [
        ("TABLE", 4),
        ("CABINET", 2),
    ]
    assert after.view["version"] == before.view["version"] + 1
    assert after.events == before.events + 1
    event = api.timeline(number)[-1]
    assert event["kind"] == "order_revised"
    assert [li["quantity"] for li in event["changes"]["lines"]["before"]] == [1]
    assert [li["quantity"] for li in event["changes"]["lines"]["after"]] == [4, 2]
    # Fewer lines again: the second line goes, numbering stays 1..n.
    shorter = api.client.patch(
        f"{API}/orders/{number}",
        json={"lines": [valid_line("SEATING", quantity=6)]},
        headers={**api.auth("sales"), "If-Match": response.headers["etag"]},
    )
    assert shorter.status_code == 200, shorter.text
    assert [(li["line_no"], li["product_family"]) for li in shorter.json()["lines"]] == [
        (1, "SEATING")
    ]
    stale = api.client.patch(
        f"{API}/orders/{number}",
        json={"lines": [valid_line()]},
        headers={**api.auth("sales"), "If-Match": response.headers["etag"]},
    )
    assert stale.status_code == 412


def test_reason_is_kept_in_the_timeline(api: ApiSession) -> None:
    number = api.make_order(S.CONFIRMED)["number"]
    response = api.act(number, A.FLAG_NEEDS_ENGINEERING, as_user="engineer", reason=REASON)
    assert response.status_code == 200
    event = api.timeline(number)[-1]
    assert (event["action"], event["reason"], event["actor"]) == (
        "flag_needs_engineering",
        REASON,
        "engineer",
    )
