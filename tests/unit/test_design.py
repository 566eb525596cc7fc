"""Design revisions and their signatures: the rules, and a random walk over them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from orderforge.design.domain import (
    DesignFile,
    DesignRevision,
    RevisionState,
    current_revisions,
    missing_for_order,
    next_letter,
    propose,
)
from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import LineInput, Order
from orderforge.domain.signatures import Capacity, Meaning, Signature, Signer

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
KEY = b"test key"
AUTHOR = Signer(1, "engineer", "Malte Brodersen", "engineer")
LEAD = Signer(2, "lead", "Ingrid Petersen", "engineer")
CUSTOMER = Signer(3, "alpina", "Franz Huber", "customer")
QUALITY = Signer(4, "quality", "Heike Thomsen", "quality")
SIGNER_FOR = {Capacity.CUSTOMER: CUSTOMER, Capacity.ENGINEERING: LEAD, Capacity.QUALITY: QUALITY}
ALL = (Capacity.CUSTOMER, Capacity.ENGINEERING, Capacity.QUALITY)
PDF = DesignFile("top.pdf", "a" * 64, 1200, "application/pdf")


def revise(
    earlier: list[DesignRevision] | None = None,
    *,
    notes: str = "Top in oiled oak.",
    required: tuple[Capacity, ...] = ALL,
    files: list[DesignFile] | None = None,
    line_no: int = 1,
) -> DesignRevision:
    return propose(
        order_number="SO-2026-0001",
        line_no=line_no,
        earlier=earlier or [],
        spec={"family": "TABLE", "options": {"wood": "oak"}, "quantity": 1},
        notes=notes,
        files=[PDF] if files is None else files,
        mockup_sha256="b" * 64,
        required=required,
        author=AUTHOR,
        at=T0,
    )


def signature(revision: DesignRevision, capacity: Capacity, signer: Signer) -> Signature:
    unsealed = Signature(
        capacity=capacity,
        meaning=Meaning.APPROVAL,
        signer_id=signer.user_id,
        signer_username=signer.username,
        printed_name=signer.printed_name,
        signer_role=signer.role,
        signed_at=T0 + dt.timedelta(hours=1),
        content_hash=revision.content_hash(),
        seal="",
    )
    seal = hmac.new(KEY, unsealed.manifest(revision.key), hashlib.sha256).hexdigest()
    return dataclasses.replace(unsealed, seal=seal)


def test_letters_follow_the_drawing_office() -> None:
    assert next_letter([]) == "A"
    assert next_letter(["A"]) == "B"
    assert next_letter(["A", "B", "Y"]) == "Z"
    assert next_letter(["Z"]) == "AA"
    assert next_letter(["Y", "Z", "AA"]) == "AB"
    assert next_letter(["AZ"]) == "BA"
    assert next_letter(["ZZ"]) == "AAA"


def test_the_last_approval_approves_the_revision() -> None:
    revision = revise()
    for capacity in ALL:
        assert revision.state is RevisionState.PROPOSED
        revision.sign(signature(revision, capacity, SIGNER_FOR[capacity]))
    assert revision.state is RevisionState.APPROVED
    assert revision.missing() == []
    kinds = [e.kind for e in revision.pending_events]
    assert kinds == ["design_revision_proposed"] + ["design_revision_signed"] * 3
    assert revision.pending_events[-1].data["approved"] is True


def test_the_author_cannot_give_the_engineering_approval() -> None:
    revision = revise()
    with pytest.raises(IllegalTransition, match="another engineer"):
        revision.sign(signature(revision, Capacity.ENGINEERING, AUTHOR))
    assert revision.signatures == []


def test_an_approval_the_revision_does_not_need_or_already_has_is_refused() -> None:
    revision = revise(required=(Capacity.CUSTOMER,))
    with pytest.raises(IllegalTransition, match="does not need quality approval"):
        revision.sign(signature(revision, Capacity.QUALITY, QUALITY))
    revision.sign(signature(revision, Capacity.CUSTOMER, CUSTOMER))
    with pytest.raises(IllegalTransition, match="approved: only a revision awaiting"):
        revision.sign(signature(revision, Capacity.CUSTOMER, CUSTOMER))
    assert len(revision.signatures) == 1


def test_a_signature_made_for_other_content_is_refused() -> None:
    revision = revise()
    other = revise(notes="Top in walnut.")
    with pytest.raises(IllegalTransition, match="other content"):
        revision.sign(signature(other, Capacity.CUSTOMER, CUSTOMER))


def test_the_content_hash_covers_the_record_and_everything_shown() -> None:
    base = revise()
    assert base.content_hash() == revise().content_hash()  # deterministic
    assert revise(notes="Top in walnut.").content_hash() != base.content_hash()
    assert revise(files=[]).content_hash() != base.content_hash()
    assert revise(line_no=2).content_hash() != base.content_hash()  # another record
    changed = dataclasses.replace(PDF, sha256="c" * 64)
    assert revise(files=[changed]).content_hash() != base.content_hash()


def test_a_new_revision_supersedes_the_open_and_the_approved_one() -> None:
    a = revise(required=(Capacity.CUSTOMER,))
    a.sign(signature(a, Capacity.CUSTOMER, CUSTOMER))
    b = revise([a], required=(Capacity.CUSTOMER,))
    c = revise([a, b], required=(Capacity.CUSTOMER,))
    assert (a.letter, b.letter, c.letter) == ("A", "B", "C")
    assert a.state is b.state is RevisionState.SUPERSEDED
    assert a.signatures  # the signature stays on the superseded record
    assert current_revisions([a, b, c]) == {1: c}
    with pytest.raises(IllegalTransition, match="superseded"):
        b.sign(signature(b, Capacity.CUSTOMER, CUSTOMER))


def test_rejection_needs_a_comment_and_an_open_revision() -> None:
    revision = revise()
    with pytest.raises(InvalidInput) as empty:
        revision.reject(
            by="alpina", by_name="Franz", capacity=Capacity.CUSTOMER, comment=" ", at=T0
        )
    assert empty.value.field == "comment"
    with pytest.raises(InvalidInput) as nul:
        revision.reject(
            by="alpina", by_name="F", capacity=Capacity.CUSTOMER, comment="a\x00", at=T0
        )
    assert nul.value.field == "comment"
    assert revision.state is RevisionState.PROPOSED
    revision.reject(
        by="alpina", by_name="Franz", capacity=Capacity.CUSTOMER, comment="Rounder corners", at=T0
    )
    assert revision.state.value == "rejected"
    with pytest.raises(IllegalTransition):
        revision.reject(
            by="quality", by_name="Heike", capacity=Capacity.QUALITY, comment="No", at=T0
        )


def test_bad_proposals_are_refused_with_the_field() -> None:
    with pytest.raises(InvalidInput) as long_notes:
        revise(notes="x" * 5001)
    assert long_notes.value.field == "notes"
    with pytest.raises(InvalidInput) as twice:
        revise(files=[PDF, dataclasses.replace(PDF, name="TOP.PDF")])
    assert twice.value.field == "files"


def _order(lines: int) -> Order:
    return Order.open_quote(
        number="SO-2026-0001",
        customer_id=1,
        lines=[LineInput("TABLE", 1, {"wood": "oak"}, 1, None) for _ in range(lines)],
        requested_date=None,
        notes="",
        actor="sales",
        at=T0,
    )


def test_release_blockers_name_each_line_and_what_it_lacks() -> None:
    order = _order(3)
    first = revise(required=(Capacity.CUSTOMER,))
    first.sign(signature(first, Capacity.CUSTOMER, CUSTOMER))
    second = revise(line_no=2)
    missing = missing_for_order(order, [first, second])
    assert missing == [
        "Line 2 (table): revision A still needs customer approval, engineering approval, "
        "quality approval.",
        "Line 3 (table) has no design revision yet.",
    ]
    second.reject(by="alpina", by_name="F", capacity=Capacity.CUSTOMER, comment="No", at=T0)
    assert "was rejected" in missing_for_order(order, [first, second])[0]


class RevisionWalk(RuleBasedStateMachine):
    """Random proposals, signatures and rejections on two lines: the record stays whole."""

    def __init__(self) -> None:
        super().__init__()
        self.revisions: list[DesignRevision] = []
        self.signed: dict[int, int] = {}

    def _line(self, line_no: int) -> list[DesignRevision]:
        return [r for r in self.revisions if r.line_no == line_no]

    @rule(line_no=st.sampled_from([1, 2]), required=st.sets(st.sampled_from(ALL), min_size=1))
    def propose(self, line_no: int, required: set[Capacity]) -> None:
        ordered = tuple(c for c in ALL if c in required)
        self.revisions.append(revise(self._line(line_no), required=ordered, line_no=line_no))

    @rule(index=st.integers(0, 50), capacity=st.sampled_from(ALL), by_author=st.booleans())
    def sign(self, index: int, capacity: Capacity, by_author: bool) -> None:
        if not self.revisions:
            return
        revision = self.revisions[index % len(self.revisions)]
        signer = AUTHOR if by_author else SIGNER_FOR[capacity]
        before = (revision.state, len(revision.signatures))
        try:
            revision.sign(signature(revision, capacity, signer))
        except IllegalTransition:
            assert (revision.state, len(revision.signatures)) == before  # refused: unchanged

    @rule(index=st.integers(0, 50), capacity=st.sampled_from(ALL))
    def reject(self, index: int, capacity: Capacity) -> None:
        if not self.revisions:
            return
        revision = self.revisions[index % len(self.revisions)]
        before = revision.state
        try:
            revision.reject(by="x", by_name="X", capacity=capacity, comment="Change it", at=T0)
        except IllegalTransition:
            assert revision.state is before

    @invariant()
    def approved_exactly_when_every_approval_is_signed(self) -> None:
        for r in self.revisions:
            if r.state is RevisionState.APPROVED:
                assert r.missing() == []
            if r.state is RevisionState.PROPOSED:
                assert r.missing() != []

    @invariant()
    def only_the_latest_revision_of_a_line_is_open_or_approved(self) -> None:
        for line_no in (1, 2):
            line = self._line(line_no)
            live = [
                r for r in line[:-1] if r.state in (RevisionState.PROPOSED, RevisionState.APPROVED)
            ]
            assert live == []

    @invariant()
    def signatures_are_never_lost_and_always_bound(self) -> None:
        for r in self.revisions:
            assert len(r.signatures) >= self.signed.get(id(r), 0)
            self.signed[id(r)] = len(r.signatures)
            assert all(s.content_hash == r.content_hash() for s in r.signatures)
            assert all(
                not (s.capacity is Capacity.ENGINEERING and s.signer_id == r.author_id)
                for s in r.signatures
            )


TestRevisionWalk = RevisionWalk.TestCase
TestRevisionWalk.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)


def test_a_revision_from_a_released_orders_change_is_approved_by_its_signature() -> None:
    first = revise()
    from_change = propose(
        order_number="SO-2026-0001",
        line_no=1,
        earlier=[first],
        spec={"family": "TABLE", "options": {"wood": "walnut"}, "quantity": 1},
        notes="Walnut, bevelled edge.",
        files=[PDF],
        mockup_sha256="c" * 64,
        required=ALL,
        author=AUTHOR,
        at=T0,
        change_number="ECR-2026-0001",
        approved_by_change=True,
    )
    assert from_change.letter == "B" and first.state is RevisionState.SUPERSEDED
    assert from_change.state is RevisionState.APPROVED and from_change.missing() == []
    assert from_change.content()["change"] == {
        "number": "ECR-2026-0001",
        "approved_by_change": True,
    }
    # nobody signs it again: the change's signature was the approval
    assert from_change.refusal_to_sign(Capacity.CUSTOMER, CUSTOMER) is not None
    # a revision proposed on the design page hashes as it always did
    assert "change" not in first.content()
    before_release = propose(
        order_number="SO-2026-0001",
        line_no=1,
        earlier=[from_change],
        spec={"family": "TABLE", "options": {"wood": "walnut"}, "quantity": 1},
        notes="",
        files=[],
        mockup_sha256=None,
        required=ALL,
        author=AUTHOR,
        at=T0,
        change_number="ECR-2026-0002",
    )
    assert before_release.state is RevisionState.PROPOSED
    assert before_release.missing() == list(ALL)
    with pytest.raises(InvalidInput, match="signed engineering change"):
        propose(
            order_number="SO-2026-0001",
            line_no=1,
            earlier=[],
            spec={},
            notes="",
            files=[],
            mockup_sha256=None,
            required=ALL,
            author=AUTHOR,
            at=T0,
            approved_by_change=True,
        )
