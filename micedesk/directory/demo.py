"""Demo suppliers for a showcase or a benchmark: realistic, deterministic, placed in real communes.

Every demo supplier carries the external id `demo-<seed>-<n>`, so that demo data can always be told
from real data and removed. Supplier `n` of a seed depends on nothing but the seed and `n` (and the
communes loaded), so a run with more suppliers extends a smaller one instead of reshuffling it.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Container, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from micedesk.core.text import fold
from micedesk.directory.imports import UniqueSlugs
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.services import supplier_apply_derived
from micedesk.directory.vocab import CATEGORY_KIND, LABELS, LAYOUTS, THEMES, Category, Kind
from micedesk.geo.models import Commune

DEMO_PREFIX = "demo-"
BATCH_SIZE = 1000
CITY_POPULATION = 20000

# Square metres per person in each layout: the planners' rules of thumb.
AREA_PER_PERSON: dict[str, float] = {
    "theatre": 1.2,
    "classroom": 2.0,
    "u_shape": 3.0,
    "boardroom": 2.5,
    "banquet": 1.5,
    "cabaret": 2.0,
    "cocktail": 1.0,
}
# A U or a single table cannot grow with the room: people must still see and hear each other.
LAYOUT_CEILING = {"u_shape": 60, "boardroom": 30}
CAPACITY_JITTER = 0.1

LODGING_CATEGORIES = frozenset({Category.HOTEL, Category.UNUSUAL_VENUE})
ROOM_CATEGORIES = frozenset(
    {
        Category.HOTEL,
        Category.CONVENTION_CENTRE,
        Category.SEMINAR_VENUE,
        Category.UNUSUAL_VENUE,
        Category.RESTAURANT,
    }
)

# Seaside communes of Normandy by department: well-known resorts and ports, plus the names with
# "sur-Mer", "-les-Bains" or "-Plage" in a coastal department (see commune_is_coastal).
COASTAL_DEPARTMENTS = frozenset({"14", "50", "76"})
COASTAL_NAME_HINTS = ("sur-mer", "les-bains", "-plage")
COASTAL_NAMES: dict[str, frozenset[str]] = {
    "14": frozenset(
        fold(name)
        for name in (
            "Honfleur|Pennedepie|Villerville|Deauville|Tourgéville|Houlgate|Cabourg|"
            "Ouistreham|Colleville-Montgomery|Asnelles|Port-en-Bessin-Huppain|"
            "Grandcamp-Maisy"
        ).split("|")
    ),
    "50": frozenset(
        fold(name)
        for name in (
            "Cherbourg-en-Cotentin|Barfleur|Gatteville-le-Phare|Réville|"
            "Saint-Vaast-la-Hougue|Quinéville|Sainte-Marie-du-Mont|Fermanville|La Hague|"
            "Flamanville|Siouville-Hague|Barneville-Carteret|Pirou|Agon-Coutainville|Bréhal|"
            "Granville|Jullouville|Carolles|Genêts|Le Mont-Saint-Michel"
        ).split("|")
    ),
    "76": frozenset(
        fold(name)
        for name in (
            "Le Havre|Sainte-Adresse|Le Tréport|Dieppe|Petit-Caux|"
            "Veules-les-Roses|Saint-Valery-en-Caux|Paluel|Saint-Pierre-en-Port|Fécamp|Yport|"
            "Étretat|Le Tilleul|Saint-Jouin-Bruneval"
        ).split("|")
    ),
}
# Villages inland whose name still says "sur-Mer".
INLAND_NAMES = frozenset(
    fold(name)
    for name in (
        "Bény-sur-Mer|Sainte-Croix-sur-Mer|Fontenay-sur-Mer|Ancretteville-sur-Mer|"
        "Écretteville-sur-Mer"
    ).split("|")
)
# What the seaside adds to a commune's pull, as if it had this many more inhabitants: resorts draw
# far more venues than their population says, big ports barely more.
COASTAL_BONUS = 8000

# Paris to the department's main stations by train, in minutes, before the last leg by road.
PARIS_MINUTES = {"27": 65, "76": 95, "14": 120, "61": 135, "50": 165}
PARIS_MINUTES_ELSEWHERE = 150

CATEGORY_WEIGHTS: dict[str, float] = {
    Category.HOTEL: 26,
    Category.SEMINAR_VENUE: 16,
    Category.UNUSUAL_VENUE: 10,
    Category.RESTAURANT: 10,
    Category.CONVENTION_CENTRE: 1.5,
    Category.EVENT_AGENCY: 6,
    Category.DMC: 3,
    Category.CATERER: 5,
    Category.AUDIOVISUAL: 3,
    Category.TRANSPORT: 3,
    Category.HOSTS: 2,
    Category.SECURITY: 1.5,
    Category.DECORATION: 2.5,
    Category.TEAM_BUILDING: 7,
    Category.INCENTIVE: 4.5,
}
# Cities hold the convention centres and most agencies; the countryside the châteaux and domains.
CITY_FACTORS = {
    Category.UNUSUAL_VENUE: 0.4,
    Category.SEMINAR_VENUE: 0.7,
    Category.HOTEL: 1.3,
    Category.EVENT_AGENCY: 2.0,
    Category.DMC: 1.5,
}
COUNTRY_FACTORS = {
    Category.CONVENTION_CENTRE: 0.0,
    Category.UNUSUAL_VENUE: 1.6,
    Category.SEMINAR_VENUE: 1.3,
    Category.EVENT_AGENCY: 0.4,
    Category.DMC: 0.4,
    Category.AUDIOVISUAL: 0.5,
    Category.SECURITY: 0.5,
}

WORDS = tuple(
    "Albâtre|Horizon|Estran|Mascaret|Bocage|Cotentin|Colombage|Silex|Ardoise|Granit|"
    "Écume|Grand Large|Marée|Boréal|Pommeraie|Rivage|Embruns|Équinoxe|Solstice|Boussole|"
    "Sextant|Caravelle|Escale|Presqu'île|Chaumière|Lin|Calva|Bruyère".split("|")
)
OF_COAST = tuple(
    "de la Plage|des Falaises|du Port|de la Marine|des Dunes|du Phare|des Mouettes|"
    "de la Digue|des Galets|de l'Estran|des Embruns|du Large".split("|")
)
OF_CITY = tuple(
    "de la Gare|du Théâtre|de la Cathédrale|des Halles|du Beffroi|de la Place|du Musée|"
    "des Quais|de l'Hôtel de Ville|du Parc|des Arts|du Marché".split("|")
)
OF_COUNTRY = tuple(
    "des Tilleuls|du Moulin|des Vergers|du Bocage|de la Forêt|des Pommiers|du Haras|"
    "de la Vallée|du Lac|des Sources|du Colombier|des Prés|des Chênes|du Pressoir|"
    "des Hêtres|de la Rivière".split("|")
)
STREETS = tuple(
    "rue du Port|rue de la Mer|avenue de la Gare|place du Marché|rue des Écoles|"
    "chemin des Vergers|route de la Forêt|quai de la Marine|rue de l'Église|"
    "allée des Tilleuls|boulevard des Belges|rue du Moulin|impasse des Pommiers|"
    "route du Château".split("|")
)
ROOM_WORDS = tuple(
    "Horizon|Albâtre|Marine|Bocage|Cotentin|Pays d'Auge|Seine|Estuaire|Granit|Lin|"
    "Falaise|Verger|Colombage|Ardoise|Silex|Écume|Boréal|Équinoxe|Solstice|Boussole".split("|")
)
CHATEAU_ROOMS = tuple(
    "Salle des Gardes|Orangerie|Bibliothèque|Grand Salon|Salle des Trophées|Écuries|"
    "Salon de Musique|Chapelle|Salle du Pressoir|Petit Salon".split("|")
)

CATEGORY_NOUNS: dict[str, tuple[str, str]] = {
    Category.HOTEL: ("un hôtel avec salles de réunion", "a hotel with meeting rooms"),
    Category.CONVENTION_CENTRE: ("un centre de congrès", "a convention centre"),
    Category.SEMINAR_VENUE: ("un lieu de séminaire", "a seminar venue"),
    Category.UNUSUAL_VENUE: ("un lieu d'exception", "an exceptional venue"),
    Category.RESTAURANT: (
        "un restaurant avec salons privatisables",
        "a restaurant with private rooms",
    ),
    Category.EVENT_AGENCY: ("une agence événementielle", "an event agency"),
    Category.DMC: ("une agence réceptive (DMC)", "a destination management company (DMC)"),
    Category.CATERER: ("un traiteur", "a caterer"),
    Category.AUDIOVISUAL: (
        "un prestataire audiovisuel et scénique",
        "an audiovisual and stage company",
    ),
    Category.TRANSPORT: ("un transporteur de groupes", "a group transport company"),
    Category.HOSTS: ("une agence d'hôtes et d'hôtesses", "a hosts and hostesses agency"),
    Category.SECURITY: ("une société de sécurité événementielle", "an event security company"),
    Category.DECORATION: ("un décorateur événementiel", "an event decorator"),
    Category.TEAM_BUILDING: ("un prestataire de team-building", "a team-building provider"),
    Category.INCENTIVE: ("un organisateur d'incentives", "an incentive organiser"),
}
CATEGORY_OFFERS: dict[str, tuple[str, str]] = {
    Category.EVENT_AGENCY: (
        "Conception et organisation de séminaires, conventions et soirées d'entreprise.",
        "Designs and runs seminars, conventions and corporate evenings.",
    ),
    Category.DMC: (
        "Programmes clés en main pour groupes : hébergement, transferts, visites et activités.",
        "Turnkey programmes for groups: accommodation, transfers, visits and activities.",
    ),
    Category.CATERER: (
        "Cocktails, buffets et dîners de gala préparés avec des produits locaux.",
        "Cocktails, buffets and gala dinners made with local produce.",
    ),
    Category.AUDIOVISUAL: (
        "Son, lumière, vidéo et captation pour conférences et plénières.",
        "Sound, lighting, video and recording for conferences and plenary sessions.",
    ),
    Category.TRANSPORT: (
        "Autocars et navettes avec chauffeur pour vos transferts de groupes.",
        "Coaches and shuttles with drivers for group transfers.",
    ),
    Category.HOSTS: (
        "Accueil, orientation et vestiaire pour vos congrès et salons.",
        "Welcome desks, guidance and cloakrooms for congresses and trade shows.",
    ),
    Category.SECURITY: (
        "Agents de sécurité, contrôle d'accès et secourisme pour vos événements.",
        "Security staff, access control and first aid for your events.",
    ),
    Category.DECORATION: (
        "Scénographie, mobilier et décoration florale sur mesure.",
        "Bespoke set design, furniture and flower decoration.",
    ),
    Category.TEAM_BUILDING: (
        "Activités de cohésion d'équipe en intérieur et en plein air.",
        "Team-building activities indoors and outdoors.",
    ),
    Category.INCENTIVE: (
        "Séjours et challenges pour motiver et récompenser vos équipes.",
        "Trips and challenges to motivate and reward your teams.",
    ),
}


class DemoError(Exception):
    """The demo cannot be generated (no commune loaded, a bad argument)."""


@dataclass(frozen=True)
class Place:
    """A commune as the generator sees it: where it is and how many suppliers it draws."""

    commune: Commune
    coastal: bool
    city: bool

    @property
    def weight(self) -> float:
        # Suppliers follow people, a little less than proportionally, and the tourists on the coast.
        population = max(self.commune.population or 0, 50)
        return (population + (COASTAL_BONUS if self.coastal else 0)) ** 0.85

    @property
    def setting(self) -> str:
        if self.coastal:
            return "coast"
        return "city" if self.city else "country"


def commune_is_coastal(commune: Commune) -> bool:
    """True for the seaside communes of Normandy: a short list of names and a few name hints."""
    department = commune.department_id
    if department not in COASTAL_DEPARTMENTS:
        return False
    name = fold(commune.name)
    if name in INLAND_NAMES:
        return False
    if any(hint in name.replace(" ", "-") for hint in COASTAL_NAME_HINTS):
        return True
    return name in COASTAL_NAMES[department]


def demo_places() -> list[Place]:
    communes = Commune.objects.select_related("department").order_by("insee_code")
    return [
        Place(
            commune=commune,
            coastal=commune_is_coastal(commune),
            city=(commune.population or 0) >= CITY_POPULATION,
        )
        for commune in communes
    ]


def of_commune(name: str) -> str:
    """'de Caen', 'du Havre', 'des Andelys', "d'Évreux": French elision and contraction."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if fold(name[:1]) in "aeiouyh":
        return f"d'{name}"
    return f"de {name}"


