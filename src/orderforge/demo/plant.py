"""Demo master data: "Holzwerk Nordlicht", a mid-size custom furniture and fit-out joinery.

The workshop makes tables, cabinets and kitchen modules, upholstered seating and
veneered wall panelling to order for hotels, architects, restaurants, offices and
private clients. Everything here is plain data built from the domain classes, so the
seed command, the tests and the benchmarks all read the same believable plant.

Pure: no I/O, no clock, and the only randomness is `random.Random(seed)` in the order
generator (see `orderforge.demo.orders`).
"""

from __future__ import annotations

import datetime as dt

from orderforge.demo.orders import ACTION_ROLES, DemoOrder, build_demo_orders
from orderforge.domain.plant import (
    Calendar,
    Option,
    Parameter,
    ProductFamily,
    RoutingStep,
    Shift,
    WorkCenter,
    WorkCenterKind,
)
from orderforge.domain.user import Role

__all__ = [
    "ACTION_ROLES",
    "CALENDARS",
    "COLOUR_CLASSES",
    "CUSTOMERS",
    "DEMO_USERS",
    "GERMAN_PUBLIC_HOLIDAYS",
    "PRODUCT_FAMILIES",
    "TIMEZONE",
    "WORK_CENTRES",
    "DemoOrder",
    "demo_orders",
]

TIMEZONE = "Europe/Berlin"

# -- calendars ---------------------------------------------------------------

_MON_FRI = (1, 2, 3, 4, 5)
_MON_SAT = (1, 2, 3, 4, 5, 6)


def _t(hhmm: str) -> dt.time:
    hours, minutes = hhmm.split(":")
    return dt.time(int(hours), int(minutes))


def _brk(start: str, end: str) -> tuple[dt.time, dt.time]:
    return (_t(start), _t(end))


#: German nationwide public holidays (Easter 2026: 5 April, Easter 2027: 28 March).
GERMAN_PUBLIC_HOLIDAYS: list[dt.date] = [
    dt.date(2026, 1, 1),  # Neujahr
    dt.date(2026, 4, 3),  # Karfreitag
    dt.date(2026, 4, 6),  # Ostermontag
    dt.date(2026, 5, 1),  # Tag der Arbeit
    dt.date(2026, 5, 14),  # Christi Himmelfahrt
    dt.date(2026, 5, 25),  # Pfingstmontag
    dt.date(2026, 10, 3),  # Tag der Deutschen Einheit
    dt.date(2026, 12, 25),  # 1. Weihnachtstag
    dt.date(2026, 12, 26),  # 2. Weihnachtstag
    dt.date(2027, 1, 1),
    dt.date(2027, 3, 26),
    dt.date(2027, 3, 29),
    dt.date(2027, 5, 1),
    dt.date(2027, 5, 6),
    dt.date(2027, 5, 17),
    dt.date(2027, 10, 3),
    dt.date(2027, 12, 25),
    dt.date(2027, 12, 26),
]

CALENDARS: list[Calendar] = [
    Calendar(
        code="TWO-SHIFT",
        name="Two shifts Mon-Fri (machining)",
        timezone=TIMEZONE,
        shifts=[
            Shift("Early", _MON_FRI, _t("06:00"), _t("14:00"), (_brk("10:00", "10:30"),)),
            Shift("Late", _MON_FRI, _t("14:00"), _t("22:00"), (_brk("18:00", "18:30"),)),
        ],
        holidays=list(GERMAN_PUBLIC_HOLIDAYS),
    ),
    Calendar(
        code="DAY",
        name="Day shift Mon-Fri (bench, assembly, upholstery, QC, packing)",
        timezone=TIMEZONE,
        shifts=[
            Shift(
                "Day",
                _MON_FRI,
                _t("07:00"),
                _t("16:00"),
                (_brk("09:00", "09:15"), _brk("12:00", "12:30")),
            ),
        ],
        holidays=list(GERMAN_PUBLIC_HOLIDAYS),
    ),
    Calendar(
        code="PAINT",
        name="Paint shop: long day Mon-Fri, Saturday morning catch-up",
        timezone=TIMEZONE,
        shifts=[
            Shift("Early", _MON_FRI, _t("06:00"), _t("14:00"), (_brk("10:00", "10:30"),)),
            Shift("Late", _MON_FRI, _t("14:00"), _t("20:00"), (_brk("17:00", "17:15"),)),
            Shift("Saturday", (6,), _t("06:00"), _t("12:00")),
        ],
        holidays=list(GERMAN_PUBLIC_HOLIDAYS),
    ),
    Calendar(
        code="DRYING",
        # Curing runs unattended around the clock, holidays included: a cure that takes
        # a day or more must never be cut by closed time.
        name="Drying room: unattended, around the clock",
        timezone=TIMEZONE,
        shifts=[Shift("Curing", (1, 2, 3, 4, 5, 6, 7), _t("00:00"), _t("00:00"))],
        holidays=[],
    ),
]

