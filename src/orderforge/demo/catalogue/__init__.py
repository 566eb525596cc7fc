"""The demo workshop's product catalogues in the configurator format, with plant facts.

"Holzwerk Nordlicht" (see `orderforge.demo.plant`) sells four families; each is
a YAML catalogue next to this module (`table.yaml`, `cabinet.yaml`, `seating.yaml`,
`wall_panel.yaml`) that `orderforge.engines.configurator.load_family_text` reads. Next to
the catalogues this module holds what the feasibility review compares a configured
product with:

- `WORK_CENTRE_LIMITS`: the largest size of each dimension a work centre can take;
- `COMPONENT_STATUS`: whether each component is approved, new (engineering must qualify a
  supplier) or blocked (discontinued), and its purchase lead time;
- `demo_specs()`: specs a salesperson would configure, most plainly feasible and a few
  that need engineering.

Pure data: the only I/O is reading the packaged YAML text.
"""

from __future__ import annotations

from importlib import resources

from orderforge.domain.plant import ComponentStatus

__all__ = [
    "CATALOGUE_FILES",
    "COMPONENT_STATUS",
    "DIMENSIONS",
    "WORK_CENTRE_LIMITS",
    "catalogue_text",
    "demo_specs",
]

#: Family code -> catalogue file in this package.
CATALOGUE_FILES: dict[str, str] = {
    "TABLE": "table.yaml",
    "CABINET": "cabinet.yaml",
    "SEATING": "seating.yaml",
    "WALL-PANEL": "wall_panel.yaml",
}

#: The dimension parameters (mm) that the feasibility review compares with the limits.
DIMENSIONS: tuple[str, ...] = ("length", "width", "height", "depth")


def catalogue_text(family_code: str) -> str:
    """The YAML text of a demo family's catalogue (works from an installed wheel too)."""
    try:
        file_name = CATALOGUE_FILES[family_code]
    except KeyError:
        known = ", ".join(CATALOGUE_FILES)
        raise KeyError(f"no demo catalogue for family {family_code!r}; known: {known}") from None
    return resources.files(__name__).joinpath(file_name).read_text(encoding="utf-8")


# -- work-centre limits ---------------------------------------------------------------
#
# A limit is the largest value of a family's dimension parameter (same name, mm) that
# a work centre can take, given how the families' parts lie on it: a table top is
# length x width on the bed, a wall panel or a cabinet side is height x width, so on
# the flat machines "height" is the long side of the panel just like "length". Teams
# working at benches (hand sanding, assembly, final QC) have no limits.
#
# What the numbers make the review find:
# - within an alternative: a table top over 1300 mm wide is too wide for the 5-axis
#   console bed (1300) but fits the nesting table (2100); over 1350 mm it misses the
#   wide-belt sander but can be hand-sanded; a bench over 3100 mm is too long for the
#   nesting table but fits the 5-axis (3600);
# - beyond every alternative: a veneered table top over 1300 mm wide does not fit the
#   veneer press (3200 x 1300, no alternative) nor the edge bander's return conveyor, a
#   knife edge on such a top needs the 5-axis alone, and a bench or banquette over
#   3000 mm does not fit the upholstery cutting table and benches (made in sections).
WORK_CENTRE_LIMITS: dict[str, dict[str, int]] = {
    # Beam saw: 3800 mm cutting length, 3800 mm feed depth.
    "SAW-BEAM": {"length": 3800, "width": 3800, "height": 3800},
    # Console bed 3600 x 1300 between the suction cups' outer rows.
    "CNC-5AX": {"length": 3600, "width": 1300, "height": 3600},
    # Nesting table 3100 x 2100 (takes a full 3050 x 2070 board).
    "CNC-NEST": {"length": 3100, "width": 2100, "height": 3100},
    # Through-feed; the return conveyor carries panels up to 1300 mm across.
    "EDGE-BAND": {"length": 3200, "width": 1300, "height": 3200},
    # 1350 mm working width, through-feed.
    "SAND-WIDE": {"width": 1350},
    # Platen 3200 x 1300 mm.
    "PRESS-VEN": {"length": 3200, "width": 1300, "height": 3200},
    # Planer and moulder tables, spindle moulder outfeed: boards up to 4 m.
    "SOLID-MACH": {"length": 4000},
    # Spray-booth trolleys 3200 x 1600 mm.
    "PAINT-BOOTH": {"length": 3200, "width": 1600, "height": 3200},
    # Drying racks 3200 x 1500 mm.
    "DRY-CURE": {"length": 3200, "width": 1500, "height": 3200},
    # Fabric cutting table and upholstery benches 3000 mm long.
    "UPHOLSTERY": {"length": 3000},
    # Longest crate the packing bay builds and the dispatch truck loads.
    "PACKING": {"length": 3400, "width": 1600, "height": 3200},
}

