"""Quote requests from event planners, the matching of suppliers, the dispatches that carry a request
to each recipient exactly once, their answers and the request's outcome."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import Layout
from micedesk.geo.models import Commune, Department, Partner


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal form")
    API = "api", _("API (partner web site)")
    STAFF = "staff", _("Entered by staff (phone, e-mail)")


class EventKind(models.TextChoices):
    SEMINAIRE = "seminaire", _("Seminar")
    CONGRES = "congres", _("Congress")
    CONVENTION = "convention", _("Convention")
    INCENTIVE = "incentive", _("Incentive")
    SOIREE = "soiree", _("Gala evening")
    JOURNEE_ETUDE = "journee_etude", _("Study day")
    FORMATION = "formation", _("Training")
    SALON = "salon", _("Trade show")
    AUTRE = "autre", _("Other")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    AGENCY = "agency", _("Event agency")
    ASSOCIATION = "association", _("Association")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUARANTINED = "quarantined", _("Suspected spam")
    DUPLICATE = "duplicate", _("Duplicate")
    REVIEW = "review", _("Awaiting staff review")
    ROUTED = "routed", _("Routed")
    WON = "won", _("Won")
    LOST = "lost", _("Lost or cancelled")
    REJECTED = "rejected", _("Rejected as spam")


class QuoteRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    via_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_requests",
        verbose_name=_("received through partner"),
    )
    # Who sent it, for the rate limits: the client's address, or "apikey:<id>" for the API.
    client_key = models.CharField(_("client"), max_length=64, blank=True, db_index=True)

    # Who
    contact_name = models.CharField(_("name"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_kind = models.CharField(
        _("kind of organisation"),
        max_length=16,
        choices=OrganisationKind.choices,
        default=OrganisationKind.COMPANY,
    )
    sector = models.CharField(_("sector"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), db_index=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    consent_share = models.BooleanField(
        _("agrees to share their details with the suppliers"), default=False
    )
    consent_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The event
    event_kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    alternative_dates = models.CharField(_("alternative dates"), max_length=200, blank=True)
    flexible_dates = models.BooleanField(_("flexible dates"), default=False)
    participants = models.PositiveIntegerField(
        _("participants"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    days = models.PositiveSmallIntegerField(
        _("days"), default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    # What it needs
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices, blank=True)
    sessions = models.JSONField(
        _("sessions"), default=list, blank=True, help_text=_("[{layout, attendance}]")
    )
    sub_rooms = models.PositiveSmallIntegerField(_("sub-rooms"), default=0)
    bedrooms = models.PositiveIntegerField(_("bedrooms per night"), default=0)
    catering = models.BooleanField(_("catering"), default=False)
    team_building = models.BooleanField(_("team-building activities"), default=False)
    services = models.JSONField(_("services"), default=list, blank=True)
    step_free_access = models.BooleanField(_("step-free access needed"), default=False)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)

    # Where
    departments = models.JSONField(_("departments"), default=list, blank=True)
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("commune")
    )
    radius_km = models.PositiveSmallIntegerField(_("radius (km)"), null=True, blank=True)
    near_station = models.BooleanField(_("near a railway station"), default=False)
    theme_mask = models.PositiveBigIntegerField(_("themes"), default=0)

    budget_min = models.DecimalField(
        _("budget from (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("budget up to (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    message = models.TextField(_("message"), blank=True)
    heard_from = models.CharField(_("how they heard of us"), max_length=150, blank=True)
    # The campaign page of the portal the planner came from (its web address), if any.
    campaign = models.CharField(_("campaign"), max_length=80, blank=True, db_index=True)
    requested_suppliers = models.ManyToManyField(
        Supplier, blank=True, related_name="requested_in", verbose_name=_("suppliers asked by name")
    )

    # Qualification
    spam_score = models.PositiveSmallIntegerField(default=0, editable=False)
    spam_reasons = models.JSONField(default=list, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    # Outcome
    won_by = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="won_requests",
        verbose_name=_("won by"),
    )
    outcome_participants = models.PositiveIntegerField(
        _("final participants"), null=True, blank=True
    )
    outcome_days = models.PositiveSmallIntegerField(_("final days"), null=True, blank=True)
    outcome_budget = models.DecimalField(
        _("final budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome_declared_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome_declared_by = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("quote request")
        verbose_name_plural = _("quote requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="quote_request_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="quote_request_budget_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.organisation}"


class RoutingMode(models.TextChoices):
    DIRECT = "direct", _("Direct to the best matches")
    PARTNER = "partner", _("Through the institutional partner of the territory")
    REVIEW = "review", _("Staff review first")


class RoutingPolicy(models.Model):
    """How requests for a department (and optionally one kind of event) are routed."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, verbose_name=_("department")
    )
    event_kind = models.CharField(
        _("kind of event"), max_length=16, choices=EventKind.choices, blank=True
    )
    mode = models.CharField(
        _("routing"), max_length=16, choices=RoutingMode.choices, default=RoutingMode.DIRECT
    )
    best_count = models.PositiveSmallIntegerField(
        _("number of suppliers"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )

    class Meta:
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policies")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "event_kind"], name="routing_policy_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.event_kind or '*'} · {self.get_mode_display()}"


class Match(models.Model):
    """One supplier considered for a request: eligible or not, its score and why."""

    quote_request = models.ForeignKey(
        QuoteRequest, on_delete=models.CASCADE, related_name="matches"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="matches")
    eligible = models.BooleanField(default=False)
    score = models.FloatField(default=0)
    rank = models.PositiveIntegerField(null=True, blank=True)
    reasons = models.JSONField(
        default=list, help_text="[{code, params}]: rendered in the reader's language"
    )

    class Meta:
        ordering = ["quote_request", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["quote_request", "supplier"], name="match_unique")
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} · {self.score:.2f}"


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    VIEWED = "viewed", _("Viewed")
    INTERESTED = "interested", _("Interested")
    DECLINED = "declined", _("Declined")
    PROPOSAL = "proposal", _("Proposal sent")
    FORWARDED = "forwarded", _("Forwarded by the partner")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Dispatch(models.Model):
    """A request sent to one recipient. Unique per request × recipient: a recipient never gets a
    request twice, whatever the channel, the retries or the concurrency."""

    quote_request = models.ForeignKey(
        QuoteRequest, on_delete=models.CASCADE, related_name="dispatches"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="dispatches"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="dispatches"
    )
    forwarded_by = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forwarded_dispatches",
    )
    status = models.CharField(
        max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PENDING, db_index=True
    )
    explanation = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Outbox: claimed by one worker at a time with a conditional update, retried with backoff.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    proposal_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    lost_to = models.CharField(max_length=200, blank=True)
    lost_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["quote_request", "created_at"]
        indexes = [
            # The outbox's due-dispatch query reads only unsent rows, however large the table grows.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="dispatch_outbox_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["quote_request", "supplier"],
                condition=Q(supplier__isnull=False),
                name="dispatch_unique_supplier",
            ),
            models.UniqueConstraint(
                fields=["quote_request", "partner"],
                condition=Q(partner__isnull=False),
                name="dispatch_unique_partner",
            ),
            models.CheckConstraint(
                condition=Q(supplier__isnull=False, partner__isnull=True)
                | Q(supplier__isnull=True, partner__isnull=False),
                name="dispatch_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_request.reference} → {self.supplier or self.partner}"


class RoutingLogEntry(models.Model):
    """What happened to a request, in order: qualification, matching, routing, re-routing, outcome."""

    quote_request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=32)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["quote_request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"
