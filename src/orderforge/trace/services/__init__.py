"""Trace use cases: backward from a unit serial (work order, operations, lots, inspections,
signatures, NCRs), forward from a lot (every issue, work order, unit, order and customer),
the device history record of a regulated unit (JSON and PDF) and what holds its shipment.

This room sits above production, materials, quality and design, and reads each only
through its ports: it owns no table. Staff only (Resource.TRACE): a forward trace names
every customer that got a lot, so a customer never reaches it.
"""

from orderforge.trace.services.record import (
    device_history_pdf,
    device_history_record,
    record_paper,
    shipment_blockers,
)
from orderforge.trace.services.trace import find, may_trace, trace_lot, trace_unit

__all__ = [
    "device_history_pdf",
    "device_history_record",
    "find",
    "may_trace",
    "record_paper",
    "shipment_blockers",
    "trace_lot",
    "trace_unit",
]
