"""Demo master data: "Holzwerk Nordlicht", a mid-size custom furniture and fit-out joinery.

The workshop makes tables, cabinets and kitchen modules, upholstered seating and
veneered wall panelling to order for hotels, architects, restaurants, offices and
private clients. The plant itself (settings, calendars, work centres, items, pricing)
is the data file `plant.yaml` beside this module, loaded through the plant import use
case; customers, users and orders are plain data here.

No clock, no I/O but reading the packaged plant file, and the only randomness is
`random.Random(seed)` in the order generator (see `orderforge.demo.orders`).
"""

from __future__ import annotations

from importlib import resources

import yaml  # type: ignore[import-untyped]

from orderforge.demo.orders import ACTION_ROLES, DemoOrder, build_demo_orders
from orderforge.domain.user import Role
from orderforge.plant.document import PlantData, read_plant

__all__ = [
    "ACTION_ROLES",
    "COLOUR_CLASSES",
    "CUSTOMERS",
    "CUSTOMER_ADDRESSES",
    "DEMO_USERS",
    "FAMILY_CODES",
    "TRADE_CUSTOMERS",
    "DemoOrder",
    "demo_orders",
    "demo_plant_data",
    "plant_file_text",
]

#: Paint setup classes. The `colour` option of every family uses exactly these values,
#: and the paint booth's `setup_attribute` in plant.yaml is `colour`.
COLOUR_CLASSES: tuple[str, ...] = ("natural", "white", "light", "dark", "black", "ral-custom")

#: The families of the demo catalogues (orderforge.demo.catalogue).
FAMILY_CODES: tuple[str, ...] = ("TABLE", "CABINET", "SEATING", "WALL-PANEL", "COUCH")


def plant_file_text() -> str:
    """The demo plant file: settings, calendars, work centres, items and pricing, loaded
    through the plant's own import use case like any customer's plant file."""
    return resources.files("orderforge.demo").joinpath("plant.yaml").read_text("utf-8")


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

#: Architects buy for their clients at trade terms: the plant's TRADE pricing rule.
TRADE_CUSTOMERS: frozenset[str] = frozenset(
    code for code, *_ in CUSTOMERS if code.startswith("C-ARCH-")
)

#: Postal addresses of the demo customers (invented), printed on their documents.
CUSTOMER_ADDRESSES: dict[str, tuple[str, ...]] = {
    "C-HOTEL-ALPINA": ("Zugspitzstraße 12", "82467 Garmisch-Partenkirchen", "Germany"),
    "C-HOTEL-HAFENBLICK": ("Schiffbrücke 40", "24939 Flensburg", "Germany"),
    "C-HOTEL-SEEHOF": ("Seeuferstraße 8", "5700 Zell am See", "Austria"),
    "C-HOTEL-KANAAL": ("Herengracht 301", "1016 AD Amsterdam", "Netherlands"),
    "C-HOTEL-STRAND": ("Strandvejen 203", "2900 Hellerup", "Denmark"),
    "C-HOTEL-GAMLA": ("Skeppsbron 14", "111 30 Stockholm", "Sweden"),
    "C-ARCH-BERG": ("Maximilianstraße 21", "80539 München", "Germany"),
    "C-ARCH-LINDQVIST": ("Bredgade 58", "1260 København K", "Denmark"),
    "C-ARCH-HOFER": ("Seefeldstrasse 77", "8008 Zürich", "Switzerland"),
    "C-ARCH-VDMEER": ("Oudegracht 112", "3511 AW Utrecht", "Netherlands"),
    "C-ARCH-RAUMWERK": ("Praterstraße 33", "1020 Wien", "Austria"),
    "C-ARCH-MAES": ("Korenlei 9", "9000 Gent", "Belgium"),
    "C-REST-FISCHMARKT": ("Große Elbstraße 135", "22767 Hamburg", "Germany"),
    "C-REST-SPEICHER": ("An der Untertrave 61", "23552 Lübeck", "Germany"),
    "C-REST-HAVKOKKEN": ("Havnegade 4", "8000 Aarhus C", "Denmark"),
    "C-REST-ZUNFT": ("Rheinsprung 16", "4051 Basel", "Switzerland"),
    "C-UNI-OSTSEE": ("Campusallee 1", "24149 Kiel", "Germany"),
    "C-LAW-BRANDT": ("Holstenstraße 88", "24103 Kiel", "Germany"),
    "C-LAW-STEINER": ("Getreidegasse 27", "5020 Salzburg", "Austria"),
    "C-OFFICE-NORDWIND": ("Windparkweg 3", "25813 Husum", "Germany"),
    "C-OFFICE-FJORDSOFT": ("Fjordvej 22", "6000 Kolding", "Denmark"),
    "C-COWORK-WERFT9": ("Werftstraße 9", "24143 Kiel", "Germany"),
    "C-MED-PRAXIS-MARKT": ("Am Markt 5", "24837 Schleswig", "Germany"),
    "C-MUSEUM-WATT": ("Deichstraße 1", "25761 Büsum", "Germany"),
    "C-PRIV-HANSEN": ("Düsternbrooker Weg 14", "24105 Kiel", "Germany"),
    "C-PRIV-MUELLER": ("Rosenstraße 7", "24937 Flensburg", "Germany"),
    "C-PRIV-DEVRIES": ("Lange Voorhout 44", "2514 EG Den Haag", "Netherlands"),
    "C-PRIV-BRUNNER": ("Herrengasse 10", "8010 Graz", "Austria"),
    "C-PRIV-JENSEN": ("Klostergade 31", "8000 Aarhus C", "Denmark"),
    "C-PRIV-KELLER": ("Bahnhofstrasse 52", "6003 Luzern", "Switzerland"),
}

DEMO_USERS: list[tuple[str, str, Role, str | None]] = [
    ("admin", "Ole Andersen", Role.ADMIN, None),
    ("sales", "Svenja Krüger", Role.SALES, None),
    ("engineer", "Malte Brodersen", Role.ENGINEER, None),
    # The engineering lead: the second engineer a regulated design needs (four eyes).
    ("lead", "Ingrid Petersen", Role.ENGINEER, None),
    ("planner", "Jana Lorenzen", Role.PLANNER, None),
    ("operator", "Piotr Nowak", Role.OPERATOR, None),
    ("quality", "Heike Thomsen", Role.QUALITY, None),
    # The quality inspector: the second quality person who verifies and closes an NCR
    # that the quality engineer decided (four eyes).
    ("inspector", "Jonas Feddersen", Role.QUALITY, None),
    ("purchasing", "Birte Jensen", Role.PURCHASING, None),
    ("alpina", "Franz Huber (Hotel Alpina)", Role.CUSTOMER, "C-HOTEL-ALPINA"),
    ("studio-berg", "Lea Berg (Studio Berg)", Role.CUSTOMER, "C-ARCH-BERG"),
]


def demo_orders(seed: int = 2026, count: int = 60) -> list[DemoOrder]:
    """`count` believable orders over every lifecycle state, the same for the same seed."""
    return build_demo_orders(FAMILY_CODES, CUSTOMERS, seed=seed, count=count)


def demo_plant_data() -> PlantData:
    """The demo plant file read into domain objects (for tests and benchmarks)."""
    return read_plant(yaml.safe_load(plant_file_text()))
