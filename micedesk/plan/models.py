"""The bureau's multi-year action plan as data.

A `Plan` has objectives; each `Action` belongs to one objective (and may be listed under others,
as the plan does with éductours), starts in a given year or runs progressively over the plan's
years, and carries the plan's cost estimates as `CostItem`s: a low–high amount for a number of
units (one lump sum, 10 establishments, one éductour...). An amount left empty is unknown: the
plan gives no figure. Zero is the plan's "Néant".

Each year of the plan, an `ActionYear` follows the action: its status, the priority staff give it
for the budget planner, the quantity of each cost item planned (`ItemQuantity`), commitments and
spend entered by hand where no event records them, and its `Kpi`s.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.operations.models import EVENT_KINDS

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
MONEY = {"max_digits": 12, "decimal_places": 2}


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=250)
    first_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("source document"), max_length=250, blank=True)
    stated_min_budget = models.DecimalField(
        _("minimal budget stated by the plan (€)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    stated_fte = models.DecimalField(
        _("full-time equivalents stated by the plan"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_wording = models.TextField(_("the plan's words on its budget"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-first_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_year__lte=F("last_year")), name="plan_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=250)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Timing(models.TextChoices):
    START = "start", _("To start in a given year")
    PROGRESSIVE = "progressive", _("Progressively over the plan's years")


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="actions", verbose_name=_("objective")
    )
    also_objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="shared_actions",
        verbose_name=_("also listed under"),
        help_text=_("Objectives whose synthesis also lists this action (counted once overall)."),
    )
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    also_position = models.PositiveSmallIntegerField(
        _("order where also listed"),
        null=True,
        blank=True,
        help_text=_("Its place among the actions of the objectives it is also listed under."),
    )
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    timing = models.CharField(_("timing"), max_length=12, choices=Timing.choices)
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    lead = models.CharField(
        _("carried by"),
        max_length=200,
        blank=True,
        help_text=_("Who carries the action according to the plan (Region, convention bureaux…)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
        verbose_name=_("followed by"),
    )
    returns_method = models.TextField(_("how its returns are computed"), blank=True)
    event_kind = models.CharField(
        _("kind of bureau event"),
        max_length=20,
        choices=EVENT_KINDS,
        blank=True,
        help_text=_("The year's events of this kind give the action's committed and actual spend."),
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "objective__number", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="action_code_unique"),
            models.CheckConstraint(
                condition=~Q(timing="start") | Q(start_year__isnull=False),
                name="action_start_year_given",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CostItem(models.Model):
    """One cost estimate of an action: `amount_low`–`amount_high` for `for_quantity` units.

    Without a unit the amount is a lump sum. Both amounts empty: the plan gives no figure."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="costs")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=250)
    amount_low = models.DecimalField(
        _("low estimate (€)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    amount_high = models.DecimalField(
        _("high estimate (€)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    unit = models.CharField(
        _("unit"),
        max_length=60,
        blank=True,
        help_text=_("What is counted (éductour, establishment, video…); empty for a lump sum."),
    )
    for_quantity = models.PositiveIntegerField(
        _("for how many units"), default=1, validators=[MinValueValidator(1)]
    )
    staff_months = models.DecimalField(
        _("staff time (months)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Staff time the estimate covers, in months of one full-time post."),
    )
    wording = models.TextField(_("the plan's words"), blank=True)

    class Meta:
        verbose_name = _("cost estimate")
        verbose_name_plural = _("cost estimates")
        ordering = ["action", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_low__isnull=True, amount_high__isnull=True)
                | Q(amount_low__isnull=False, amount_high__isnull=False),
                name="cost_item_amounts_both_or_none",
            ),
            models.CheckConstraint(
                condition=Q(amount_low__isnull=True) | Q(amount_low__lte=F("amount_high")),
                name="cost_item_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(amount_low__isnull=True) | Q(amount_low__gte=0),
                name="cost_item_amount_positive",
            ),
            models.CheckConstraint(condition=Q(for_quantity__gte=1), name="cost_item_quantity"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_unknown(self) -> bool:
        return self.amount_low is None

    @property
    def per_unit(self) -> bool:
        return bool(self.unit)

    def cost_for(self, quantity: int | Decimal) -> tuple[Decimal, Decimal] | None:
        """(low, high) for `quantity` units (a lump sum: 0 or 1); None when unknown."""
        if self.is_unknown:
            return None
        quantity = Decimal(quantity)
        return (
            (self.amount_low * quantity / self.for_quantity).quantize(Decimal("0.01")),
            (self.amount_high * quantity / self.for_quantity).quantize(Decimal("0.01")),
        )


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Kept")
    COMMITTED = "committed", _("Committed")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


# Statuses whose spend the budget planner must keep in.
COMMITTED_STATUSES = (ActionStatus.COMMITTED, ActionStatus.DONE)


class ActionYear(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=3,
        validators=[MaxValueValidator(5)],
        help_text=_("0 (not wanted) to 5 (essential): the value the budget planner gives it."),
    )
    planned_amount = models.DecimalField(
        _("planned budget (€)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the plan's estimate for the planned quantities."),
        **MONEY,
    )
    committed_amount = models.DecimalField(
        _("other commitments (€)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Orders and grants signed that no bureau event records."),
        **MONEY,
    )
    actual_amount = models.DecimalField(
        _("other actual spend (€)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Spend that no bureau event records."),
        **MONEY,
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action year")
        verbose_name_plural = _("action years")
        ordering = ["action", "year"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year"], name="action_year_unique"),
            models.CheckConstraint(condition=Q(priority__lte=5), name="action_year_priority"),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=True) | Q(planned_amount__gte=0),
                name="action_year_planned_positive",
            ),
            models.CheckConstraint(
                condition=Q(committed_amount__gte=0) & Q(actual_amount__gte=0),
                name="action_year_spend_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.year})"

    @property
    def is_committed(self) -> bool:
        return self.status in COMMITTED_STATUSES


class ItemQuantity(models.Model):
    """How many units of a cost item a year plans, and how many the budget planner may choose."""

    action_year = models.ForeignKey(ActionYear, on_delete=models.CASCADE, related_name="quantities")
    item = models.ForeignKey(CostItem, on_delete=models.CASCADE, related_name="quantities")
    quantity = models.PositiveIntegerField(_("planned quantity"), default=0)
    max_quantity = models.PositiveIntegerField(
        _("at most"), help_text=_("The most the budget planner may choose.")
    )

    class Meta:
        verbose_name = _("planned quantity")
        verbose_name_plural = _("planned quantities")
        ordering = ["action_year", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["action_year", "item"], name="item_quantity_unique"),
            models.CheckConstraint(
                condition=Q(quantity__lte=F("max_quantity")), name="item_quantity_within_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity}"


class Kpi(models.Model):
    """A named indicator of an action's year. With a `measure`, micedesk computes its value from
    its own data (`plan.measures`); without, staff enter it by hand."""

    action_year = models.ForeignKey(ActionYear, on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("measured by micedesk"), max_length=80, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    manual_value = models.DecimalField(
        _("value entered by hand"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    manual_source = models.CharField(_("source of the value"), max_length=250, blank=True)
    manual_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("entered by"),
    )
    manual_at = models.DateTimeField(_("entered at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["action_year", "position", "pk"]

    def __str__(self) -> str:
        return self.name