# -- work centres ------------------------------------------------------------

#: Paint setup classes. The `colour` option of every family uses exactly these values,
#: so an operation's setup class is its line's `colour` choice.
COLOUR_CLASSES: tuple[str, ...] = ("natural", "white", "light", "dark", "black", "ral-custom")

#: Minutes to change the booth from one colour class (row) to the next (columns in
#: COLOUR_CLASSES order). Light -> dark is a quick flush; dark -> light needs a full
#: clean of gun, lines and booth; a custom RAL colour is mixed and matched every time.
_PAINT_ROWS: tuple[tuple[str, tuple[int, ...]], ...] = (
    #              natural white light dark black ral-custom
    ("natural", (0, 30, 25, 15, 20, 45)),
    ("white", (35, 0, 10, 10, 15, 45)),
    ("light", (35, 25, 5, 10, 15, 45)),
    ("dark", (50, 60, 45, 5, 10, 50)),
    ("black", (60, 75, 60, 20, 0, 55)),
    ("ral-custom", (55, 60, 50, 35, 30, 45)),
)
_PAINT_CHANGEOVER: dict[str, dict[str, int]] = {
    source: dict(zip(COLOUR_CLASSES, row, strict=True)) for source, row in _PAINT_ROWS
}


def _wc(
    code: str,
    name: str,
    kind: WorkCenterKind,
    calendar: str,
    rate: str,
    *,
    capacity: int = 1,
    setup: int = 0,
    interruptible: bool = True,
    changeover: dict[str, dict[str, int]] | None = None,
) -> WorkCenter:
    return WorkCenter(
        code=code,
        name=name,
        kind=kind,
        calendar_code=calendar,
        capacity=capacity,
        interruptible=interruptible,
        changeover_minutes={k: dict(v) for k, v in (changeover or {}).items()},
        default_setup_minutes=setup,
        hourly_rate=rate,
    )


_M, _C, _T = WorkCenterKind.MACHINE, WorkCenterKind.CELL, WorkCenterKind.TEAM

WORK_CENTRES: list[WorkCenter] = [
    _wc("SAW-BEAM", "Panel beam saw", _M, "TWO-SHIFT", "72.00", setup=10),
    _wc("CNC-5AX", "CNC router, 5-axis machining centre", _M, "TWO-SHIFT", "118.00", setup=20),
    _wc("CNC-NEST", "CNC router, 3-axis nesting table", _M, "TWO-SHIFT", "94.00", setup=15),
    _wc("EDGE-BAND", "Edge banding line (PUR glue)", _M, "TWO-SHIFT", "78.00", setup=15),
    _wc("SAND-WIDE", "Wide-belt sander, 1350 mm", _M, "TWO-SHIFT", "64.00", setup=10),
    _wc("PRESS-VEN", "Veneer hot press, 3200 x 1300 mm", _M, "DAY", "76.00", setup=25),
    _wc(
        "SOLID-MACH",
        "Solid-wood machining (planer, moulder, spindle)",
        _C,
        "DAY",
        "69.00",
        setup=30,
    ),
    _wc("SAND-HAND", "Hand sanding and finishing benches", _T, "DAY", "54.00", capacity=2, setup=5),
    _wc(
        "PAINT-BOOTH",
        "Spray booth, water-based lacquers and oils",
        _C,
        "PAINT",
        "92.00",
        setup=15,
        changeover=_PAINT_CHANGEOVER,
    ),
    _wc(
        "DRY-CURE",
        "Drying and curing room, 8 racks",
        _C,
        "DRYING",
        "16.00",
        capacity=4,
        interruptible=False,
    ),
    _wc("ASSEMBLY", "Bench assembly team", _T, "DAY", "58.00", capacity=3, setup=10),
    _wc("UPHOLSTERY", "Upholstery workshop", _T, "DAY", "62.00", capacity=2, setup=15),
    _wc("QC-FINAL", "Final quality control", _T, "DAY", "66.00", setup=5),
    _wc("PACKING", "Packing and dispatch", _T, "DAY", "46.00", capacity=2, setup=5),
]

