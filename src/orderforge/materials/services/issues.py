"""Issuing stock lots to work order operations (lot consumption).

Why here: materials owns lot quantities, and an issue is a stock movement, so the record
of it (lot, quantity, work order and operation, who, when) lives with the lots, and the
lot's remaining quantity drops in the same transaction, under a lock on the lot row, so
two issues racing for one lot never take it below zero. Production sits below materials
and cannot import it: its floor screen, API and CLI call production's use case, which asks
the LOT_ISSUES port (production/ports.py); `LotIssuer` answers that port and is wired in
materials/storage.py, as `MaterialReleases` answers planning's release port.
"""

from __future__ import annotations

from orderforge.domain.errors import InvalidInput
from orderforge.materials.domain import Consumption, check_code, consume
from orderforge.materials.ports import ConsumptionRepository
from orderforge.production.domain import IssuedLot, WorkOrder


class LotIssuer:
    """Production's LotIssues port, answered from the materials room's stock."""

    def __init__(self, repo: ConsumptionRepository) -> None:
        self.repo = repo

    def issue(
        self, work_order: WorkOrder, seq: int, issue: IssuedLot, key: str | None
    ) -> IssuedLot:
        op = work_order.operation(seq)
        number = check_code(issue.lot_number, "lot")
        lot = self.repo.lock_lot(number)
        if lot is None:
            raise InvalidInput(f"There is no lot {number}.", field="lot")
        required = {m.item_code: m.name for m in work_order.materials_at(seq)}
        made = consume(
            lot,
            issue.quantity,
            required=required,
            where=f"operation {seq} ({op.name}) of {work_order.number}",
            work_order=work_order.number,
            seq=seq,
            actor=issue.actor,
            at=issue.consumed_at,
            hold=self.repo.active_hold(number),
        )
        stored = Consumption(**{**made.__dict__, "fingerprint": issue.fingerprint, "key": key})
        self.repo.add(stored)
        return _issued(stored)

    def issued(self, actor: str, key: str) -> IssuedLot | None:
        found = self.repo.by_key(actor, key)
        return None if found is None else _issued(found)

    def issued_to(self, work_order: str) -> list[IssuedLot]:
        return [_issued(c) for c in self.repo.of_work_orders([work_order])]


def _issued(c: Consumption) -> IssuedLot:
    return IssuedLot(
        c.lot_number,
        c.item_code,
        c.quantity,
        c.work_order,
        c.seq,
        c.actor,
        c.consumed_at,
        c.fingerprint,
    )