def category_cum_weights(place: Place) -> list[float]:
    factors = CITY_FACTORS if place.city else {} if place.coastal else COUNTRY_FACTORS
    weights = [
        weight * factors.get(category, 1.0)
        for category, weight in CATEGORY_WEIGHTS.items()
        if place.city or category != Category.CONVENTION_CENTRE
    ]
    return list(accumulate(weights))


@dataclass
class Draft:
    """One demo supplier being composed: its random source, place, category and size."""

    rng: random.Random
    place: Place
    category: str
    size: str  # small, medium, large

    @property
    def commune_name(self) -> str:
        return self.place.commune.name

    def of_place(self) -> str:
        return self.rng.choice(
            {"coast": OF_COAST, "city": OF_CITY, "country": OF_COUNTRY}[self.place.setting]
        )

    def word(self) -> str:
        return self.rng.choice(WORDS)


def draft_size(rng: random.Random, place: Place, category: str) -> str:
    if category == Category.CONVENTION_CENTRE:
        return "large"
    weights = (30, 40, 30) if place.city else (50, 35, 15)
    return rng.choices(("small", "medium", "large"), weights=weights)[0]


def draft_new(
    *, seed: int, number: int, places: Sequence[Place], cum_weights: list[float]
) -> Draft:
    rng = random.Random(f"micedesk-demo-{seed}-{number}")
    place = rng.choices(places, cum_weights=cum_weights)[0]
    categories = [
        category
        for category in CATEGORY_WEIGHTS
        if place.city or category != Category.CONVENTION_CENTRE
    ]
    category = rng.choices(categories, cum_weights=category_cum_weights(place))[0]
    return Draft(rng=rng, place=place, category=category, size=draft_size(rng, place, category))