# -- product families ----------------------------------------------------------


def _opt(code: str, label: str, *choices: str) -> Option:
    return Option(code=code, label=label, choices=choices, default=choices[0])


def _mm(code: str, label: str, lo: int, hi: int, step: int, default: int) -> Parameter:
    return Parameter(code, label, "mm", lo, hi, step, default)


def _step(
    code: str,
    name: str,
    centres: tuple[str, ...],
    setup: int,
    run: int,
    after: tuple[str, ...] = (),
    setup_class_option: str | None = None,
) -> RoutingStep:
    return RoutingStep(code, name, centres, setup, run, after, setup_class_option)


_COLOUR = Option("colour", "Finish colour", COLOUR_CLASSES, default="natural")

TABLE = ProductFamily(
    code="TABLE",
    name="Dining & conference table",
    description=(
        "Veneered top on an MDF or lightweight core with a solid-wood edge, on solid "
        "legs or a frame; from a family dining table to a 3 m boardroom table."
    ),
    options=[
        _opt("wood", "Wood species", "oak", "walnut", "ash", "smoked-oak", "beech", "cherry"),
        _opt(
            "finish",
            "Finish",
            "hardwax-oil",
            "natural-oil",
            "matt-lacquer",
            "satin-lacquer",
            "stain-and-lacquer",
        ),
        _COLOUR,
        _opt(
            "edge_profile",
            "Edge profile",
            "eased-2mm",
            "bevel-underside",
            "radius-5",
            "knife-edge",
            "square",
        ),
        _opt(
            "leg_style",
            "Leg style",
            "tapered",
            "four-square",
            "trestle",
            "a-frame",
            "steel-u-frame",
        ),
        _opt("core", "Top core", "mdf", "lightweight-honeycomb"),
        _opt(
            "cable_management",
            "Cable management",
            "none",
            "grommet",
            "power-box",
            "cable-tray-and-box",
        ),
    ],
    parameters=[
        _mm("length", "Length", 800, 3000, 10, 1800),
        _mm("width", "Width", 700, 1400, 10, 900),
        _mm("height", "Height", 650, 780, 5, 740),
    ],
    routing=[
        _step("TOP-CUT", "Cut top core, edge strips and veneer", ("SAW-BEAM",), 15, 20),
        _step("TOP-PRESS", "Press veneer onto top core", ("PRESS-VEN",), 30, 45, ("TOP-CUT",)),
        _step(
            "TOP-CNC",
            "Route top outline, edge profile and fitting pockets",
            ("CNC-5AX", "CNC-NEST"),
            25,
            35,
            ("TOP-PRESS",),
        ),
        _step("TOP-SAND", "Sand top", ("SAND-WIDE", "SAND-HAND"), 10, 15, ("TOP-CNC",)),
        _step(
            "LEG-MACH", "Machine and sand legs and frame rails", ("SOLID-MACH", "CNC-5AX"), 30, 75
        ),
        _step(
            "FINISH",
            "Oil or lacquer top, legs and frame",
            ("PAINT-BOOTH",),
            15,
            45,
            ("TOP-SAND", "LEG-MACH"),
            setup_class_option="colour",
        ),
        _step("CURE", "Dry and cure finish", ("DRY-CURE",), 0, 240, ("FINISH",)),
        _step(
            "ASSY", "Trial-assemble, fit levellers and cable tray", ("ASSEMBLY",), 15, 60, ("CURE",)
        ),
        _step("QC", "Final inspection: flatness, colour, finish", ("QC-FINAL",), 5, 20, ("ASSY",)),
        _step("PACK", "Knock down, wrap and crate", ("PACKING",), 5, 35, ("QC",)),
    ],
)