# -- component master -------------------------------------------------------------------

_A, _N, _B = ComponentStatus.APPROVED, ComponentStatus.NEW, ComponentStatus.BLOCKED

#: Component code -> (status, purchase lead time in days) for every component of the four
#: catalogues. New: a supplier engineering has not qualified yet; blocked: discontinued,
#: the spec must change (lead time 0: it cannot be bought at all).
COMPONENT_STATUS: dict[str, tuple[ComponentStatus, int]] = {
    # boards and cores
    "MDF-19": (_A, 3),
    "MDF-25": (_A, 3),
    "MDF-MR-19": (_A, 3),
    "MDF-FR-19": (_A, 10),
    "MDF-VEN-OAK-19": (_A, 10),
    "MDF-VEN-WALNUT-19": (_A, 14),
    "MDF-FLUTED-19": (_N, 35),  # pre-fluted MDF from a new Italian supplier
    "MDF-MICROPERF-16": (_N, 49),  # microperforated acoustic board, new supplier
    "HONEYCOMB-38": (_A, 14),
    "MEL-WHITE-16": (_A, 3),
    "MEL-WHITE-19": (_A, 3),
    "BACK-MEL-WHITE-8": (_A, 3),
    "BACK-VEN-8": (_A, 10),
    "BACK-MDF-8": (_A, 3),
    "PLY-BIRCH-6": (_A, 7),
    "PLY-BIRCH-12": (_A, 7),
    "PLY-BIRCH-18": (_A, 7),
    "COMPACT-HPL-12": (_A, 14),
    # veneers, edges, glue
    "VENEER-OAK": (_A, 7),
    "VENEER-WALNUT": (_A, 14),
    "VENEER-ASH": (_A, 7),
    "VENEER-SMOKED-OAK": (_N, 42),  # fumed oak from a new fuming house
    "VENEER-BEECH": (_A, 7),
    "VENEER-CHERRY": (_A, 21),
    "VENEER-EUCALYPTUS": (_B, 0),  # figured eucalyptus: the mill stopped cutting it
    "VENEER-BALANCE": (_A, 5),
    "EDGE-STRIP": (_A, 5),
    "EDGE-ABS-WHITE": (_A, 3),
    "EDGE-VEN-OAK": (_A, 5),
    "EDGE-VEN-WALNUT": (_A, 10),
    "EDGE-VEN-MATCHED": (_A, 10),
    "GLUE-UF": (_A, 5),
    "GLUE-PVAC": (_A, 3),
    "CONTACT-ADHESIVE": (_A, 3),
    # solid wood
    "SOLID-OAK-40": (_A, 14),
    "SOLID-WALNUT-40": (_A, 28),
    "SOLID-ASH-40": (_A, 14),
    "SOLID-BEECH-40": (_A, 10),
    "LEG-BLANK": (_A, 10),
    "RAIL-HARDWOOD": (_A, 10),
    "RAIL-BEECH-45": (_A, 7),
    "RAIL-ASH-45": (_A, 10),
    "RAIL-OAK-45": (_A, 10),
    "LEG-BLANK-BEECH": (_A, 7),
    "LEG-BLANK-ASH": (_A, 10),
    "LEG-BLANK-OAK": (_A, 10),
    # finishes
    "OIL-HARDWAX": (_A, 5),
    "OIL-NATURAL": (_A, 5),
    "OIL-TINT": (_A, 7),
    "STAIN-WB": (_A, 5),
    "PRIMER-WB": (_A, 5),
    "LACQUER-CLEAR": (_A, 5),
    "LACQUER-PIGMENTED": (_A, 5),
    "LACQUER-RAL": (_A, 7),  # mixed to order by the paint supplier
    "LACQUER-FR": (_A, 10),
    # table bases and cable management
    "TRESTLE-KIT": (_A, 21),
    "A-FRAME": (_A, 21),
    "STEEL-U-FRAME": (_A, 28),
    "LEVELLER": (_A, 5),
    "FITTINGS-TABLE": (_A, 5),
    "GROMMET-80": (_A, 5),
    "POWER-BOX": (_A, 14),
    "CABLE-TRAY": (_A, 10),
    # cabinet hardware and bases
    "HINGE-110": (_A, 5),
    "HINGE-155": (_A, 7),
    "HINGE-PUSH": (_A, 5),
    "PUSH-LATCH": (_A, 5),
    "HANDLE-STEEL-BAR": (_A, 7),
    "HANDLE-BRASS-BAR": (_N, 28),  # special fitting: solid brass from a new foundry
    "HANDLE-LEATHER-PULL": (_B, 0),  # saddle-leather pull: discontinued by the maker
    "RUNNER-SOFT": (_A, 5),
    "RUNNER-PUSH": (_A, 7),
    "DRAWER-SIDES": (_A, 7),
    "SHELF-PIN": (_A, 3),
    "FITTINGS-CABINET": (_A, 3),
    "PLINTH-LEG": (_A, 3),
    "PLINTH-PANEL": (_A, 5),
    "LEG-150": (_A, 7),
    "HANGING-RAIL": (_A, 5),
    "CABINET-HANGER": (_A, 5),
    # upholstery
    "WEBBING-ELASTIC": (_A, 5),
    "FITTINGS-SEATING": (_A, 5),
    "HANGER-BOLT": (_A, 3),
    "GLIDE-FELT": (_A, 3),
    "FOAM-HR-MEDIUM": (_A, 7),
    "FOAM-HR-FIRM": (_A, 7),
    "FOAM-CMHR-MEDIUM": (_A, 10),
    "FOAM-CMHR-FIRM": (_A, 10),
    "POCKET-SPRING-UNIT": (_A, 14),
    "WADDING-POLY": (_A, 5),
    "FR-INTERLINER": (_A, 7),
    "DUST-COVER": (_A, 5),
    "UPHOLSTERY-SUNDRIES": (_A, 3),
    "FABRIC-WOOL-FELT-GREY": (_A, 10),
    "FABRIC-BOUCLE-NAT": (_N, 30),  # bouclé from a new weaver, fire tests pending
    "FABRIC-VELVET-GREEN": (_A, 14),
    "LEATHER-COGNAC": (_A, 21),
    "LEATHER-BLACK": (_A, 21),
    "FABRIC-COM": (_A, 10),  # customer's own material: the wait for it to arrive
    # acoustic backing and mounting
    "FELT-PET-BLACK-9": (_A, 10),
    "FELT-PET-GREY-9": (_A, 10),
    "ACOUSTIC-FLEECE": (_A, 7),
    "FRENCH-CLEAT": (_A, 5),
    "CLIP-RAIL": (_A, 5),
    "PANEL-CLIP": (_A, 5),
    "HEADBOARD-FOOT": (_A, 21),
    # packing
    "CRATE": (_A, 5),
    "CORNER-GUARD": (_A, 3),
    "STRETCH-FILM": (_A, 3),
    "POLY-BAG-XL": (_A, 3),
    "CARDBOARD-SHEET": (_A, 3),
}