# Names ---------------------------------------------------------------------------------------


def hotel_name(draft: Draft) -> str:
    rng = draft.rng
    if draft.size == "large" and rng.random() < 0.3:
        return f"Grand Hôtel {of_commune(draft.commune_name)}"
    pattern = rng.choice(
        ("Hôtel {of}", "Hôtel {of}", "Hôtel {word}", "Hostellerie {of}", "Relais {of}")
    )
    return pattern.format(of=draft.of_place(), word=draft.word())


def seminar_venue_name(draft: Draft) -> str:
    pattern = draft.rng.choice(
        (
            "Domaine {of}",
            "Domaine {commune}",
            "Ferme {of}",
            "Le Clos {of}",
            "Espace {word}",
            "Maison {word}",
            "Les Jardins {commune}",
            "La Grange {of}",
            "Centre de séminaires {commune}",
        )
    )
    return pattern.format(
        of=draft.of_place(), word=draft.word(), commune=of_commune(draft.commune_name)
    )


UNUSUAL_KINDS = {
    "coast": ("Château", "Manoir", "Phare", "Fort", "Villa"),
    "city": ("Château", "Manoir", "Abbaye", "Docks", "Villa"),
    "country": ("Château", "Château", "Manoir", "Manoir", "Abbaye", "Haras", "Cidrerie", "Moulin"),
}
UNUSUAL_LODGING = frozenset({"Château", "Manoir", "Villa"})