CABINET = ProductFamily(
    code="CABINET",
    name="Cabinet & kitchen module",
    description=(
        "Carcass in melamine, veneer or plywood with lacquered, veneered or framed fronts; "
        "kitchen base and tall units, sideboards, hotel minibar and wardrobe modules."
    ),
    options=[
        _opt(
            "carcass",
            "Carcass material",
            "white-melamine",
            "oak-veneer",
            "birch-plywood",
            "walnut-veneer",
            "mdf-paint-grade",
        ),
        _opt(
            "front",
            "Front style",
            "flat-lacquered",
            "veneer-flat",
            "shaker-frame",
            "handleless-j-pull",
            "fluted",
        ),
        _COLOUR,
        _opt(
            "handle",
            "Handle",
            "integrated-grip",
            "black-steel-bar",
            "push-latch",
            "brass-bar",
            "leather-pull",
        ),
        _opt("hinge", "Hinge", "soft-close-110", "soft-close-155", "push-to-open"),
        _opt(
            "worktop", "Worktop", "none", "oak-solid-40", "compact-laminate-12", "stone-by-others"
        ),
        _opt("base", "Base", "recessed-plinth", "legs-150", "wall-hung"),
    ],
    parameters=[
        _mm("width", "Width", 300, 1200, 50, 600),
        _mm("height", "Height", 350, 2400, 10, 720),
        _mm("depth", "Depth", 300, 650, 10, 560),
        Parameter("shelves", "Shelves", "pcs", 0, 6, 1, 1),
    ],
    routing=[
        _step("CUT", "Cut carcass panels and fronts", ("SAW-BEAM",), 15, 18),
        _step("EDGE", "Edge-band carcass panels", ("EDGE-BAND",), 20, 14, ("CUT",)),
        _step(
            "BORE",
            "Drill dowel, shelf-pin and hinge holes",
            ("CNC-NEST", "CNC-5AX"),
            15,
            12,
            ("EDGE",),
        ),
        _step(
            "FRONT-CNC",
            "Route fronts: grips, flutes, frame joints",
            ("CNC-5AX", "CNC-NEST"),
            20,
            18,
            ("CUT",),
        ),
        _step(
            "FRONT-SAND",
            "Sand fronts for finishing",
            ("SAND-WIDE", "SAND-HAND"),
            10,
            12,
            ("FRONT-CNC",),
        ),
        _step(
            "FINISH",
            "Prime and lacquer or oil fronts",
            ("PAINT-BOOTH",),
            15,
            30,
            ("FRONT-SAND",),
            setup_class_option="colour",
        ),
        _step("CURE", "Dry and cure fronts", ("DRY-CURE",), 0, 180, ("FINISH",)),
        _step(
            "ASSY",
            "Assemble carcass, hang and adjust fronts",
            ("ASSEMBLY",),
            10,
            45,
            ("BORE", "CURE"),
        ),
        _step("QC", "Final inspection: gaps, colour, function", ("QC-FINAL",), 5, 12, ("ASSY",)),
        _step("PACK", "Wrap, corner-protect and palletise", ("PACKING",), 5, 15, ("QC",)),
    ],
)

SEATING = ProductFamily(
    code="SEATING",
    name="Upholstered bench & sofa",
    description=(
        "Solid hardwood frame with webbing and foam or pocket springs, covered in fabric "
        "or leather; restaurant banquettes, hotel lobby sofas, window benches."
    ),
    options=[
        _opt("frame_wood", "Frame wood", "beech", "ash", "oak"),
        _opt("leg_style", "Leg style", "tapered", "block", "plinth", "sled"),
        _COLOUR,
        _opt(
            "fabric",
            "Cover",
            "wool-felt-grey",
            "boucle-natural",
            "velvet-green",
            "leather-cognac",
            "leather-black",
            "customer-own-material",
        ),
        _opt("cushion", "Seat cushion", "hr-foam-medium", "hr-foam-firm", "pocket-spring-and-foam"),
        _opt("back_style", "Back", "low-back", "high-back", "channel-tufted", "none-bench"),
        _opt("fire_rating", "Fire rating", "standard", "en-1021-contract"),
    ],
    parameters=[
        _mm("length", "Length", 1000, 3200, 10, 2000),
        _mm("depth", "Seat depth", 450, 1000, 10, 600),
        _mm("seat_height", "Seat height", 380, 480, 5, 450),
    ],
    routing=[
        _step("FRAME-CUT", "Cut frame rails and panels", ("SOLID-MACH", "SAW-BEAM"), 20, 30),
        _step(
            "FRAME-CNC",
            "Route frame joints and back profile",
            ("CNC-5AX", "CNC-NEST"),
            20,
            25,
            ("FRAME-CUT",),
        ),
        _step(
            "FRAME-ASSY",
            "Glue frame, fit webbing or springs",
            ("ASSEMBLY",),
            10,
            60,
            ("FRAME-CNC",),
        ),
        _step("LEG-MACH", "Turn, shape and sand legs", ("SOLID-MACH", "CNC-5AX"), 25, 20),
        _step(
            "LEG-FINISH",
            "Stain and lacquer or oil legs",
            ("PAINT-BOOTH",),
            10,
            15,
            ("LEG-MACH",),
            setup_class_option="colour",
        ),
        _step("CURE", "Dry and cure legs", ("DRY-CURE",), 0, 180, ("LEG-FINISH",)),
        _step(
            "UPHOLSTER",
            "Foam, wadding, cut and sew cover, upholster",
            ("UPHOLSTERY",),
            20,
            150,
            ("FRAME-ASSY",),
        ),
        _step(
            "FINAL-ASSY",
            "Fit legs, glides and dust cover",
            ("ASSEMBLY",),
            5,
            25,
            ("UPHOLSTER", "CURE"),
        ),
        _step(
            "QC",
            "Final inspection: seams, pattern alignment, stability",
            ("QC-FINAL",),
            5,
            15,
            ("FINAL-ASSY",),
        ),
        _step("PACK", "Bag, blanket-wrap and palletise", ("PACKING",), 5, 25, ("QC",)),
    ],
)

