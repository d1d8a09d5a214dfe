"""Writes on the action plan: actions and their cost estimates, the years of the plan (add one,
copy a year to the next), each action's year (status, priority, quantities, spend entered by
hand) and its indicators.

Services take the acting user; `None` stands for the platform itself (loading, demo). Any other
user must be bureau staff. Bad values raise `ValidationError` with a message saying what and why;
nothing is half-written (each service is one transaction).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from micedesk.accounts.models import User
from micedesk.operations.models import EVENT_KINDS
from micedesk.plan.models import (
    Action,
    ActionStatus,
    ActionYear,
    CostItem,
    ItemQuantity,
    Kpi,
    Plan,
    Timing,
)

ACTION_FIELDS = (
    "objective",
    "title",
    "summary",
    "timing",
    "start_year",
    "lead",
    "owner",
    "returns_method",
    "event_kind",
    "position",
)
COST_FIELDS = (
    "label",
    "amount_low",
    "amount_high",
    "unit",
    "for_quantity",
    "staff_months",
    "wording",
)
ACTION_YEAR_FIELDS = (
    "status",
    "priority",
    "planned_amount",
    "committed_amount",
    "actual_amount",
    "notes",
)
KPI_FIELDS = ("name", "measure", "unit", "target", "manual_value", "manual_source", "position")
MAX_PLAN_YEARS = 10


def _require_staff(user: User | None) -> None:
    if user is not None and not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied


def _assign(instance: models.Model, data: dict, allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            setattr(instance, name, value)


def _money(value: Any, field: str, *, optional: bool = True) -> Decimal | None:
    """A euro amount from a form or the API: empty is None (or refused), never negative."""
    if value in (None, ""):
        if optional:
            return None
        raise ValidationError({field: _("Enter an amount.")})
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            {field: _("“%(value)s” is not an amount.") % {"value": value}}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: _("“%(value)s” is not an amount.") % {"value": value}})
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    return amount.quantize(Decimal("0.01"))


# --- Actions and their cost estimates -----------------------------------------------------


def _action_clean(action: Action) -> None:
    if action.timing == Timing.START and action.start_year is None:
        raise ValidationError(
            {"start_year": _("An action to start in a given year needs that year.")}
        )
    if action.timing == Timing.PROGRESSIVE:
        action.start_year = None
    plan = action.plan
    if action.start_year is not None and not (
        plan.first_year <= action.start_year <= plan.last_year
    ):
        raise ValidationError(
            {
                "start_year": _("The plan runs from %(first)s to %(last)s.")
                % {"first": plan.first_year, "last": plan.last_year}
            }
        )
    if action.event_kind and action.event_kind not in dict(EVENT_KINDS):
        raise ValidationError({"event_kind": _("Unknown kind of bureau event.")})
    if action.objective_id and action.objective.plan_id != plan.pk:
        raise ValidationError({"objective": _("This objective belongs to another plan.")})
    action.full_clean(exclude=["code"] if action.code else None)


@transaction.atomic
def action_save(
    *, plan: Plan, user: User | None, data: dict, action: Action | None = None
) -> Action:
    """Create an action (it gets a year row for every year of the plan from its start) or
    update one."""
    _require_staff(user)
    creating = action is None
    action = action or Action(plan=plan)
    if action.plan_id != plan.pk:
        raise ValidationError(_("This action belongs to another plan."))
    _assign(action, data, ACTION_FIELDS)
    if creating:
        action.code = _free_code(plan, data.get("code") or action.title)
        if "position" not in data:
            action.position = (
                Action.objects.filter(plan=plan).aggregate(m=models.Max("position"))["m"] or 0
            ) + 1
    _action_clean(action)
    action.save()
    if "also_objectives" in data:
        chosen = [o for o in data["also_objectives"] if o.pk != action.objective_id]
        if any(o.plan_id != plan.pk for o in chosen):
            raise ValidationError({"also_objectives": _("This objective belongs to another plan.")})
        action.also_objectives.set(chosen)
    if creating:
        first = action.start_year or plan.first_year
        for year in range(first, plan.last_year + 1):
            ActionYear.objects.create(action=action, year=year)
    return action


def _free_code(plan: Plan, text: str) -> str:
    from django.utils.text import slugify

    base = slugify(text)[:50] or "action"
    code, index = base, 2
    while Action.objects.filter(plan=plan, code=code).exists():
        code, index = f"{base}-{index}", index + 1
    return code


def _cost_clean(item: CostItem, data: dict) -> None:
    low = _money(data.get("amount_low", item.amount_low), "amount_low")
    high = _money(data.get("amount_high", item.amount_high), "amount_high")
    if (low is None) != (high is None):
        raise ValidationError(
            _("Give both the low and the high estimate, or neither when the plan gives no figure.")
        )
    if low is not None and low > high:
        raise ValidationError(
            {
                "amount_high": _(
                    "The low estimate (%(low)s €) is above the high estimate (%(high)s €)."
                )
                % {"low": low, "high": high}
            }
        )
    item.amount_low, item.amount_high = low, high
    if "staff_months" in data:
        item.staff_months = _money(data["staff_months"], "staff_months")
    quantity = data.get("for_quantity", item.for_quantity)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"for_quantity": _("Enter a whole number of units.")}) from None
    if quantity < 1:
        raise ValidationError({"for_quantity": _("The estimate covers at least one unit.")})
    item.for_quantity = quantity
    item.full_clean()


@transaction.atomic
def cost_item_save(
    *, action: Action, user: User | None, data: dict, item: CostItem | None = None
) -> CostItem:
    """Create or update a cost estimate; a new one is added to each year of the action with no
    unit planned (at most its `for_quantity`)."""
    _require_staff(user)
    creating = item is None
    item = item or CostItem(action=action)
    if item.action_id != action.pk:
        raise ValidationError(_("This cost estimate belongs to another action."))
    _assign(item, {k: v for k, v in data.items() if k in ("label", "unit", "wording")}, COST_FIELDS)
    if creating and "position" not in data:
        item.position = (action.costs.aggregate(m=models.Max("position"))["m"] or 0) + 1
    _cost_clean(item, data)
    item.save()
    if creating:
        ItemQuantity.objects.bulk_create(
            ItemQuantity(action_year=ay, item=item, quantity=0, max_quantity=item.for_quantity)
            for ay in action.years.all()
        )
    return item


def cost_item_delete(*, item: CostItem, user: User | None) -> None:
    _require_staff(user)
    item.delete()


# --- Years ------------------------------------------------------------------------------------


@transaction.atomic
def plan_year_add(*, plan: Plan, user: User | None) -> int:
    """Extend the plan by one year; its actions get no year row until staff copy a year into it
    or add the action to it. Returns the new year."""
    _require_staff(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.last_year - plan.first_year + 1 >= MAX_PLAN_YEARS:
        raise ValidationError(
            _("A plan covers at most %(count)s years.") % {"count": MAX_PLAN_YEARS}
        )
    plan.last_year += 1
    plan.save(update_fields=["last_year"])
    return plan.last_year


def _copy(source: ActionYear, year: int) -> ActionYear:
    target = ActionYear.objects.create(
        action=source.action,
        year=year,
        status=ActionStatus.PROPOSED,
        priority=source.priority,
        planned_amount=source.planned_amount,
    )
    ItemQuantity.objects.bulk_create(
        ItemQuantity(
            action_year=target,
            item_id=row.item_id,
            quantity=row.quantity,
            max_quantity=row.max_quantity,
        )
        for row in source.quantities.all()
    )
    Kpi.objects.bulk_create(
        Kpi(
            action_year=target,
            position=kpi.position,
            name=kpi.name,
            measure=kpi.measure,
            unit=kpi.unit,
            target=kpi.target,
        )
        for kpi in source.kpis.all()
    )
    return target


@transaction.atomic
def plan_year_copy(*, plan: Plan, year: int, user: User | None) -> list[ActionYear]:
    """Copy `year` into the next one (added to the plan if needed): each action of `year` not
    dropped and not yet in the next year gets its priority, planned quantities and budget and
    its indicators (targets, not values), as proposed. Returns the action-years created."""
    _require_staff(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("The plan runs from %(first)s to %(last)s.")
            % {"first": plan.first_year, "last": plan.last_year}
        )
    sources = list(
        ActionYear.objects.filter(action__plan=plan, year=year)
        .exclude(status=ActionStatus.DROPPED)
        .select_related("action")
        .prefetch_related("quantities", "kpis")
    )
    if not sources:
        raise ValidationError(_("%(year)s has no action to copy.") % {"year": year})
    if year == plan.last_year:
        plan_year_add(plan=plan, user=user)
    present = set(
        ActionYear.objects.filter(action__plan=plan, year=year + 1).values_list(
            "action_id", flat=True
        )
    )
    return [_copy(source, year + 1) for source in sources if source.action_id not in present]


@transaction.atomic
def action_year_add(*, action: Action, year: int, user: User | None) -> ActionYear:
    """Follow an action in one more year of the plan: quantities as the last year it ran, or
    nothing planned."""
    _require_staff(user)
    plan = action.plan
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("The plan runs from %(first)s to %(last)s.")
            % {"first": plan.first_year, "last": plan.last_year}
        )
    if action.years.filter(year=year).exists():
        raise ValidationError(_("This action is already followed in %(year)s.") % {"year": year})
    previous = action.years.filter(year__lt=year).order_by("-year").first()
    if previous:
        return _copy(previous, year)
    action_year = ActionYear.objects.create(action=action, year=year)
    ItemQuantity.objects.bulk_create(
        ItemQuantity(action_year=action_year, item=item, quantity=0, max_quantity=item.for_quantity)
        for item in action.costs.all()
    )
    return action_year


@transaction.atomic
def action_year_update(
    *,
    action_year: ActionYear,
    user: User | None,
    data: dict,
    quantities: dict[int, tuple[int, int]] | None = None,
) -> ActionYear:
    """Status, priority, planned budget, commitments and spend entered by hand, notes; and the
    (quantity, at most) of cost items by item id."""
    _require_staff(user)
    values = dict(data)
    for name in ("planned_amount", "committed_amount", "actual_amount"):
        if name in values:
            optional = name == "planned_amount"
            values[name] = _money(values[name], name, optional=optional)
    if "status" in values and values["status"] not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if "priority" in values:
        try:
            values["priority"] = int(values["priority"])
        except (TypeError, ValueError):
            raise ValidationError({"priority": _("The priority goes from 0 to 5.")}) from None
        if not 0 <= values["priority"] <= 5:
            raise ValidationError({"priority": _("The priority goes from 0 to 5.")})
    _assign(action_year, values, ACTION_YEAR_FIELDS)
    action_year.full_clean()
    action_year.save()
    if quantities:
        rows = {row.item_id: row for row in action_year.quantities.select_related("item")}
        for item_id, (quantity, most) in quantities.items():
            row = rows.get(item_id)
            if row is None:
                raise ValidationError(_("This cost estimate belongs to another action."))
            if quantity < 0 or most < 0:
                raise ValidationError(
                    _("%(item)s: a quantity cannot be negative.") % {"item": row.item.label}
                )
            if quantity > most:
                raise ValidationError(
                    _("%(item)s: %(quantity)s planned is more than the %(most)s at most.")
                    % {"item": row.item.label, "quantity": quantity, "most": most}
                )
            if not row.item.unit and most > 1:
                raise ValidationError(
                    _("%(item)s is a lump sum: plan it once (1) or not (0).")
                    % {"item": row.item.label}
                )
            row.quantity, row.max_quantity = quantity, most
            row.save(update_fields=["quantity", "max_quantity"])
    return action_year


def action_year_delete(*, action_year: ActionYear, user: User | None) -> None:
    _require_staff(user)
    action_year.delete()


# --- Indicators -------------------------------------------------------------------------------


@transaction.atomic
def kpi_save(
    *, action_year: ActionYear, user: User | None, data: dict, kpi: Kpi | None = None
) -> Kpi:
    """Create or update an indicator. A measured one takes its value from micedesk: a value
    entered by hand is refused for it."""
    from micedesk.plan import measures

    _require_staff(user)
    kpi = kpi or Kpi(action_year=action_year)
    if kpi.action_year_id != action_year.pk:
        raise ValidationError(_("This indicator belongs to another action."))
    values = dict(data)
    for name in ("target", "manual_value"):
        if name in values:
            raw = values[name]
            if raw in (None, ""):
                values[name] = None
            else:
                try:
                    values[name] = Decimal(str(raw).replace(" ", "").replace(",", "."))
                except InvalidOperation:
                    raise ValidationError(
                        {name: _("“%(value)s” is not a number.") % {"value": raw}}
                    ) from None
                if not values[name].is_finite():
                    raise ValidationError(
                        {name: _("“%(value)s” is not a number.") % {"value": raw}}
                    )
    before = kpi.manual_value
    _assign(kpi, values, KPI_FIELDS)
    if kpi.manual_value != before or (kpi.pk is None and kpi.manual_value is not None):
        kpi.manual_by = user if user is not None and user.is_authenticated else None
        kpi.manual_at = timezone.now() if kpi.manual_value is not None else None
    if kpi.measure and kpi.measure not in measures.MEASURES:
        raise ValidationError({"measure": _("Unknown measure: %(key)s.") % {"key": kpi.measure}})
    if kpi.measure and kpi.manual_value is not None:
        raise ValidationError(
            {
                "manual_value": _(
                    "This indicator is measured by micedesk: its value cannot be entered by hand."
                )
            }
        )
    if kpi.pk is None and "position" not in data:
        kpi.position = (action_year.kpis.aggregate(m=models.Max("position"))["m"] or 0) + 1
    kpi.full_clean()
    kpi.save()
    return kpi


def kpi_delete(*, kpi: Kpi, user: User | None) -> None:
    _require_staff(user)
    kpi.delete()