def unusual_kind(draft: Draft) -> str:
    """The sort of unusual venue; drawn once and kept, since it decides bedrooms and themes."""
    return draft.rng.choice(UNUSUAL_KINDS[draft.place.setting])


def unusual_venue_name(draft: Draft, sort: str) -> str:
    if sort == "Docks":
        return f"Les Docks {of_commune(draft.commune_name)}"
    if draft.rng.random() < 0.5:
        return f"{sort} {of_commune(draft.commune_name)}"
    return f"{sort} {draft.of_place()}"


def restaurant_name(draft: Draft) -> str:
    pattern = draft.rng.choice(
        (
            "Restaurant {word}",
            "La Table {of}",
            "Auberge {of}",
            "Brasserie {word}",
            "Le Bistrot {of}",
            "Les Terrasses {of}",
        )
    )
    return pattern.format(of=draft.of_place(), word=draft.word())


def convention_centre_name(draft: Draft) -> str:
    pattern = draft.rng.choice(
        (
            "Centre de congrès {commune}",
            "Palais des congrès {commune}",
            "Parc des expositions {commune}",
            "Centre des congrès et des expositions {commune}",
        )
    )
    return pattern.format(commune=of_commune(draft.commune_name))


PROVIDER_PATTERNS: dict[str, tuple[str, ...]] = {
    Category.EVENT_AGENCY: (
        "{word} Événements",
        "Agence {word}",
        "{word} Events",
        "{word} Séminaires",
    ),
    Category.DMC: ("{word} DMC", "{word} Réceptif", "Destination {word}"),
    Category.CATERER: ("Traiteur {word}", "{word} Réceptions", "Les Saveurs {of}"),
    Category.AUDIOVISUAL: ("{word} Audiovisuel", "{word} Scène & Lumière", "Studio {word}"),
    Category.TRANSPORT: ("Cars {word}", "{word} Navettes", "Transports {word}"),
    Category.HOSTS: ("{word} Accueil", "Hôtes & Hôtesses {word}"),
    Category.SECURITY: ("{word} Sécurité", "{word} Protection Événements"),
    Category.DECORATION: ("{word} Décoration", "Atelier {word}", "Fleurs {of}"),
    Category.TEAM_BUILDING: ("{word} Aventure", "Défis {of}", "Escape {word}", "Team {word}"),
    Category.INCENTIVE: ("{word} Incentive", "Rallye {word}", "Échappées {of}"),
}
COAST_ACTIVITIES = ("Char à voile {commune}", "Voile {of}", "Kayak {of}")


