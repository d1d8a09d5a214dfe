"""The bureau's events (trade shows, workshops, éductours, webinars, meetings, job dating,
campaigns), who takes part, who is invited and met, appointments, costs, partner surveys, and the
parameters of the returns computation.

Each event has its CRM handle, a `crm.BureauAction`: invitations, attendance and contacts met are
timeline items of the CRM pointing at that action, which is what attribution reads.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.crm.models import ActionKind, BureauAction, Contact
from micedesk.directory.models import Supplier
from micedesk.geo.models import Commune, Partner

EVENT_KINDS = [
    choice
    for choice in ActionKind.choices
    if choice[0] not in (ActionKind.MAILING, ActionKind.PORTAL, ActionKind.OTHER)
]


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class BureauEvent(models.Model):
    action = models.OneToOneField(
        BureauAction, on_delete=models.PROTECT, related_name="event", editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EVENT_KINDS, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    starts_on = models.DateField(_("start"), db_index=True)
    ends_on = models.DateField(_("end"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Venue and city, in words.")
    )
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("commune")
    )
    department_code = models.CharField(_("department"), max_length=3, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    online = models.BooleanField(_("online"), default=False)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    organiser_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_events",
        verbose_name=_("organised by partner"),
        help_text=_("Empty when the bureau organises it."),
    )
    # A campaign's pages on the portal are /campagnes/<slug>/; requests sent from them carry it.
    campaign_slug = models.SlugField(
        _("campaign web address"), max_length=80, unique=True, null=True, blank=True
    )
    campaign_title = models.CharField(_("campaign page title"), max_length=200, blank=True)
    campaign_text = models.TextField(_("campaign page text"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in charge"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("bureau event")
        verbose_name_plural = _("bureau events")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="bureau_event_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> int:
        return self.starts_on.year


class ParticipantRole(models.TextChoices):
    CO_EXHIBITOR = "co_exhibitor", _("Co-exhibitor")
    EXHIBITOR = "exhibitor", _("Exhibitor at the workshop")
    PRESENTER = "presenter", _("Presents at the webinar")
    HOST = "host", _("Hosts the event")
    VISITED = "visited", _("Visited during the éductour")
    GUEST = "guest", _("Guest")


class EventParticipant(models.Model):
    """A partner or a supplier taking part, with its share of the cost."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="participants")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="event_parts"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="event_parts"
    )
    role = models.CharField(_("role"), max_length=16, choices=ParticipantRole.choices)
    cost_share = models.DecimalField(
        _("contribution (€)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # Webinar presentations and éductour visits: their order, time and length.
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    notes = models.CharField(_("notes"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, supplier__isnull=True)
                | Q(partner__isnull=True, supplier__isnull=False),
                name="event_participant_one_party",
            ),
            models.UniqueConstraint(
                fields=["event", "supplier"],
                condition=Q(supplier__isnull=False),
                name="event_participant_supplier_once",
            ),
            models.UniqueConstraint(
                fields=["event", "partner"],
                condition=Q(partner__isnull=False),
                name="event_participant_partner_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.partner or self.supplier)


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")
    DECLINED = "declined", _("Declined")


class EventGuest(models.Model):
    """A client, prospect or journalist invited to or met at the event. Each step is also written
    on the contact's CRM timeline against the event's action."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="guests")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="event_guests")
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    met_on_site = models.BooleanField(_("met on site"), default=False)
    brief = models.TextField(_("their project, in brief"), blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["event", "contact"]
        constraints = [
            models.UniqueConstraint(fields=["event", "contact"], name="event_guest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.contact}"


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    """A meeting between a participant (supplier or partner) and a client at the event."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="appointments")
    participant = models.ForeignKey(
        EventParticipant, on_delete=models.CASCADE, related_name="appointments"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.REQUESTED,
    )
    starts_at = models.DateTimeField(_("time"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["event", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "contact"], name="appointment_once_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.contact}"


class CostCategory(models.TextChoices):
    STAND = "stand", _("Stand rental and fit-out")
    ANIMATION = "animation", _("Animations")
    TRANSPORT = "transport", _("Transport")
    ACCOMMODATION = "accommodation", _("Accommodation")
    CATERING = "catering", _("Catering")
    VENUE = "venue", _("Venue hire")
    AGENCY = "agency", _("Agency fees")
    MEDIA = "media", _("Media")
    PREPARATION = "preparation", _("Preparation time")
    STAFF = "staff", _("Staff time")
    OTHER = "other", _("Other")


class CostLine(models.Model):
    """Budget and actual of one cost of an event. Staff time is hours × hourly rate."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="costs")
    category = models.CharField(_("category"), max_length=16, choices=CostCategory.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("budget (€)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    actual = models.DecimalField(
        _("actual (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    imported = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["event", "category", "pk"]

    def __str__(self) -> str:
        return self.label or self.get_category_display()


class PartnerSurvey(models.Model):
    """The satisfaction survey sent to a participant after the event, answered through a private
    link without logging in."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="surveys")
    participant = models.OneToOneField(
        EventParticipant, on_delete=models.CASCADE, related_name="survey"
    )
    email = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("satisfaction (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    would_return = models.BooleanField(_("would come again"), null=True, blank=True)
    improve = models.TextField(_("what to improve"), blank=True)

    class Meta:
        verbose_name = _("partner survey")
        verbose_name_plural = _("partner surveys")
        ordering = ["event", "pk"]

    def __str__(self) -> str:
        return f"{self.event} · {self.participant}"


class SpendParameter(models.Model):
    """Spend per delegate-day used for the economic impact, with its source and year."""

    event_kind = models.CharField(
        _("kind of event held"),
        max_length=16,
        blank=True,
        help_text=_("A quote request's kind of event; empty for the default."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    spend_per_delegate_day = models.DecimalField(
        _("spend per delegate-day (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(_("source"), max_length=250)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("spend parameter")
        verbose_name_plural = _("spend parameters")
        ordering = ["-year", "event_kind"]
        constraints = [
            models.UniqueConstraint(fields=["event_kind", "year"], name="spend_parameter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.event_kind or '*'} · {self.spend_per_delegate_day} €"


class AttributionRule(models.TextChoices):
    FIRST_TOUCH = "first_touch", _("First touch: the earliest action that met the contact")
    LAST_TOUCH = "last_touch", _("Last touch: the latest action before the request")
    SHARED = "shared", _("Shared: split equally between the actions that met the contact")


class ReturnsSettings(models.Model):
    """The settings of the returns computation: one row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    window_months = models.PositiveSmallIntegerField(
        _("attribution window (months)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    rule = models.CharField(
        _("attribution rule"),
        max_length=16,
        choices=AttributionRule.choices,
        default=AttributionRule.FIRST_TOUCH,
    )
    min_useful_contacts = models.PositiveSmallIntegerField(
        _("fewest useful contacts to conclude"),
        default=3,
        help_text=_("Below this, the ranking says the figures are too small to conclude."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("returns settings")
        verbose_name_plural = _("returns settings")

    def __str__(self) -> str:
        return f"{self.window_months} months · {self.get_rule_display()}"


class CampaignVisit(models.Model):
    """Visits to a campaign's portal pages, counted per day: no address, no cookie, no person."""

    event = models.ForeignKey(BureauEvent, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event", "day"]
        constraints = [
            models.UniqueConstraint(fields=["event", "day"], name="campaign_visit_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.day}: {self.count}"
