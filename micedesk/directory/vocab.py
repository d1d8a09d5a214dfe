"""The directory's fixed vocabularies: kinds of supplier, layouts, equipment, labels and themes.

Layouts and equipment follow the public tourism referentials (Apidae `SalleDisposition`,
DATAtourisme `RoomLayout`), so that imports map field to field. Equipment, labels and themes are
stored on a supplier as bit masks: one integer column each, filtered and counted in one scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    VENUE = "venue", _("Venue")
    AGENCY = "agency", _("Agency")
    SERVICE = "service", _("Service provider")
    ACTIVITY = "activity", _("Activity provider")


class Category(models.TextChoices):
    HOTEL = "hotel", _("Hotel with meeting rooms")
    CONVENTION_CENTRE = "convention_centre", _("Convention centre")
    SEMINAR_VENUE = "seminar_venue", _("Seminar venue")
    UNUSUAL_VENUE = "unusual_venue", _("Château or unusual venue")
    RESTAURANT = "restaurant", _("Restaurant with private rooms")
    EVENT_AGENCY = "event_agency", _("Event agency")
    DMC = "dmc", _("Destination management company (DMC)")
    CATERER = "caterer", _("Caterer")
    AUDIOVISUAL = "audiovisual", _("Audiovisual and stage technicians")
    TRANSPORT = "transport", _("Transport")
    HOSTS = "hosts", _("Hosts and hostesses")
    SECURITY = "security", _("Security")
    DECORATION = "decoration", _("Decoration")
    TEAM_BUILDING = "team_building", _("Team-building")
    INCENTIVE = "incentive", _("Incentive")


CATEGORY_KIND: dict[str, str] = {
    Category.HOTEL: Kind.VENUE,
    Category.CONVENTION_CENTRE: Kind.VENUE,
    Category.SEMINAR_VENUE: Kind.VENUE,
    Category.UNUSUAL_VENUE: Kind.VENUE,
    Category.RESTAURANT: Kind.VENUE,
    Category.EVENT_AGENCY: Kind.AGENCY,
    Category.DMC: Kind.AGENCY,
    Category.CATERER: Kind.SERVICE,
    Category.AUDIOVISUAL: Kind.SERVICE,
    Category.TRANSPORT: Kind.SERVICE,
    Category.HOSTS: Kind.SERVICE,
    Category.SECURITY: Kind.SERVICE,
    Category.DECORATION: Kind.SERVICE,
    Category.TEAM_BUILDING: Kind.ACTIVITY,
    Category.INCENTIVE: Kind.ACTIVITY,
}


class QualificationLevel(models.IntegerChoices):
    """The published levels of the qualification grids, ordered: a search for a level finds that
    level or better. The grids of `qualification` say what each level takes for each kind."""

    NONE = 0, _("Not qualified")
    REFERENCED = 1, _("Referenced")
    QUALIFIED = 2, _("Qualified")
    RECOMMENDED = 3, _("Recommended")


QUALIFICATION_LEVEL_CODES: dict[int, str] = {
    QualificationLevel.NONE: "none",
    QualificationLevel.REFERENCED: "referenced",
    QualificationLevel.QUALIFIED: "qualified",
    QualificationLevel.RECOMMENDED: "recommended",
}


class Layout(models.TextChoices):
    """Room layouts; the API codes. `apidae_id` maps to Apidae's SalleDisposition."""

    THEATRE = "theatre", pgettext_lazy("layout", "Theatre")
    CLASSROOM = "classroom", pgettext_lazy("layout", "Classroom")
    U_SHAPE = "u_shape", pgettext_lazy("layout", "U-shape")
    BOARDROOM = "boardroom", pgettext_lazy("layout", "Boardroom")
    BANQUET = "banquet", pgettext_lazy("layout", "Banquet")
    CABARET = "cabaret", pgettext_lazy("layout", "Cabaret")
    COCKTAIL = "cocktail", pgettext_lazy("layout", "Cocktail")


LAYOUT_APIDAE_ID: dict[str, int | None] = {
    Layout.THEATRE: 1307,
    Layout.CLASSROOM: 1309,
    Layout.U_SHAPE: 1305,
    Layout.BOARDROOM: 1306,
    Layout.BANQUET: 1313,
    Layout.CABARET: None,
    Layout.COCKTAIL: 1314,
}
LAYOUTS: list[str] = [code for code, _label in Layout.choices]


@dataclass(frozen=True)
class Flag:
    code: str
    bit: int
    label: str


class FlagSet:
    """A fixed vocabulary stored as a bit mask. Bits are append-only: never renumber one."""

    def __init__(self, *flags: tuple[str, object]) -> None:
        self.flags = [Flag(code, 1 << index, label) for index, (code, label) in enumerate(flags)]
        self.by_code = {flag.code: flag for flag in self.flags}

    def __iter__(self):
        return iter(self.flags)

    @property
    def choices(self) -> list[tuple[str, object]]:
        return [(flag.code, flag.label) for flag in self.flags]

    @property
    def codes(self) -> list[str]:
        return [flag.code for flag in self.flags]

    def mask(self, codes: Iterable[str]) -> int:
        """The mask of `codes`; an unknown code raises KeyError naming it."""
        value = 0
        for code in codes:
            value |= self.by_code[code].bit
        return value

    def codes_in(self, mask: int) -> list[str]:
        return [flag.code for flag in self.flags if mask & flag.bit]

    def labels_in(self, mask: int) -> list[object]:
        return [flag.label for flag in self.flags if mask & flag.bit]


EQUIPMENT = FlagSet(
    ("projector", _("Projector")),
    ("screen", _("Screen")),
    ("sound", _("Sound system")),
    ("videoconference", _("Videoconference")),
    ("wifi", _("Wi-Fi")),
    ("natural_light", _("Natural light")),
    ("blackout", _("Full blackout")),
    ("step_free", _("Step-free access")),
)

LABELS = FlagSet(
    ("iso_20121", _("ISO 20121")),
    ("clef_verte", _("Clef Verte")),
    ("green_globe", _("Green Globe")),
    ("qualite_tourisme", _("Qualité Tourisme")),
    ("tourisme_handicap", _("Tourisme & Handicap")),
    ("ecolabel_eu", _("EU Ecolabel")),
    ("engage_rse", _("Engagé RSE (AFNOR)")),
    ("accueil_velo", _("Accueil Vélo")),
)

THEMES = FlagSet(
    ("au_vert", _("Green countryside")),
    ("bord_de_mer", _("Seaside")),
    ("chateau", _("Château")),
    ("insolite", _("Unusual")),
    ("urbain", _("City centre")),
    ("patrimoine", _("Heritage")),
    ("golf", _("Golf")),
    ("gastronomie", _("Gastronomy")),
    ("bien_etre", _("Wellness")),
    ("memoire", _("D-Day and remembrance")),
)