WALL_PANEL = ProductFamily(
    code="WALL-PANEL",
    name="Veneered wall panel & headboard",
    description=(
        "Veneered or slatted acoustic wall panelling and bed headboards for hotel rooms, "
        "receptions and meeting rooms, with concealed French-cleat mounting."
    ),
    options=[
        _opt("veneer", "Veneer", "oak", "walnut", "ash", "smoked-oak", "eucalyptus"),
        _opt("pattern", "Surface", "flat", "slatted-27", "grooved-v", "book-matched"),
        _COLOUR,
        _opt(
            "acoustic", "Acoustic backing", "none", "black-felt-9", "grey-felt-9", "microperforated"
        ),
        _opt("mounting", "Mounting", "french-cleat", "clip-rail", "freestanding-headboard"),
        _opt("fire_class", "Fire class", "d-s2-d0", "b-s2-d0"),
    ],
    parameters=[
        _mm("width", "Panel width", 300, 1300, 10, 600),
        _mm("height", "Panel height", 600, 3000, 10, 2400),
    ],
    routing=[
        _step("CUT", "Cut cores and veneer leaves", ("SAW-BEAM",), 15, 10),
        _step("PRESS", "Press veneer, balance veneer on back", ("PRESS-VEN",), 25, 20, ("CUT",)),
        _step(
            "CNC",
            "Route slats, grooves, cleat pockets",
            ("CNC-NEST", "CNC-5AX"),
            15,
            20,
            ("PRESS",),
        ),
        _step("SAND", "Sand faces and arrises", ("SAND-WIDE", "SAND-HAND"), 10, 10, ("CNC",)),
        _step(
            "FINISH",
            "Lacquer or oil panels",
            ("PAINT-BOOTH",),
            15,
            20,
            ("SAND",),
            setup_class_option="colour",
        ),
        _step("CURE", "Dry and cure panels", ("DRY-CURE",), 0, 150, ("FINISH",)),
        _step("BACKING", "Cut felt backing and French cleats", ("CNC-NEST", "SAW-BEAM"), 10, 6),
        _step(
            "ASSY",
            "Glue felt backing, fix cleats, number panels",
            ("ASSEMBLY",),
            10,
            20,
            ("CURE", "BACKING"),
        ),
        _step(
            "QC", "Final inspection: colour match across the set", ("QC-FINAL",), 5, 8, ("ASSY",)
        ),
        _step("PACK", "Crate panels in installation order", ("PACKING",), 10, 8, ("QC",)),
    ],
)

PRODUCT_FAMILIES: list[ProductFamily] = [TABLE, CABINET, SEATING, WALL_PANEL]

# -- customers and users -----------------------------------------------------

