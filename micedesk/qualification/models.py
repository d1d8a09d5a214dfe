"""Qualification grids (one per kind of supplier, versioned), their criteria and levels, and the
evaluations partners carry out against them, with answers, evidence and contests.

A published evaluation writes its level onto the supplier's `directory` listing, so that search and
matching read the level from `directory` alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from micedesk.core.storage import private_storage
from micedesk.directory.models import Supplier
from micedesk.directory.vocab import Kind, QualificationLevel
from micedesk.geo.models import Partner


def _in_language(fr: str, en: str) -> str:
    if get_language() == "en":
        return en or fr
    return fr or en


class Grid(models.Model):
    """The grid of one kind of supplier; its criteria live in its versions."""

    kind = models.CharField(_("kind of supplier"), max_length=16, choices=Kind.choices, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("qualification grid")
        verbose_name_plural = _("qualification grids")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self.name_fr, self.name_en)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class GridVersion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    notes = models.TextField(_("what changed"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity of an evaluation (months)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("copied from"),
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("grid version")
        verbose_name_plural = _("grid versions")
        ordering = ["grid", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "number"], name="grid_version_number_unique"),
            models.UniqueConstraint(
                fields=["grid"],
                condition=Q(status="active"),
                name="grid_version_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class GridLevel(models.Model):
    """What a level takes in one version: the mandatory criteria met (or not required) and a score."""

    version = models.ForeignKey(GridVersion, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=[c for c in QualificationLevel.choices if c[0] != QualificationLevel.NONE],
    )
    requires_mandatory = models.BooleanField(_("all mandatory criteria met"), default=True)
    min_score = models.DecimalField(
        _("minimum score (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the good-practice weight met, from 0 to 100."),
    )

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["version", "level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="grid_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.min_score} %"


class AnswerType(models.TextChoices):
    BOOLEAN = "boolean", _("Yes / no")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    MEASURED = "measured", _("Measured by the platform")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Evidence(models.TextChoices):
    NONE = "", _("None")
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    SITE_VISIT = "site_visit", _("Site visit")


class Criterion(models.Model):
    """One line of a grid version. `code` is stable across versions: comparisons and the carrying
    over of answers follow it."""

    version = models.ForeignKey(GridVersion, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    section_fr = models.CharField(_("section (French)"), max_length=120)
    section_en = models.CharField(_("section (English)"), max_length=120, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=250)
    label_en = models.CharField(_("label (English)"), max_length=250, blank=True)
    help_fr = models.TextField(_("help (French)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    answer_type = models.CharField(_("answer"), max_length=16, choices=AnswerType.choices)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    # For a choice: [{"code", "label_fr", "label_en"}]; `met_choices` lists the codes that meet it.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    met_choices = models.JSONField(_("choices that meet it"), default=list, blank=True)
    # For a number or a measure: met when the value compares to the target.
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measure = models.CharField(
        _("measure"),
        max_length=64,
        blank=True,
        help_text=_("For a measured criterion: the platform measure it reads."),
    )
    mandatory = models.BooleanField(_("mandatory"), default=False)
    verifiable = models.BooleanField(_("verifiable"), default=False)
    evidence = models.CharField(
        _("evidence needed"), max_length=16, choices=Evidence.choices, blank=True
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.label_fr, self.label_en)

    @property
    def help(self) -> str:
        return _in_language(self.help_fr, self.help_en)

    @property
    def section(self) -> str:
        return _in_language(self.section_fr, self.section_en)


class EvaluationStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned to the evaluator")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_EVALUATION_STATUSES = [
    EvaluationStatus.ASSIGNED,
    EvaluationStatus.DRAFT,
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.RETURNED,
]


class Evaluation(models.Model):
    """One evaluation of a supplier against one grid version, from assignment to publication."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="evaluations")
    version = models.ForeignKey(
        GridVersion, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("grid")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.ASSIGNED,
        db_index=True,
    )
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        verbose_name=_("evaluating partner"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        verbose_name=_("evaluator"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    due_on = models.DateField(_("due"), null=True, blank=True)
    visited_on = models.DateField(_("site visit"), null=True, blank=True)
    comment = models.TextField(_("evaluator's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The result, computed at submission and again at publication: score, level and the explanation.
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=QualificationLevel.choices, null=True, blank=True
    )
    result = models.JSONField(default=dict, blank=True, editable=False)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answers carried over from"),
    )
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"],
                condition=Q(status__in=["assigned", "draft", "submitted", "returned"]),
                name="evaluation_one_open_per_supplier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.version}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EVALUATION_STATUSES


class Answer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="answers")
    value_boolean = models.BooleanField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    value_choice = models.CharField(max_length=64, blank=True)
    # A measured criterion's value as read when the evaluation was submitted, and its source.
    measured_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_details = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    carried_over = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} · {self.criterion.code}"


def evidence_path(evidence: EvidenceFile, filename: str) -> str:
    return f"qualification/{evidence.evaluation_id}/{filename}"


class EvidenceFile(models.Model):
    """A photo or document backing an answer. Served only through a view that checks who asks."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="evidence_files"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(
        _("file"), upload_to=evidence_path, storage=private_storage, max_length=255
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Evidence.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["evaluation", "criterion", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Contest(models.Model):
    """A supplier disputing a published evaluation, and the bureau's answer."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="contests")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("why the supplier contests it"))
    created_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(_("the bureau's answer"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.created_at:%Y-%m-%d}"


class EvaluationEvent(models.Model):
    """The history of an evaluation: assigned, saved, submitted, returned, published, contested..."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=32)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["evaluation", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"
