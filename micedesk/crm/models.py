"""Contacts and companies of the bureau's clients and prospects, their timeline, the bureau actions
that brought them, their consents, saved segments, imports and the audit log of personal data.

Staff only: no supplier or partner reads these tables (GDPR: no file of planners shared across
partners).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from micedesk.core.storage import private_storage
from micedesk.directory.models import Supplier
from micedesk.geo.models import Commune
from micedesk.leads.models import QuoteRequest

naf_validator = RegexValidator(
    r"^\d{2}\.\d{2}[A-Z]$",
    _("A NAF code reads like 70.22Z: two digits, a dot, two digits, a letter."),
)


class Topic(models.Model):
    """A topic of interest, for mailings by topic and workshop invitations by theme."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "en":
            return self.name_en or self.name_fr
        return self.name_fr


class ActionKind(models.TextChoices):
    TRADE_SHOW = "trade_show", _("Trade show")
    WORKSHOP = "workshop", _("Workshop")
    EDUCTOUR = "eductour", _("Familiarisation trip (éductour)")
    WEBINAR = "webinar", _("Webinar")
    PARTNERS_MEETING = "partners_meeting", _("Annual partners' meeting")
    WORKING_GROUP = "working_group", _("Working group")
    ROUND_TABLE = "round_table", _("Round table")
    JOB_DATING = "job_dating", _("Job dating")
    CAMPAIGN = "campaign", _("Promotional campaign")
    MAILING = "mailing", _("E-mailing")
    PORTAL = "portal", _("Portal (organic)")
    OTHER = "other", _("Other")


