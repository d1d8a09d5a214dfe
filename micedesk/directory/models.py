"""Suppliers of the destination: venues with their meeting rooms, agencies, service and activity providers.

A supplier also carries a summary of its rooms (best capacity per layout, union of equipment) and a
normalised search document, kept up to date by `directory.services`, so that search reads one row
per supplier.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from micedesk.directory.vocab import (
    EQUIPMENT,
    LABELS,
    LAYOUTS,
    THEMES,
    Category,
    Kind,
    QualificationLevel,
)
from micedesk.geo.models import Commune


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class SupplierQuerySet(models.QuerySet["Supplier"]):
    def published(self) -> SupplierQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Supplier(models.Model):
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "Identifier in the source system (Apidae, DATAtourisme, a spreadsheet); imports update by it."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="suppliers", verbose_name=_("commune")
    )
    department_code = models.CharField(_("department"), max_length=3, editable=False, db_index=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)

    bedrooms = models.PositiveIntegerField(_("bedrooms"), default=0)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    restaurant_covers = models.PositiveIntegerField(_("restaurant covers"), default=0)
    parking_spaces = models.PositiveIntegerField(_("parking spaces"), default=0)
    station_distance_km = models.DecimalField(
        _("distance to the nearest railway station (km)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    paris_travel_minutes = models.PositiveIntegerField(
        _("travel time from Paris (minutes)"), null=True, blank=True
    )
    day_delegate_price_min = models.DecimalField(
        _("day-delegate price from (€)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    day_delegate_price_max = models.DecimalField(
        _("day-delegate price up to (€)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    label_mask = models.PositiveBigIntegerField(_("labels and certifications"), default=0)
    theme_mask = models.PositiveBigIntegerField(_("themes"), default=0)

    # Written by qualification.services when a level is published, expires or is withdrawn.
    qualification_level = models.PositiveSmallIntegerField(
        _("qualification level"),
        choices=QualificationLevel.choices,
        default=QualificationLevel.NONE,
        editable=False,
        db_index=True,
    )
    qualification_valid_until = models.DateField(
        _("qualified until"), null=True, blank=True, editable=False
    )

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="suppliers", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)

    # Summary of the rooms, maintained by directory.services.supplier_refresh_summary.
    room_count = models.PositiveIntegerField(_("meeting rooms"), default=0, editable=False)
    max_capacity = models.PositiveIntegerField(
        _("largest capacity"), default=0, editable=False, db_index=True
    )
    capacity_theatre = models.PositiveIntegerField(default=0, editable=False)
    capacity_classroom = models.PositiveIntegerField(default=0, editable=False)
    capacity_u_shape = models.PositiveIntegerField(default=0, editable=False)
    capacity_boardroom = models.PositiveIntegerField(default=0, editable=False)
    capacity_banquet = models.PositiveIntegerField(default=0, editable=False)
    capacity_cabaret = models.PositiveIntegerField(default=0, editable=False)
    capacity_cocktail = models.PositiveIntegerField(default=0, editable=False)
    equipment_mask = models.PositiveBigIntegerField(default=0, editable=False)
    search_document = models.TextField(default="", editable=False)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "department_code"]),
            models.Index(fields=["status", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_delegate_price_min__isnull=True)
                | models.Q(day_delegate_price_max__isnull=True)
                | models.Q(day_delegate_price_min__lte=models.F("day_delegate_price_max")),
                name="supplier_price_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:supplier", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def description(self) -> str:
        """The description in the active language, falling back to the other one."""
        if get_language() == "en":
            return self.description_en or self.description_fr
        return self.description_fr or self.description_en

    def capacity(self, layout: str) -> int:
        return getattr(self, f"capacity_{layout}")

    @property
    def capacities(self) -> dict[str, int]:
        return {layout: self.capacity(layout) for layout in LAYOUTS}

    @property
    def labels(self) -> list[str]:
        return LABELS.codes_in(self.label_mask)

    @property
    def themes(self) -> list[str]:
        return THEMES.codes_in(self.theme_mask)

    @property
    def equipment(self) -> list[str]:
        return EQUIPMENT.codes_in(self.equipment_mask)


class MeetingRoom(models.Model):
    """A meeting room, after Apidae `sallesReunion` and DATAtourisme `RoomFeatureSpecification`."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    ceiling_height_m = models.DecimalField(
        _("ceiling height (m)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    natural_light = models.BooleanField(_("natural light"), default=False)
    blackout = models.BooleanField(_("full blackout"), default=False)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    capacity_theatre = models.PositiveIntegerField(_("theatre"), null=True, blank=True)
    capacity_classroom = models.PositiveIntegerField(_("classroom"), null=True, blank=True)
    capacity_u_shape = models.PositiveIntegerField(_("U-shape"), null=True, blank=True)
    capacity_boardroom = models.PositiveIntegerField(_("boardroom"), null=True, blank=True)
    capacity_banquet = models.PositiveIntegerField(_("banquet"), null=True, blank=True)
    capacity_cabaret = models.PositiveIntegerField(_("cabaret"), null=True, blank=True)
    capacity_cocktail = models.PositiveIntegerField(_("cocktail"), null=True, blank=True)
    projector = models.BooleanField(_("projector"), default=False)
    screen = models.BooleanField(_("screen"), default=False)
    sound = models.BooleanField(_("sound system"), default=False)
    videoconference = models.BooleanField(_("videoconference"), default=False)
    wifi = models.BooleanField(_("Wi-Fi"), default=False)
    power_outlets = models.PositiveSmallIntegerField(_("power outlets"), default=0)

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        ordering = ["supplier", "position", "name"]

    def __str__(self) -> str:
        return self.name

    def capacity(self, layout: str) -> int | None:
        return getattr(self, f"capacity_{layout}")

    @property
    def capacities(self) -> dict[str, int]:
        """Capacity per layout, for the layouts this room offers."""
        return {layout: value for layout in LAYOUTS if (value := self.capacity(layout))}

    @property
    def equipment_mask(self) -> int:
        codes = [
            code
            for code in ("projector", "screen", "sound", "videoconference", "wifi")
            if getattr(self, code)
        ]
        if self.natural_light:
            codes.append("natural_light")
        if self.blackout:
            codes.append("blackout")
        if self.step_free_access:
            codes.append("step_free")
        return EQUIPMENT.mask(codes)


def supplier_photo_path(photo: SupplierPhoto, filename: str) -> str:
    return f"suppliers/{photo.supplier_id}/{filename}"


class SupplierPhoto(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to=supplier_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["supplier", "position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class DirectoryVersion(models.Model):
    """One row whose `version` a database trigger sets to a new random value on every write to the
    supplier table: each process rebuilds its search index when the value moves."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("directory version")

    def __str__(self) -> str:
        return str(self.version)
