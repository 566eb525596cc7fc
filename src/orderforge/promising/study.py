"""The confidence beside a promise: the quoted work replayed on a floor that strays.

Why a short Monte Carlo and not the historical slip of each family (what the simulator's
`CapableToPromise` policy learns): the plant keeps no record of each promise's planned
finish against its actual one, so per-family slips would first have to be collected,
and a family quoted rarely would never have enough of them. The floor's history of
operation times, on the other hand, is already there (every finished operation reported
on a work order), is what the plant-wide confidence study learns its spreads from, and
applies to any configuration, even one never made before. So a quote is replayed with
the simulation engine (`engines.simulation.quote`: the quoted work where capable-to-promise
put it and the work queued just ahead of it on the same units, both straying by the same
learned spreads, `services.floor_actuals`): one engine, one history, many callers.

Deterministic: replications use seeds `seed`, `seed + 1`, ..., and the spreads learned
from the history are kept for a few minutes per database (see `SPREADS_KEPT`), so the same
question against the same plan and history gets the same answer. Honest: where a work
centre has fewer than `floor_actuals.MIN_ACTUALS` finished operations the answer says it
assumed the default spread, and how many actuals it learned from.

Fast enough to answer while sales configures: 200 replays of a handful of operations and
the work ahead of them that could reach them take a few hundred ms on the demo plant, and
the same configuration asked again at another confidence or requested date reuses them
(`benchmarks/promise_confidence.py`, docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence

from orderforge.engines.scheduling.insertion import Insertion, NewOperation, Unit
from orderforge.engines.simulation import Variability
from orderforge.engines.simulation.quote import quote_finishes, quote_model
from orderforge.plant import services as plant_data
from orderforge.promising.domain import CentreBasis
from orderforge.services import floor_actuals
from orderforge.services.context import ServiceContext
from orderforge.services.ports import UnitOfWork

#: Replays per quote: the 95 % date is then the 190th finish of 200, steady to a day on
#: the demo plant, and the answer stays interactive.
REPLICATIONS = 200
SEED = 1
#: How long the spreads learned from the floor's history are reused: reading it takes
#: about half a second on the demo plant, too long to repeat for every quote, and a few
#: more reports change a spread learned from hundreds very little.
SPREADS_KEPT = dt.timedelta(minutes=10)

Spreads = tuple[tuple[floor_actuals.CentreSpread, ...], dict[str, tuple[float, ...]]]

_lock = threading.Lock()
_kept: dict[int, tuple[object, object, Spreads]] = {}
_KEPT_PLANTS = 4


def spreads(ctx: ServiceContext, uow: UnitOfWork, now: dt.datetime) -> Spreads:
    """Every active work centre's spread and the ratios learned where there are enough,
    reused for SPREADS_KEPT (and until the plan changes)."""
    bucket = int(now.timestamp() // SPREADS_KEPT.total_seconds())
    stamp = (bucket, uow.plans.latest_version_number())
    with _lock:
        kept = _kept.get(id(ctx.uow))
        if kept is not None and kept[0] is ctx.uow and kept[1] == stamp:
            return kept[2]
    centres = {w.code for w in plant_data.active_work_centres(uow)}
    found, ratios = floor_actuals.learned_spreads(
        uow, centres, floor_actuals.DEFAULT_CV, learn=True
    )
    learned: Spreads = (tuple(found), ratios)
    with _lock:
        _kept.pop(id(ctx.uow), None)
        while len(_kept) >= _KEPT_PLANTS:
            del _kept[next(iter(_kept))]
        _kept[id(ctx.uow)] = (ctx.uow, stamp, learned)
    return learned


Replayed = tuple[list[int], tuple[CentreBasis, ...]]
#: Replays kept for quotes asked again (sales changing the requested date or the
#: confidence of the same configuration): they do not change the finishes.
_REPLAYS_KEPT = 32
_replayed: dict[tuple[object, ...], tuple[tuple[object, ...], Replayed]] = {}


def replay(
    units: Mapping[str, Unit],
    operations: Sequence[NewOperation],
    placed: Insertion,
    centre_of: Mapping[str, str],
    learned: Spreads,
    window: tuple[int, int],
    anchors: tuple[object, ...] = (),
    tag: str | None = None,
) -> Replayed:
    """The quoted work's finish minute in REPLICATIONS replays (seed order), and what each
    work centre's spread was learned from. `window` is (now, horizon) in minutes.

    `anchors` are the objects `units` was built from (the cached capacity picture) and
    `tag` what else made them (the order being promised again): the same work against
    the same anchors, tag, spreads and minute is not replayed again."""
    key = (
        tuple(id(a) for a in anchors),
        tag,
        id(learned),
        window,
        tuple((op.key, tuple(op.modes), tuple(op.predecessors), op.release) for op in operations),
    )
    with _lock:
        kept = _replayed.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], (*anchors, learned), strict=True)):
        return kept[1]
    found = _replay(units, operations, placed, centre_of, learned, window)
    with _lock:
        while len(_replayed) >= _REPLAYS_KEPT:
            del _replayed[next(iter(_replayed))]
        _replayed[key] = ((*anchors, learned), found)
    return found


def forget_replays() -> None:
    """Drop the replays kept (a benchmark measuring fresh ones)."""
    with _lock:
        _replayed.clear()


def _replay(
    units: Mapping[str, Unit],
    operations: Sequence[NewOperation],
    placed: Insertion,
    centre_of: Mapping[str, str],
    learned: Spreads,
    window: tuple[int, int],
) -> Replayed:
    now, horizon = window
    seed = SEED
    found, ratios = learned
    used = sorted({p.resource for p in placed.placements.values()})
    variability = {
        unit: Variability(ratios=ratios[centre_of[unit]])
        if centre_of[unit] in ratios
        else Variability(cv=floor_actuals.DEFAULT_CV)
        for unit in used
    }
    model = quote_model(units, operations, placed, horizon, variability, now=now)
    finishes = quote_finishes(model, range(seed, seed + REPLICATIONS))
    centres = {centre_of[u] for u in used}
    bases = tuple(
        CentreBasis(s.work_centre, s.actuals, s.source) for s in found if s.work_centre in centres
    )
    return finishes, bases