CUSTOMERS: list[tuple[str, str, str, str]] = [
    ("C-HOTEL-ALPINA", "Hotel Alpina Garmisch", "purchasing@alpina-hotel.example", "DE"),
    ("C-HOTEL-HAFENBLICK", "Hotel Hafenblick Flensburg", "einkauf@hafenblick.example", "DE"),
    ("C-HOTEL-SEEHOF", "Seehof Zell am See", "technik@seehof-zell.example", "AT"),
    ("C-HOTEL-KANAAL", "Kanaalhuis Boutique Hotel", "inkoop@kanaalhuis.example", "NL"),
    ("C-HOTEL-STRAND", "Strandvejen Hotel & Spa", "indkob@strandvejen-hotel.example", "DK"),
    ("C-HOTEL-GAMLA", "Gamla Hamnen Suites", "inkop@gamlahamnen.example", "SE"),
    ("C-ARCH-BERG", "Studio Berg Architekten", "projekte@studio-berg.example", "DE"),
    ("C-ARCH-LINDQVIST", "Lindqvist Arkitekter", "post@lindqvist-ark.example", "DK"),
    ("C-ARCH-HOFER", "Hofer + Partner Architekten", "office@hofer-partner.example", "CH"),
    ("C-ARCH-VDMEER", "Van der Meer Interieurarchitecten", "studio@vdmeer.example", "NL"),
    ("C-ARCH-RAUMWERK", "Raumwerk Innenarchitektur", "buero@raumwerk-wien.example", "AT"),
    ("C-ARCH-MAES", "Atelier Maes", "atelier@maes-gent.example", "BE"),
    ("C-REST-FISCHMARKT", "Restaurant Alter Fischmarkt", "kueche@alter-fischmarkt.example", "DE"),
    ("C-REST-SPEICHER", "Speicherküche Lübeck", "info@speicherkueche.example", "DE"),
    ("C-REST-HAVKOKKEN", "Havkøkken Aarhus", "kontakt@havkokken.example", "DK"),
    ("C-REST-ZUNFT", "Zunftstube Basel", "gastro@zunftstube.example", "CH"),
    ("C-UNI-OSTSEE", "Hochschule Ostseeküste, Facility Management", "fm@hs-ostsee.example", "DE"),
    ("C-LAW-BRANDT", "Brandt & Kollegen Rechtsanwälte", "kanzlei@brandt-kollegen.example", "DE"),
    ("C-LAW-STEINER", "Steiner Vogt Rechtsanwälte", "office@steiner-vogt.example", "AT"),
    ("C-OFFICE-NORDWIND", "Nordwind Energie GmbH", "facility@nordwind-energie.example", "DE"),
    ("C-OFFICE-FJORDSOFT", "Fjordsoft ApS", "office@fjordsoft.example", "DK"),
    ("C-COWORK-WERFT9", "Werft 9 Coworking", "hallo@werft9.example", "DE"),
    ("C-MED-PRAXIS-MARKT", "Zahnarztpraxis am Markt", "praxis@zahnarzt-markt.example", "DE"),
    ("C-MUSEUM-WATT", "Wattenmeer-Besucherzentrum", "verwaltung@wattenmeer-zentrum.example", "DE"),
    ("C-PRIV-HANSEN", "Birte and Jens Hansen", "hansen.kiel@mail.example", "DE"),
    ("C-PRIV-MUELLER", "Dr. Katrin Müller", "k.mueller@mail.example", "DE"),
    ("C-PRIV-DEVRIES", "Pieter de Vries", "pieter.devries@mail.example", "NL"),
    ("C-PRIV-BRUNNER", "Andrea Brunner", "a.brunner@mail.example", "AT"),
    ("C-PRIV-JENSEN", "Mette Jensen", "mette.jensen@mail.example", "DK"),
    ("C-PRIV-KELLER", "Thomas Keller", "t.keller@mail.example", "CH"),
]

DEMO_USERS: list[tuple[str, str, Role, str | None]] = [
    ("admin", "Ole Andersen", Role.ADMIN, None),
    ("sales", "Svenja Krüger", Role.SALES, None),
    ("engineer", "Malte Brodersen", Role.ENGINEER, None),
    ("planner", "Jana Lorenzen", Role.PLANNER, None),
    ("operator", "Piotr Nowak", Role.OPERATOR, None),
    ("quality", "Heike Thomsen", Role.QUALITY, None),
    ("alpina", "Franz Huber (Hotel Alpina)", Role.CUSTOMER, "C-HOTEL-ALPINA"),
    ("studio-berg", "Lea Berg (Studio Berg)", Role.CUSTOMER, "C-ARCH-BERG"),
]


def demo_orders(seed: int = 2026, count: int = 60) -> list[DemoOrder]:
    """`count` believable orders over every lifecycle state, the same for the same seed."""
    return build_demo_orders(PRODUCT_FAMILIES, CUSTOMERS, seed=seed, count=count)
