"""The demo workshop's product catalogues in the configurator format, with plant facts.

"Holzwerk Nordlicht" (see `orderforge.demo.plant`) sells four furniture families and a
regulated one, each a YAML catalogue next to this module (`table.yaml`, `cabinet.yaml`,
`seating.yaml`, `wall_panel.yaml`, and `couch.yaml`: a made-to-measure medical
examination couch that later needs signed design approval and a device history record)
that `orderforge.engines.configurator.load_family_text` reads. Next to the catalogues
this module holds

- `demo_specs()`: specs a salesperson would configure, most plainly feasible and a few
  that need engineering.

Pure data: the only I/O is reading the packaged YAML text.
"""

from __future__ import annotations

from importlib import resources

__all__ = [
    "CATALOGUE_FILES",
    "DIMENSIONS",
    "catalogue_text",
    "demo_specs",
]

#: Family code -> catalogue file in this package.
CATALOGUE_FILES: dict[str, str] = {
    "TABLE": "table.yaml",
    "CABINET": "cabinet.yaml",
    "SEATING": "seating.yaml",
    "WALL-PANEL": "wall_panel.yaml",
    "COUCH": "couch.yaml",
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


# Work-centre limits and the item master (status, lead time, cost) live in the demo
# plant file, orderforge/demo/plant.yaml, loaded through the plant import.


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
        "COUCH": [
            # physiotherapy: electric, two sections, castors, blue PU
            _spec(
                "lift=electric sections=two-section cover=pu-blue foam=foam-50",
                "frame_colour=white base=castors paper_roll=yes face_hole=no",
                "length=1950 width=700 height=880",
            ),
            # GP surgery: fixed height, one section, grey PU
            _spec(
                "lift=fixed sections=one-section cover=pu-grey foam=foam-50",
                "frame_colour=silver base=feet paper_roll=yes face_hole=no",
                "length=1900 width=650 height=750",
            ),
            # dermatology: electric, one section, grey PU, castors
            _spec(
                "lift=electric sections=one-section cover=pu-grey foam=foam-50",
                "frame_colour=white base=castors paper_roll=yes face_hole=no",
                "length=1950 width=700 height=870",
            ),
            # beauty clinic: fixed, two sections, sand PU
            _spec(
                "lift=fixed sections=two-section cover=pu-sand foam=foam-50",
                "frame_colour=white base=feet paper_roll=yes face_hole=no",
                "length=1950 width=680 height=720",
            ),
            # sports physio: black PVC, electric, anthracite frame
            _spec(
                "lift=electric sections=two-section cover=pvc-black foam=foam-50",
                "frame_colour=anthracite base=feet paper_roll=yes face_hole=no",
                "length=2000 width=700 height=900",
            ),
            # massage practice: wide top, 70 mm padding, face hole (new plug supplier)
            _spec(
                "lift=electric sections=two-section cover=pu-sand foam=foam-70",
                "frame_colour=anthracite base=feet paper_roll=no face_hole=yes",
                "length=2000 width=760 height=860",
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
