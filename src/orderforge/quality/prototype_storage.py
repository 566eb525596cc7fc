"""The orders and design contexts' PROTOTYPE_GATE, answered from the stored records: the
lines' catalogue families, their design revisions, their prototype work orders and the
inspections of those. Reads only; the rule is quality's (`quality.proofs`)."""

from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.adapters.db.repositories import SqlCatalogueRepository
from orderforge.design.domain import RevisionState, current_revisions
from orderforge.design.storage import SqlDesignRepository
from orderforge.domain.order import Order, OrderLine
from orderforge.domain.prototypes import PrototypeState
from orderforge.engines.configurator.errors import CatalogueError
from orderforge.production.storage import SqlWorkOrderRepository
from orderforge.quality.domain import Inspection
from orderforge.quality.proofs import LineDesign, Proof, judge_prototype, line_state
from orderforge.quality.storage import SqlQualityRepository
from orderforge.services.catalogue import family_of
from orderforge.services.ports import PROTOTYPE_GATE


class SqlPrototypeGate:
    def __init__(self, session: Session) -> None:
        self._catalogue = SqlCatalogueRepository(session)
        self._designs = SqlDesignRepository(session)
        self._work = SqlWorkOrderRepository(session)
        self._quality = SqlQualityRepository(session)

    def _family(self, line: OrderLine) -> tuple[str, bool]:
        """The family's name and whether it asks for a prototype."""
        entry = (
            self._catalogue.get(line.product_family, line.catalogue_version)
            if line.catalogue_version is not None
            else None
        )
        if entry is None:
            return line.product_family, False
        try:
            family = family_of(entry)
        except CatalogueError:  # pragma: no cover - stored catalogues were checked
            return line.product_family, False
        return family.name, family.prototype_required

    def _inspection(self, work_order: str, seq: int) -> Inspection | None:
        return self._quality.inspection(work_order, seq)

    def prototypes(self, order: Order) -> list[PrototypeState]:
        revisions = self._designs.for_order(order.number)
        current = current_revisions(revisions)
        specs = {(r.line_no, r.letter): r.spec for r in revisions}
        made = self._work.prototypes_for(order.number)
        planned = {(p.family, p.operation) for p in self._quality.plans()} if made else set()
        states: list[PrototypeState] = []
        for line in order.lines:
            name, required = self._family(line)
            revision = current.get(line.line_no)
            proofs = []
            for wo in made:
                if wo.line_no != line.line_no or wo.design_revision is None:
                    continue
                verdict, words = judge_prototype(wo, planned, partial(self._inspection, wo.number))
                spec = specs.get((line.line_no, wo.design_revision), {})
                proofs.append(Proof(wo.number, wo.design_revision, spec, verdict, words))
            usable = revision is not None and revision.state is not RevisionState.REJECTED
            states.append(
                line_state(
                    LineDesign(
                        line.line_no,
                        name,
                        required,
                        (revision.letter, revision.spec) if revision and usable else None,
                    ),
                    proofs,
                )
            )
        return states


#: Registered as a room of its own in orderforge.contexts: no tables, one read port.
STORAGE = ContextStorage(name="prototypes", repositories={PROTOTYPE_GATE.name: SqlPrototypeGate})