def provider_name(draft: Draft) -> str:
    patterns = PROVIDER_PATTERNS[draft.category]
    if draft.category == Category.TEAM_BUILDING and draft.place.coastal:
        patterns = patterns + COAST_ACTIVITIES
    return draft.rng.choice(patterns).format(
        word=draft.word(), of=draft.of_place(), commune=of_commune(draft.commune_name)
    )


# Rooms ---------------------------------------------------------------------------------------

ROOM_COUNTS = {
    Category.HOTEL: {"small": (2, 3), "medium": (3, 6), "large": (6, 12)},
    Category.SEMINAR_VENUE: {"small": (2, 4), "medium": (4, 7), "large": (7, 12)},
    Category.UNUSUAL_VENUE: {"small": (1, 3), "medium": (3, 5), "large": (4, 8)},
    Category.RESTAURANT: {"small": (1, 2), "medium": (2, 3), "large": (3, 4)},
    Category.CONVENTION_CENTRE: {"large": (6, 16)},
}
# The area of a venue's main room; the others are smaller.
MAIN_ROOM_AREA = {"small": (40, 120), "medium": (80, 300), "large": (200, 700)}


def room_capacities(rng: random.Random, area: float, layouts: Sequence[str]) -> dict[str, int]:
    """Capacity per offered layout from the area, within CAPACITY_JITTER of the rule of thumb."""
    capacities = {}
    for layout in layouts:
        jitter = rng.uniform(1 - CAPACITY_JITTER, 1 + CAPACITY_JITTER)
        value = max(2, int(area / AREA_PER_PERSON[layout] * jitter))
        capacities[layout] = min(value, LAYOUT_CEILING.get(layout, value))
    return capacities


def room_layouts(rng: random.Random, area: float, category: str) -> list[str]:
    """Not every room offers every layout: small rooms seat a table, big ones a plenary or a dinner."""
    chances = {
        "theatre": 0.4 if category == Category.RESTAURANT else 0.95,
        "classroom": 0.2 if category == Category.RESTAURANT else 0.75,
        "u_shape": 0.75 if area <= 200 else 0.0,
        "boardroom": 0.7 if area <= 90 else 0.0,
        "banquet": 1.0 if category == Category.RESTAURANT else (0.6 if area >= 40 else 0.0),
        "cabaret": 0.4 if area >= 60 else 0.0,
        "cocktail": 0.7 if area >= 40 else 0.0,
    }
    layouts = [layout for layout in LAYOUTS if rng.random() < chances[layout]]
    return layouts or ["theatre"]


def room_equipment(rng: random.Random, capacity: int, *, complete: bool) -> dict[str, object]:
    natural_light = rng.random() < (0.5 if complete else 0.8)
    projector = complete or rng.random() < 0.85
    return {
        "projector": projector,
        "screen": complete or projector or rng.random() < 0.1,
        "sound": complete or rng.random() < (0.8 if capacity >= 80 else 0.25),
        "videoconference": complete or rng.random() < 0.25,
        "wifi": complete or rng.random() < 0.95,
        "natural_light": natural_light,
        "blackout": complete or not natural_light or rng.random() < 0.5,
        "step_free_access": complete or rng.random() < 0.75,
        # About one outlet per eight seats: laptops at a classroom, a stage at a plenary.
        "power_outlets": max(2, round(capacity / 8 * rng.uniform(0.8, 1.2))),
    }


def room_height(rng: random.Random, area: float) -> Decimal:
    if area < 80:
        low, high = 2.5, 3.2
    elif area < 300:
        low, high = 3.0, 4.5
    else:
        low, high = (3.5, 6.5) if area < 1000 else (6.0, 12.0)
    return Decimal(f"{rng.uniform(low, high):.2f}")


def room_build(
    rng: random.Random, *, name: str, area: float, category: str, layouts: Sequence[str] = ()
) -> MeetingRoom:
    area = float(round(area))
    capacities = room_capacities(rng, area, layouts or room_layouts(rng, area, category))
    equipment = room_equipment(
        rng, max(capacities.values()), complete=category == Category.CONVENTION_CENTRE
    )
    return MeetingRoom(
        name=name,
        area_m2=Decimal(f"{area:.1f}"),
        ceiling_height_m=room_height(rng, area),
        **{f"capacity_{layout}": value for layout, value in capacities.items()},
        **equipment,
    )


def room_names(draft: Draft, count: int, sort: str) -> list[str]:
    rng = draft.rng
    if sort in UNUSUAL_LODGING and sort != "Villa":
        return rng.sample(CHATEAU_ROOMS, min(count, len(CHATEAU_ROOMS)))
    prefix = "Salon" if draft.category in (Category.HOTEL, Category.RESTAURANT) else "Salle"
    return [f"{prefix} {word}" for word in rng.sample(ROOM_WORDS, count)]