class BureauAction(models.Model):
    """A bureau action or campaign through which contacts are met or reached: the CRM's handle on
    it, for invitations and attribution. The bureau's events (`operations`) point at one."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices, db_index=True)
    starts_on = models.DateField(_("start"), null=True, blank=True, db_index=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("commune")
    )
    department_code = models.CharField(_("department"), max_length=3, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="actions", verbose_name=_("themes")
    )
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("bureau action")
        verbose_name_plural = _("bureau actions")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=models.F("ends_on")),
                name="bureau_action_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompanyKind(models.TextChoices):
    COMPANY = "company", _("Company")
    AGENCY = "agency", _("Event agency")
    ASSOCIATION = "association", _("Association")
    PUBLIC_BODY = "public_body", _("Public body")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    """INSEE's staff bands, grouped."""

    MICRO = "1-9", _("1 to 9 employees")
    SMALL = "10-49", _("10 to 49 employees")
    MEDIUM = "50-249", _("50 to 249 employees")
    LARGE = "250-4999", _("250 to 4,999 employees")
    VERY_LARGE = "5000+", _("5,000 employees or more")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # Lower-cased, accents and legal forms stripped: the key of duplicate detection.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CompanyKind.choices, default=CompanyKind.COMPANY
    )
    naf_code = models.CharField(
        _("sector (NAF code)"), max_length=6, blank=True, validators=[naf_validator]
    )
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    department_code = models.CharField(_("department"), max_length=3, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    PLANNER = "planner", _("Event planner")
    PRESCRIBER = "prescriber", _("Prescriber")
    AMBASSADOR = "ambassador", _("Ambassador")
    JOURNALIST = "journalist", _("Journalist")
    OTHER = "other", _("Other")


class Contact(models.Model):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    # Lower-cased, accents stripped, "last first": the key of fuzzy duplicate detection.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("company"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ContactKind.choices, default=ContactKind.PLANNER
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    department_code = models.CharField(_("department"), max_length=3, blank=True, db_index=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="contacts", verbose_name=_("topics of interest")
    )
    # First touch: the bureau action that brought the contact (source), kept from the timeline.
    source_action = models.ForeignKey(
        BureauAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sourced_contacts",
        verbose_name=_("first touch"),
    )
    source_detail = models.CharField(_("how they came"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    last_interaction_at = models.DateTimeField(
        _("last interaction"), default=timezone.now, db_index=True
    )
    retention_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, db_index=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="contact_email_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class InteractionKind(models.TextChoices):
    QUOTE_REQUEST = "quote_request", _("Quote request")
    EVENT_HELD = "event_held", _("Event held in the region")
    MET = "met", _("Met at a bureau action")
    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    MAILING = "mailing", _("E-mailing")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Note")
    CONSENT = "consent", _("Consent given or withdrawn")
    IMPORT = "import", _("Imported")


# What the bureau sends out: being invited or mailed is not how someone came to know the bureau, so
# these never count as a touch for attribution.
OUTBOUND_INTERACTION_KINDS = (InteractionKind.INVITED, InteractionKind.MAILING)


class Interaction(models.Model):
    """One item of a contact's timeline. With an action, it is a touch that attribution counts."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    action = models.ForeignKey(
        BureauAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        verbose_name=_("bureau action"),
    )
    quote_request = models.ForeignKey(
        QuoteRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_interactions",
        verbose_name=_("quote request"),
    )
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supplier chosen"),
    )
    summary = models.TextField(_("summary"), blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"]),
            models.Index(fields=["action", "kind"]),
        ]
        constraints = [
            # Linking a request to the timeline is idempotent.
            models.UniqueConstraint(
                fields=["contact", "quote_request", "kind"],
                condition=Q(quote_request__isnull=False),
                name="interaction_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}"


class Purpose(models.TextChoices):
    MAILING = "mailing", _("E-mailings by topic")
    INVITATIONS = "invitations", _("Invitations to the bureau's events")
    FOLLOW_UP = "follow_up", _("Follow-up of quote requests")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")


class ConsentWording(models.Model):
    """The text shown when a consent was asked: the proof names its version."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    effective_from = models.DateField(_("in use from"))

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_wording_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    QUOTE_REQUEST = "quote_request", _("Quote request form")
    IMPORT = "import", _("Import of the existing base")
    STAFF = "staff", _("Recorded by staff")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")


class Consent(models.Model):
    """A legal basis for one purpose, with its proof. History is kept: the latest row per contact
    and purpose is the one in force; a withdrawal is a new row with `granted` false."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    granted = models.BooleanField(_("granted"), default=True)
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    wording = models.ForeignKey(
        ConsentWording,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("wording shown"),
    )
    proof = models.CharField(_("proof"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["contact", "purpose", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["contact", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_basis_display()}"


class SegmentKind(models.TextChoices):
    WORKSHOP_INVITATION = "workshop_invitation", _("Workshop invitations")
    TOPIC_MAILING = "topic_mailing", _("E-mailing by topic")
    CUSTOM = "custom", _("Custom filter")


class Segment(models.Model):
    """A saved, explainable filter over contacts; `rules` holds its parameters."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=SegmentKind.choices)
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


def import_path(batch: ImportBatch, filename: str) -> str:
    return f"crm/imports/{timezone.now():%Y/%m}/{filename}"


class ImportBatch(models.Model):
    """An import of the existing base. The uploaded file is kept (private storage, staff only)."""

    file = models.FileField(
        _("file"), upload_to=import_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    columns = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    rules = models.JSONField(default=dict, blank=True)
    source_action = models.ForeignKey(
        BureauAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    MERGE = "merge", _("Merged")
    IMPORT = "import", _("Imported")
    ERASE = "erase", _("Erased on request")
    ANONYMISE = "anonymise", _("Anonymised (retention)")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")


class AuditEntry(models.Model):
    """Who viewed, exported or changed personal data. It holds ids and counts, never the data:
    it must survive an erasure without keeping what was erased."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class ProcessingActivity(models.Model):
    """One line of the register of processing activities (GDPR article 30)."""

    name = models.CharField(_("processing"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    data_categories = models.TextField(_("personal data"))
    data_subjects = models.CharField(_("people concerned"), max_length=200)
    recipients = models.TextField(_("recipients"))
    retention = models.CharField(_("retention"), max_length=200)
    safeguards = models.TextField(_("security measures"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("register of processing activities")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
