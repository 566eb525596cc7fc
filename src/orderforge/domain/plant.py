"""The plant: calendars, work centres, product families and their routings.

This is the master data the planning engines read. Product families here carry a
plain option list and a routing template; the configurator issue replaces the
template with rule-driven modules, keeping these names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from orderforge.domain.errors import InvalidInput


@dataclass(frozen=True)
class Shift:
    """A recurring working window on given ISO weekdays (1 = Monday)."""

    name: str
    weekdays: tuple[int, ...]
    start: dt.time
    end: dt.time
    #: Unpaid breaks inside the shift, as (start, end) pairs.
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()


@dataclass(eq=False)
class Calendar:
    """When a work centre can work: weekly shifts minus holidays.

    Maintenance windows and breakdowns arrive with the scheduling issue as
    capacity events on the work centre, not as calendar edits.
    """

    code: str
    name: str
    timezone: str
    shifts: list[Shift]
    holidays: list[dt.date] = field(default_factory=list)
    id: int | None = None

    def working_minutes_per_week(self) -> int:
        total = 0
        for shift in self.shifts:
            minutes = _minutes(shift.end) - _minutes(shift.start)
            minutes -= sum(_minutes(b) - _minutes(a) for a, b in shift.breaks)
            total += minutes * len(shift.weekdays)
        return total


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


class WorkCenterKind(StrEnum):
    MACHINE = "machine"
    CELL = "cell"
    TEAM = "team"


@dataclass(eq=False)
class WorkCenter:
    """A machine, cell or team with a calendar and a number of parallel units."""

    code: str
    name: str
    kind: WorkCenterKind
    calendar_code: str
    capacity: int = 1
    #: Whether an operation may pause over a break or night and continue (e.g. assembly),
    #: or must run in one go (e.g. a paint cure cycle).
    interruptible: bool = True
    #: Sequence-dependent setup in minutes between setup classes, e.g. paint colours:
    #: {"white": {"black": 45}} means white -> black costs 45 minutes.
    changeover_minutes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Setup minutes when no changeover matrix entry applies.
    default_setup_minutes: int = 0
    hourly_rate: str = "0"
    #: What the machine can physically take, in the catalogue's units (mm), keyed by the
    #: dimension names families use: {"length": 3100, "width": 2100}. A configured
    #: product above a limit cannot be made there (feasibility review).
    limits: dict[str, int] = field(default_factory=dict)
    id: int | None = None


class ComponentStatus(StrEnum):
    APPROVED = "approved"  # bought or made before; supplier and lead time known
    NEW = "new"  # never used: engineering must qualify a supplier first
    BLOCKED = "blocked"  # discontinued or banned: cannot be used at all


@dataclass(eq=False)
class Component:
    """A material or bought part the plant knows, for feasibility and (later) MRP."""

    code: str
    name: str
    unit: str
    status: ComponentStatus
    lead_time_days: int = 0
    id: int | None = None


@dataclass(frozen=True)
class Option:
    """A choice on a product family, e.g. wood species, with its allowed values."""

    code: str
    label: str
    choices: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A number with a unit and a range, e.g. length 800-3000 mm in steps of 10."""

    code: str
    label: str
    unit: str
    minimum: float
    maximum: float
    step: float = 1
    default: float | None = None


@dataclass(frozen=True)
class RoutingStep:
    """One operation of a routing template.

    `after` lists the steps that must finish first (a DAG: sub-assemblies feed an
    assembly). `work_centres` lists the eligible centres, first is preferred.
    `setup_class_option` names the option whose value is the setup class (e.g. the
    paint colour), for sequence-dependent changeovers.
    """

    code: str
    name: str
    work_centres: tuple[str, ...]
    setup_minutes: int
    run_minutes_per_unit: int
    after: tuple[str, ...] = ()
    setup_class_option: str | None = None


@dataclass(eq=False)
class ProductFamily:
    code: str
    name: str
    description: str
    options: list[Option]
    parameters: list[Parameter]
    routing: list[RoutingStep]
    id: int | None = None

    def check_spec(self, spec: dict[str, str], where: str) -> None:
        """Refuse unknown options and out-of-domain values; fills nothing in.

        A first guard so an order never stores a spec the plant cannot read. The
        configurator issue adds rules between options on top of this.
        """
        options = {o.code: o for o in self.options}
        params = {p.code: p for p in self.parameters}
        for key, value in spec.items():
            field_name = f"{where}.spec.{key}"
            if key in options:
                if value not in options[key].choices:
                    allowed = ", ".join(options[key].choices)
                    raise InvalidInput(
                        f"'{value}' is not a choice of {options[key].label} for "
                        f"{self.name}; choose one of: {allowed}.",
                        field=field_name,
                    )
            elif key in params:
                _check_parameter(params[key], value, field_name)
            else:
                known = ", ".join(sorted([*options, *params]))
                raise InvalidInput(
                    f"{self.name} has no option '{key}'; its options are: {known}.",
                    field=field_name,
                )


def _check_parameter(param: Parameter, value: str, field_name: str) -> None:
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(
            f"{param.label} must be a number in {param.unit}, not '{value}'.", field=field_name
        ) from None
    if not param.minimum <= number <= param.maximum:
        raise InvalidInput(
            f"{param.label} must be between {param.minimum:g} and {param.maximum:g} "
            f"{param.unit}; got {number:g}.",
            field=field_name,
        )
    steps = (number - param.minimum) / param.step
    if abs(steps - round(steps)) > 1e-9:
        raise InvalidInput(
            f"{param.label} goes in steps of {param.step:g} {param.unit} from "
            f"{param.minimum:g}; got {number:g}.",
            field=field_name,
        )