def venue_rooms(draft: Draft, sort: str) -> list[MeetingRoom]:
    rng = draft.rng
    low, high = ROOM_COUNTS[draft.category][draft.size]
    names = room_names(draft, rng.randint(low, high), sort)
    main = rng.uniform(*MAIN_ROOM_AREA[draft.size])
    if draft.category == Category.RESTAURANT:
        main = min(main, 300)
    rooms = []
    for index, name in enumerate(names):
        area = main if index == 0 else rng.uniform(20, max(25, main * 0.6))
        rooms.append(room_build(rng, name=name, area=area, category=draft.category))
    return rooms


def convention_centre_rooms(draft: Draft) -> list[MeetingRoom]:
    """An auditorium, an exhibition hall, then committee rooms of every size."""
    rng = draft.rng
    seats = rng.randint(400, 1500)
    rooms = [
        room_build(
            rng,
            name="Auditorium",
            area=seats * AREA_PER_PERSON["theatre"],
            category=draft.category,
            layouts=["theatre"],
        ),
        room_build(
            rng,
            name="Hall d'exposition",
            area=rng.uniform(1000, 4000),
            category=draft.category,
            layouts=["banquet", "cocktail"],
        ),
    ]
    low, high = ROOM_COUNTS[Category.CONVENTION_CENTRE]["large"]
    for number in range(1, rng.randint(low, high) - 1):
        area = rng.uniform(30, 600)
        rooms.append(room_build(rng, name=f"Salle {number}", area=area, category=draft.category))
    return rooms


# Supplier facts -------------------------------------------------------------------------------


def lodging(draft: Draft, sort: str) -> dict[str, int]:
    """Bedrooms and beds: hotels, and the châteaux and manors that take guests."""
    rng = draft.rng
    if draft.category == Category.HOTEL:
        low, high = {"small": (12, 40), "medium": (40, 90), "large": (90, 250)}[draft.size]
    elif draft.category == Category.UNUSUAL_VENUE and sort in UNUSUAL_LODGING:
        low, high = (6, 40)
    else:
        return {"bedrooms": 0, "beds": 0}
    bedrooms = rng.randint(low, high)
    return {"bedrooms": bedrooms, "beds": round(bedrooms * rng.uniform(1.5, 2.0))}


def themes(draft: Draft, sort: str) -> list[str]:
    place, rng, category = draft.place, draft.rng, draft.category
    codes = []
    if place.coastal and (category in ROOM_CATEGORIES or rng.random() < 0.4):
        codes.append("bord_de_mer")
    if place.city and category in ROOM_CATEGORIES:
        codes.append("urbain")
    if not place.city and not place.coastal and (category in ROOM_CATEGORIES or rng.random() < 0.3):
        codes.append("au_vert")
    codes += {
        "Château": ["chateau", "patrimoine"],
        "Manoir": ["chateau", "patrimoine"],
        "Abbaye": ["patrimoine", "insolite"],
        "Phare": ["insolite"],
        "Fort": ["insolite", "patrimoine"],
        "Docks": ["insolite"],
        "Haras": ["insolite"],
        "Cidrerie": ["insolite", "gastronomie"],
        "Moulin": ["insolite"],
        "Villa": ["patrimoine"],
    }.get(sort, [])
    if category == Category.RESTAURANT or (category == Category.CATERER and rng.random() < 0.5):
        codes.append("gastronomie")
    if category == Category.HOTEL and rng.random() < (0.3 if place.coastal else 0.1):
        codes.append("bien_etre")
    if category in ROOM_CATEGORIES and not place.city and rng.random() < 0.05:
        codes.append("golf")
    if place.coastal and place.commune.department_id in ("14", "50") and rng.random() < 0.3:
        codes.append("memoire")
    return list(dict.fromkeys(codes))


LABEL_CHANCES = {
    "qualite_tourisme": 0.12,
    "clef_verte": 0.06,
    "tourisme_handicap": 0.05,
    "accueil_velo": 0.05,
    "engage_rse": 0.03,
    "iso_20121": 0.02,
    "green_globe": 0.01,
    "ecolabel_eu": 0.01,
}


def labels(draft: Draft) -> list[str]:
    """Labels are sparse, as they are: a few percent of suppliers hold each one."""
    return [code for code, chance in LABEL_CHANCES.items() if draft.rng.random() < chance]


def price_range(draft: Draft, sort: str) -> tuple[Decimal | None, Decimal | None]:
    if draft.category not in ROOM_CATEGORIES:
        return None, None
    low = {"small": 35, "medium": 45, "large": 55}[draft.size] + draft.rng.randint(0, 30)
    if sort in UNUSUAL_LODGING or draft.category == Category.CONVENTION_CENTRE:
        low += 20
    high = low + draft.rng.randint(10, 60)
    return Decimal(low), Decimal(high)