# -- demo specs -----------------------------------------------------------------------


def demo_specs() -> dict[str, list[dict[str, str]]]:
    """Per family, complete valid specs a salesperson would configure (fresh copies).

    The last spec(s) of each family need engineering: a new component (smoked oak,
    fluted MDF with brass handles, bouclé, microperforated board) or a size beyond every
    alternative work centre (a 1400 mm wide veneered boardroom table, a 3200 mm
    banquette); the others are plainly feasible.
    """
    return {
        "TABLE": [
            # family dining table, oiled oak
            _spec(
                "wood=oak top=veneered core=mdf finish=hardwax-oil colour=natural",
                "edge_profile=eased-2mm leg_style=tapered cable_management=none",
                "length=2000 width=950 height=740",
            ),
            # walnut boardroom table on A-frames with cable tray
            _spec(
                "wood=walnut top=veneered core=lightweight-honeycomb finish=satin-lacquer",
                "colour=natural edge_profile=bevel-underside leg_style=a-frame",
                "cable_management=cable-tray-and-box",
                "length=2800 width=1200 height=740",
            ),
            # solid oak knife-edge table for a private client
            _spec(
                "wood=oak top=solid core=none finish=natural-oil colour=natural",
                "edge_profile=knife-edge leg_style=four-square cable_management=none",
                "length=2400 width=1000 height=750",
            ),
            # white café table on a steel frame
            _spec(
                "wood=ash top=veneered core=mdf finish=matt-lacquer colour=white",
                "edge_profile=radius-5 leg_style=steel-u-frame cable_management=none",
                "length=1200 width=800 height=740",
            ),
            # black stained meeting table with power box
            _spec(
                "wood=beech top=veneered core=mdf finish=stain-and-lacquer colour=black",
                "edge_profile=square leg_style=a-frame cable_management=power-box",
                "length=2200 width=1100 height=740",
            ),
            # cherry dining table, dark oil, grommets
            _spec(
                "wood=cherry top=veneered core=mdf finish=natural-oil colour=dark",
                "edge_profile=eased-2mm leg_style=tapered cable_management=grommet",
                "length=1800 width=900 height=740",
            ),
            # needs engineering: 1400 mm wide veneered top, wider than the veneer press
            _spec(
                "wood=oak top=veneered core=mdf finish=satin-lacquer colour=natural",
                "edge_profile=eased-2mm leg_style=tapered cable_management=cable-tray-and-box",
                "length=3000 width=1400 height=740",
            ),
            # needs engineering: smoked oak veneer from a new supplier
            _spec(
                "wood=smoked-oak top=veneered core=mdf finish=hardwax-oil colour=natural",
                "edge_profile=bevel-underside leg_style=trestle cable_management=grommet",
                "length=2000 width=1000 height=740",
            ),
        ],
        "CABINET": [
            # kitchen base unit with compact laminate worktop
            _spec(
                "carcass=white-melamine front=flat-lacquered colour=white",
                "handle=integrated-grip hinge=soft-close-110 worktop=compact-laminate-12",
                "base=recessed-plinth",
                "width=600 height=720 depth=560 shelves=1 drawers=0",
            ),
            # three-drawer J-pull unit under an oak worktop
            _spec(
                "carcass=white-melamine front=handleless-j-pull colour=light",
                "handle=integrated-grip hinge=soft-close-110 worktop=oak-solid-40",
                "base=recessed-plinth",
                "width=800 height=720 depth=560 shelves=0 drawers=3",
            ),
            # oak veneered sideboard on legs
            _spec(
                "carcass=oak-veneer front=veneer-flat colour=natural handle=black-steel-bar",
                "hinge=soft-close-110 worktop=none base=legs-150",
                "width=1200 height=800 depth=450 shelves=1 drawers=0",
            ),
            # tall plywood wardrobe with painted shaker doors
            _spec(
                "carcass=birch-plywood front=shaker-frame colour=ral-custom",
                "handle=black-steel-bar hinge=soft-close-110 worktop=none",
                "base=recessed-plinth",
                "width=1000 height=2300 depth=600 shelves=4 drawers=1",
            ),
            # hotel minibar, wall-hung, push to open
            _spec(
                "carcass=mdf-paint-grade front=flat-lacquered colour=dark handle=push-latch",
                "hinge=push-to-open worktop=none base=wall-hung",
                "width=600 height=450 depth=400 shelves=1 drawers=0",
            ),
            # walnut sideboard, two drawers over two doors
            _spec(
                "carcass=walnut-veneer front=veneer-flat colour=dark handle=push-latch",
                "hinge=push-to-open worktop=none base=legs-150",
                "width=900 height=700 depth=450 shelves=0 drawers=2",
            ),
            # needs engineering: pre-fluted MDF and brass handles from new suppliers
            _spec(
                "carcass=white-melamine front=fluted colour=black handle=brass-bar",
                "hinge=soft-close-155 worktop=none base=recessed-plinth",
                "width=600 height=2000 depth=580 shelves=4 drawers=0",
            ),
        ],
        "SEATING": [
            # restaurant banquette, black leather on a plinth, contract
            _spec(
                "frame_wood=beech leg_style=plinth colour=natural fabric=leather-black",
                "cushion=hr-foam-firm back_style=high-back fire_rating=en-1021-contract",
                "length=2400 depth=600 seat_height=450 height=1100",
            ),
            # hotel lobby sofa, velvet on pocket springs
            _spec(
                "frame_wood=oak leg_style=tapered colour=dark fabric=velvet-green",
                "cushion=pocket-spring-and-foam back_style=low-back",
                "fire_rating=en-1021-contract",
                "length=2200 depth=850 seat_height=430 height=800",
            ),
            # window bench in grey felt
            _spec(
                "frame_wood=ash leg_style=block colour=light fabric=wool-felt-grey",
                "cushion=hr-foam-medium back_style=none-bench fire_rating=standard",
                "length=1600 depth=500 seat_height=450 height=460",
            ),
            # leather bench on a black sled
            _spec(
                "frame_wood=beech leg_style=sled colour=black fabric=leather-cognac",
                "cushion=hr-foam-firm back_style=none-bench fire_rating=standard",
                "length=1800 depth=450 seat_height=440 height=450",
            ),
            # channel-tufted lounge sofa
            _spec(
                "frame_wood=oak leg_style=tapered colour=natural fabric=leather-cognac",
                "cushion=hr-foam-medium back_style=channel-tufted",
                "fire_rating=en-1021-contract",
                "length=2000 depth=700 seat_height=450 height=1000",
            ),
            # private client's sofa in their own fabric
            _spec(
                "frame_wood=beech leg_style=tapered colour=white fabric=customer-own-material",
                "cushion=pocket-spring-and-foam back_style=low-back fire_rating=standard",
                "length=2000 depth=900 seat_height=440 height=780",
            ),
            # needs engineering: 3200 mm banquette, longer than the upholstery benches
            _spec(
                "frame_wood=oak leg_style=plinth colour=natural fabric=wool-felt-grey",
                "cushion=hr-foam-firm back_style=high-back fire_rating=en-1021-contract",
                "length=3200 depth=650 seat_height=450 height=1200",
            ),
            # needs engineering: bouclé from a new weaver
            _spec(
                "frame_wood=ash leg_style=tapered colour=natural fabric=boucle-natural",
                "cushion=hr-foam-medium back_style=low-back fire_rating=standard",
                "length=2000 depth=650 seat_height=450 height=800",
            ),
        ],
        "WALL-PANEL": [
            # hotel room panel, oak, French cleat
            _spec(
                "veneer=oak pattern=flat finish=matt-lacquer colour=natural acoustic=none",
                "mounting=french-cleat fire_class=d-s2-d0",
                "width=600 height=2400",
            ),
            # reception: walnut slats on black felt
            _spec(
                "veneer=walnut pattern=slatted-27 finish=matt-lacquer colour=natural",
                "acoustic=black-felt-9 mounting=french-cleat fire_class=d-s2-d0",
                "width=600 height=2700",
            ),
            # meeting room: V-grooved ash, fire-retardant, on clip rails
            _spec(
                "veneer=ash pattern=grooved-v finish=satin-lacquer colour=light",
                "acoustic=grey-felt-9 mounting=clip-rail fire_class=b-s2-d0",
                "width=1200 height=2600",
            ),
            # lobby: book-matched walnut, full height
            _spec(
                "veneer=walnut pattern=book-matched finish=satin-lacquer colour=natural",
                "acoustic=none mounting=french-cleat fire_class=b-s2-d0",
                "width=1200 height=3000",
            ),
            # freestanding headboard, white oiled oak
            _spec(
                "veneer=oak pattern=flat finish=hardwax-oil colour=white acoustic=none",
                "mounting=freestanding-headboard fire_class=d-s2-d0",
                "width=1300 height=1200",
            ),
            # black grooved acoustic panel
            _spec(
                "veneer=ash pattern=grooved-v finish=matt-lacquer colour=black",
                "acoustic=grey-felt-9 mounting=clip-rail fire_class=d-s2-d0",
                "width=900 height=2400",
            ),
            # needs engineering: microperforated board from a new supplier
            _spec(
                "veneer=oak pattern=flat finish=matt-lacquer colour=natural",
                "acoustic=microperforated mounting=french-cleat fire_class=d-s2-d0",
                "width=1200 height=2800",
            ),
            # needs engineering: smoked oak slats (new veneer supplier)
            _spec(
                "veneer=smoked-oak pattern=slatted-27 finish=matt-lacquer colour=dark",
                "acoustic=black-felt-9 mounting=french-cleat fire_class=d-s2-d0",
                "width=800 height=2700",
            ),
        ],
    }


def _spec(*parts: str) -> dict[str, str]:
    """A spec from "name=value" words: `_spec("wood=oak length=2000")`."""
    pairs = (word.split("=", 1) for part in parts for word in part.split())
    return {name: value for name, value in pairs}