def access(draft: Draft) -> tuple[Decimal, int]:
    """Distance to the nearest station and travel time from Paris, plausible for the place."""
    rng, population = draft.rng, draft.place.commune.population or 0
    if population >= CITY_POPULATION:
        distance = rng.uniform(0.3, 3)
    elif population >= 5000:
        distance = rng.uniform(0.5, 6)
    else:
        distance = rng.uniform(2, 25)
    base = PARIS_MINUTES.get(draft.place.commune.department_id, PARIS_MINUTES_ELSEWHERE)
    minutes = base + round(distance * 1.5) + rng.randint(0, 25)
    return Decimal(f"{distance:.1f}"), minutes


def contact(draft: Draft, name: str, number: int) -> dict[str, str]:
    """Contact details that reach nobody: .example domains and numbers kept for fiction by ARCEP."""
    rng = draft.rng
    handle = f"{fold(name).replace(' ', '-')[:40].strip('-')}-{number}"
    handle = "".join(char for char in handle if char.isalnum() or char == "-")
    commune = draft.place.commune
    return {
        "email": f"contact@{handle}.example",
        "website": f"https://www.{handle}.example/",
        "phone": f"02 61 91 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        "postal_code": commune.postal_codes[0] if commune.postal_codes else "",
    }


def coordinates(draft: Draft) -> tuple[float | None, float | None]:
    """Near the town hall, spread over about a kilometre so that map markers do not overlap."""
    commune = draft.place.commune
    if commune.latitude is None or commune.longitude is None:
        return None, None
    return (
        round(commune.latitude + draft.rng.uniform(-0.008, 0.008), 6),
        round(commune.longitude + draft.rng.uniform(-0.012, 0.012), 6),
    )


# Descriptions ----------------------------------------------------------------------------------

SETTING_PHRASES = {
    "coast": ("en bord de mer", "by the sea"),
    "city": ("en centre-ville", "in the city centre"),
    "country": ("au calme de la campagne", "in the quiet of the countryside"),
}


def hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d}"


def descriptions(supplier: Supplier, rooms: list[MeetingRoom], setting: str) -> tuple[str, str]:
    """A French and an English description composed from the supplier's facts."""
    noun_fr, noun_en = CATEGORY_NOUNS[supplier.category]
    where_fr, where_en = SETTING_PHRASES[setting]
    commune = supplier.commune
    department = commune.department.name
    french = [f"{supplier.name} est {noun_fr} à {commune.name} ({department}), {where_fr}."]
    english = [f"{supplier.name} is {noun_en} in {commune.name} ({department}), {where_en}."]
    if rooms:
        best = max(max(room.capacities.values(), default=0) for room in rooms)
        count = len(rooms)
        french.append(
            f"{count} salle{'s' if count > 1 else ''} de réunion, jusqu'à {best} personnes."
        )
        english.append(f"{count} meeting room{'s' if count > 1 else ''}, up to {best} people.")
    if supplier.bedrooms:
        french.append(f"{supplier.bedrooms} chambres sur place.")
        english.append(f"{supplier.bedrooms} bedrooms on site.")
    if supplier.category in CATEGORY_OFFERS:
        offer_fr, offer_en = CATEGORY_OFFERS[supplier.category]
        french.append(offer_fr)
        english.append(offer_en)
    distance = supplier.station_distance_km
    french.append(
        f"Gare à {str(distance).replace('.', ',')} km, Paris à {hours(supplier.paris_travel_minutes)}."
    )
    english.append(
        f"Railway station {distance} km away, {hours(supplier.paris_travel_minutes)} from Paris."
    )
    return " ".join(french), " ".join(english)


# Assembly --------------------------------------------------------------------------------------


def supplier_name(draft: Draft, sort: str) -> str:
    if draft.category == Category.HOTEL:
        return hotel_name(draft)
    if draft.category == Category.SEMINAR_VENUE:
        return seminar_venue_name(draft)
    if draft.category == Category.UNUSUAL_VENUE:
        return unusual_venue_name(draft, sort)
    if draft.category == Category.RESTAURANT:
        return restaurant_name(draft)
    if draft.category == Category.CONVENTION_CENTRE:
        return convention_centre_name(draft)
    return provider_name(draft)


def supplier_rooms(draft: Draft, sort: str) -> list[MeetingRoom]:
    if draft.category == Category.CONVENTION_CENTRE:
        return convention_centre_rooms(draft)
    if draft.category in ROOM_CATEGORIES:
        return venue_rooms(draft, sort)
    return []


def demo_supplier(draft: Draft, *, seed: int, number: int) -> tuple[Supplier, list[MeetingRoom]]:
    """One demo supplier and its rooms, in memory; derived fields are not computed yet."""
    rng = draft.rng
    sort = unusual_kind(draft) if draft.category == Category.UNUSUAL_VENUE else ""
    name = supplier_name(draft, sort)
    rooms = supplier_rooms(draft, sort)
    for position, room in enumerate(rooms):
        room.position = position
    price_min, price_max = price_range(draft, sort)
    distance, minutes = access(draft)
    latitude, longitude = coordinates(draft)
    is_venue = CATEGORY_KIND[draft.category] == Kind.VENUE
    supplier = Supplier(
        external_id=f"{DEMO_PREFIX}{seed}-{number}",
        name=name,
        category=draft.category,
        kind=CATEGORY_KIND[draft.category],
        status=Status.DRAFT if rng.random() < 0.04 else Status.PUBLISHED,
        commune=draft.place.commune,
        latitude=latitude,
        longitude=longitude,
        restaurant_covers=rng.randint(40, 250) if draft.category == Category.RESTAURANT else 0,
        parking_spaces=rng.randint(10, 300) if is_venue and rng.random() < 0.8 else 0,
        station_distance_km=distance,
        paris_travel_minutes=minutes,
        day_delegate_price_min=price_min,
        day_delegate_price_max=price_max,
        label_mask=LABELS.mask(labels(draft)),
        theme_mask=THEMES.mask(themes(draft, sort)),
        **lodging(draft, sort),
        **contact(draft, name, number),
    )
    if draft.category in (Category.HOTEL, Category.UNUSUAL_VENUE) and rng.random() < 0.5:
        supplier.restaurant_covers = rng.randint(30, 200)
    supplier.description_fr, supplier.description_en = descriptions(
        supplier, rooms, draft.place.setting
    )
    return supplier, rooms


# What a re-run rewrites; the dates a supplier was created and first published stay.
SUPPLIER_UPDATE_FIELDS = [
    field.name
    for field in Supplier._meta.concrete_fields
    if field.name not in ("id", "external_id", "created_at", "published_at")
]


def demo_suppliers_delete() -> int:
    """Delete every demo supplier, of every seed; real suppliers are never touched."""
    demo = Supplier.objects.filter(external_id__startswith=DEMO_PREFIX)
    MeetingRoom.objects.filter(supplier__in=demo).delete()
    return demo.delete()[1].get(Supplier._meta.label, 0)


def demo_batch_save(
    batch: list[tuple[Supplier, list[MeetingRoom]]], *, existing: Container[str]
) -> None:
    """Upsert a batch by external id, then replace the rooms of the suppliers that were there."""
    suppliers = [supplier for supplier, _rooms in batch]
    with transaction.atomic():
        Supplier.objects.bulk_create(
            suppliers,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=SUPPLIER_UPDATE_FIELDS,
        )
        updated = [supplier.pk for supplier in suppliers if supplier.external_id in existing]
        if updated:
            MeetingRoom.objects.filter(supplier_id__in=updated).delete()
        rooms = []
        for supplier, supplier_rooms_ in batch:
            for room in supplier_rooms_:
                room.supplier = supplier
                rooms.append(room)
        MeetingRoom.objects.bulk_create(rooms)


def demo_suppliers_generate(
    *, count: int, seed: int, replace: bool = False, progress: bool = False
) -> int:
    """Create or update `count` demo suppliers of `seed`; returns how many were written."""
    if count < 0:
        raise DemoError(_("The number of suppliers cannot be negative."))
    places = demo_places()
    if not places:
        raise DemoError(_("No commune is loaded: run load_reference_data first."))
    if replace:
        demo_suppliers_delete()
    cum_weights = list(accumulate(place.weight for place in places))
    prefix = f"{DEMO_PREFIX}{seed}-"
    known = dict(
        Supplier.objects.filter(external_id__startswith=prefix).values_list("external_id", "slug")
    )
    slugs = UniqueSlugs()
    with tqdm(total=count, file=sys.stderr, disable=not progress, unit=" suppliers") as bar:
        for start in range(1, count + 1, BATCH_SIZE):
            batch = []
            for number in range(start, min(start + BATCH_SIZE, count + 1)):
                draft = draft_new(seed=seed, number=number, places=places, cum_weights=cum_weights)
                supplier, rooms = demo_supplier(draft, seed=seed, number=number)
                supplier.slug = known.get(supplier.external_id) or slugs.claim(
                    name=supplier.name, commune_name=supplier.commune.name
                )
                supplier_apply_derived(supplier, rooms=rooms)
                batch.append((supplier, rooms))
            demo_batch_save(batch, existing=known)
            bar.update(len(batch))
    return count
