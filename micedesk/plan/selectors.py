"""Reads on the action plan: the plan for staff, its synthesis (the plan's own cost tables and
totals), and the follow-up of a year (spend planned, committed and actual; indicators).

Only bureau staff read the plan: every entry point takes the acting user and refuses others.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from micedesk.accounts.models import User
from micedesk.operations.models import BureauEvent, EventStatus
from micedesk.operations.returns import cost_summaries
from micedesk.plan.models import (
    Action,
    ActionStatus,
    ActionYear,
    CostItem,
    ItemQuantity,
    Kpi,
    Objective,
    Plan,
    Timing,
)

ZERO = Decimal(0)


def require_staff(user: User | None) -> None:
    if user is None or not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied


def plans_for(*, user: User) -> QuerySet[Plan]:
    require_staff(user)
    return Plan.objects.all()


def current_plan(*, user: User) -> Plan | None:
    """The plan covering today's year, else the latest one."""
    require_staff(user)
    year = timezone.localdate().year
    return (
        Plan.objects.filter(first_year__lte=year, last_year__gte=year).first()
        or Plan.objects.order_by("-last_year", "-pk").first()
    )


def plan_for_staff(*, user: User, code: str) -> Plan:
    require_staff(user)
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


def action_for_staff(*, user: User, plan: Plan, pk: int) -> Action:
    require_staff(user)
    action = (
        Action.objects.filter(plan=plan, pk=pk)
        .select_related("objective", "owner")
        .prefetch_related("costs", "also_objectives")
        .first()
    )
    if action is None:
        raise Http404
    return action


def action_year_for_staff(*, user: User, plan: Plan, pk: int) -> ActionYear:
    require_staff(user)
    action_year = (
        ActionYear.objects.filter(action__plan=plan, pk=pk)
        .select_related("action__objective")
        .prefetch_related(
            Prefetch("quantities", ItemQuantity.objects.select_related("item")), "kpis"
        )
        .first()
    )
    if action_year is None:
        raise Http404
    return action_year


def plan_actions(*, user: User, plan: Plan) -> QuerySet[Action]:
    """Every action of the plan with its objective, costs and years (their quantities, KPIs)."""
    require_staff(user)
    return (
        Action.objects.filter(plan=plan)
        .select_related("objective", "owner")
        .prefetch_related(
            "costs",
            "also_objectives",
            Prefetch(
                "years",
                ActionYear.objects.prefetch_related(
                    Prefetch("quantities", ItemQuantity.objects.select_related("item")), "kpis"
                ),
            ),
        )
    )


# --- Synthesis --------------------------------------------------------------------------------


def action_estimate(costs: list[CostItem]) -> tuple[Decimal, Decimal, bool]:
    """The plan's estimate for an action, as its synthesis table states it: every cost item's
    amount for the units it is stated for (one éductour, 10 establishments, a lump sum).
    (low, high, unknown): unknown when an item has no figure (its amounts count as nothing)."""
    low = high = ZERO
    unknown = not costs
    for item in costs:
        if item.is_unknown:
            unknown = True
            continue
        low += item.amount_low
        high += item.amount_high
    return low, high, unknown


@dataclass
class SynthesisRow:
    action: Action
    costs: list[CostItem]
    low: Decimal
    high: Decimal
    unknown: bool
    shared: bool  # listed here, but belongs to another objective

    def as_json(self) -> dict:
        return {
            "action_id": self.action.pk,
            "code": self.action.code,
            "title": self.action.title,
            "timing": self.action.timing,
            "start_year": self.action.start_year,
            "cost_low": None if self.unknown and not self.costs else str(self.low),
            "cost_high": None if self.unknown and not self.costs else str(self.high),
            "unknown": self.unknown,
            "shared": self.shared,
            "costs": [cost_json(item) for item in self.costs],
        }


def cost_json(item: CostItem) -> dict:
    return {
        "label": item.label,
        "cost_low": None if item.is_unknown else str(item.amount_low),
        "cost_high": None if item.is_unknown else str(item.amount_high),
        "cost_unit": item.unit or None,
        "for_quantity": item.for_quantity,
        "staff_months": None if item.staff_months is None else str(item.staff_months),
        "wording": item.wording,
    }


@dataclass
class ObjectiveSynthesis:
    objective: Objective
    start_actions: list[Action]
    progressive_actions: list[Action]
    rows: list[SynthesisRow]
    low: Decimal
    high: Decimal
    unknowns: list[Action]

    def start_years(self) -> list[int]:
        return sorted({a.start_year for a in self.start_actions if a.start_year})


@dataclass
class Synthesis:
    plan: Plan
    objectives: list[ObjectiveSynthesis]
    low: Decimal  # every action once (shared ones are not counted twice)
    high: Decimal
    unknowns: list[Action]
    actions: int

    def as_json(self) -> dict:
        plan = self.plan
        return {
            "plan": {
                "code": plan.code,
                "title": plan.title,
                "first_year": plan.first_year,
                "last_year": plan.last_year,
                "source": plan.source,
                "stated_min_budget": _text(plan.stated_min_budget),
                "stated_fte": _text(plan.stated_fte),
                "budget_wording": plan.budget_wording,
            },
            "objectives": [
                {
                    "number": part.objective.number,
                    "title": part.objective.title,
                    "start_actions": [a.title for a in part.start_actions],
                    "progressive_actions": [a.title for a in part.progressive_actions],
                    "actions": [row.as_json() for row in part.rows],
                    "total_low": str(part.low),
                    "total_high": str(part.high),
                    "unknowns": [a.title for a in part.unknowns],
                }
                for part in self.objectives
            ],
            "total_low": str(self.low),
            "total_high": str(self.high),
            "actions": self.actions,
            "unknowns": [a.title for a in self.unknowns],
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def plan_synthesis(*, user: User, plan: Plan) -> Synthesis:
    """The plan's synthesis tables: per objective, the actions to start in a given year, those
    carried progressively, each action's estimated cost, totals low and high and the actions the
    plan gives no figure for; overall totals count an action listed under two objectives once."""
    require_staff(user)
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("objective")
        .prefetch_related("costs", "also_objectives")
    )
    parts = []
    for objective in plan.objectives.order_by("number"):
        listed = [
            a
            for a in actions
            if a.objective_id == objective.pk
            or any(o.pk == objective.pk for o in a.also_objectives.all())
        ]
        # The plan's order: a shared action falls at its `also_position` among the actions of
        # the objectives it is also listed under.
        listed.sort(
            key=lambda a: (
                a.also_position
                if a.objective_id != objective.pk and a.also_position is not None
                else a.position,
                a.pk,
            )
        )
        rows = []
        for action in listed:
            costs = list(action.costs.all())
            low, high, unknown = action_estimate(costs)
            rows.append(
                SynthesisRow(action, costs, low, high, unknown, action.objective_id != objective.pk)
            )
        parts.append(
            ObjectiveSynthesis(
                objective=objective,
                start_actions=[a for a in listed if a.timing == Timing.START],
                progressive_actions=[a for a in listed if a.timing == Timing.PROGRESSIVE],
                rows=rows,
                low=sum((row.low for row in rows), ZERO),
                high=sum((row.high for row in rows), ZERO),
                unknowns=[row.action for row in rows if row.unknown],
            )
        )
    low = high = ZERO
    unknowns = []
    for action in sorted(actions, key=lambda a: (a.objective.number, a.position, a.pk)):
        a_low, a_high, unknown = action_estimate(list(action.costs.all()))
        low += a_low
        high += a_high
        if unknown:
            unknowns.append(action)
    return Synthesis(
        plan=plan, objectives=parts, low=low, high=high, unknowns=unknowns, actions=len(actions)
    )


# --- Follow-up of a year ----------------------------------------------------------------------


@dataclass
class Spend:
    """An action's spend in a year. Planned: the staff's planned budget if given, else the plan's
    estimate for the planned quantities (low–high). Committed: the budgets of the year's bureau
    events of the action's kind plus other commitments entered; actual: the actual costs entered
    on those events plus other spend entered."""

    planned_low: Decimal = ZERO
    planned_high: Decimal = ZERO
    planned_unknown: bool = False  # an item with a planned quantity has no figure
    planned_entered: bool = False  # the planned budget was entered by staff
    committed_events: Decimal = ZERO
    committed_entered: Decimal = ZERO
    actual_events: Decimal = ZERO
    actual_entered: Decimal = ZERO
    events: list[BureauEvent] = field(default_factory=list)
    staff_months: Decimal = ZERO
    staff_months_unknown: bool = False

    @property
    def committed(self) -> Decimal:
        return self.committed_events + self.committed_entered

    @property
    def actual(self) -> Decimal:
        return self.actual_events + self.actual_entered

    def as_json(self) -> dict:
        return {
            "planned_low": str(self.planned_low),
            "planned_high": str(self.planned_high),
            "planned_unknown": self.planned_unknown,
            "planned_entered": self.planned_entered,
            "committed": str(self.committed),
            "committed_events": str(self.committed_events),
            "committed_entered": str(self.committed_entered),
            "actual": str(self.actual),
            "actual_events": str(self.actual_events),
            "actual_entered": str(self.actual_entered),
            "events": len(self.events),
            "staff_months": str(self.staff_months),
        }


def planned_estimate(quantities: list[ItemQuantity]) -> tuple[Decimal, Decimal, bool]:
    low = high = ZERO
    unknown = False
    for row in quantities:
        if not row.quantity:
            continue
        amounts = row.item.cost_for(row.quantity)
        if amounts is None:
            unknown = True
            continue
        low += amounts[0]
        high += amounts[1]
    return low, high, unknown


def action_years_spend(action_years: list[ActionYear]) -> dict[int, Spend]:
    """The spend of each action-year, reading the events of every kind and year concerned at
    once. The action-years need their `action` and `quantities` (with `item`) loaded."""
    wanted = {(ay.action.event_kind, ay.year) for ay in action_years if ay.action.event_kind}
    events: dict[tuple[str, int], list[BureauEvent]] = defaultdict(list)
    if wanted:
        kinds = {kind for kind, _year in wanted}
        years = {year for _kind, year in wanted}
        rows = (
            BureauEvent.objects.filter(kind__in=kinds, starts_on__year__in=years)
            .exclude(status=EventStatus.CANCELLED)
            .order_by("starts_on", "pk")
        )
        for event in rows:
            key = (event.kind, event.starts_on.year)
            if key in wanted:
                events[key].append(event)
    costs = cost_summaries(event_ids=[e.pk for group in events.values() for e in group])
    spend = {}
    for ay in action_years:
        quantities = list(ay.quantities.all())
        low, high, unknown = planned_estimate(quantities)
        item = Spend(planned_low=low, planned_high=high, planned_unknown=unknown)
        if ay.planned_amount is not None:
            item.planned_low = item.planned_high = ay.planned_amount
            item.planned_unknown = False
            item.planned_entered = True
        for row in quantities:
            if not row.quantity:
                continue
            if row.item.staff_months is None:
                item.staff_months_unknown = True
            else:
                item.staff_months += row.item.staff_months * row.quantity / row.item.for_quantity
        item.committed_entered = ay.committed_amount
        item.actual_entered = ay.actual_amount
        item.events = (
            events.get((ay.action.event_kind, ay.year), []) if ay.action.event_kind else []
        )
        for event in item.events:
            summary = costs[event.pk]
            item.committed_events += summary.budget
            item.actual_events += summary.actual
        spend[ay.pk] = item
    return spend


@dataclass
class KpiValue:
    kpi: Kpi
    value: Decimal | None
    measured: bool  # computed by micedesk (else entered by hand, or missing)
    source: str  # what the figure is read from, or who entered it

    @property
    def reached(self) -> bool | None:
        if self.value is None or self.kpi.target is None:
            return None
        return self.value >= self.kpi.target

    def as_json(self) -> dict:
        return {
            "name": self.kpi.name,
            "measure": self.kpi.measure or None,
            "unit": self.kpi.unit,
            "target": _text(self.kpi.target),
            "value": _text(self.value),
            "measured": self.measured,
            "source": self.source,
        }


def kpi_values(kpis: list[Kpi], *, year: int, as_of: datetime.date | None = None) -> list[KpiValue]:
    """The value of each indicator for `year`: computed by `plan.measures` when it names a
    measure (one computation per measure), else the value entered by hand."""
    from micedesk.plan import measures

    keys = {kpi.measure for kpi in kpis if kpi.measure}
    computed = measures.compute(keys, year=year, as_of=as_of) if keys else {}
    values = []
    for kpi in kpis:
        if kpi.measure:
            found = computed.get(kpi.measure)
            values.append(
                KpiValue(
                    kpi,
                    found.value if found else None,
                    True,
                    found.detail if found else measures.describe(kpi.measure),
                )
            )
        else:
            values.append(KpiValue(kpi, kpi.manual_value, False, kpi.manual_source))
    return values


@dataclass
class FollowUpRow:
    action_year: ActionYear
    spend: Spend
    kpis: list[KpiValue]

    @property
    def action(self) -> Action:
        return self.action_year.action


@dataclass
class ObjectiveFollowUp:
    objective: Objective
    rows: list[FollowUpRow]
    planned_low: Decimal = ZERO
    planned_high: Decimal = ZERO
    committed: Decimal = ZERO
    actual: Decimal = ZERO


@dataclass
class YearFollowUp:
    plan: Plan
    year: int
    objectives: list[ObjectiveFollowUp]
    planned_low: Decimal = ZERO
    planned_high: Decimal = ZERO
    committed: Decimal = ZERO
    actual: Decimal = ZERO
    staff_months: Decimal = ZERO
    unknowns: list[Action] = field(default_factory=list)

    @property
    def rows(self) -> list[FollowUpRow]:
        return [row for part in self.objectives for row in part.rows]


def year_action_years(*, plan: Plan, year: int) -> list[ActionYear]:
    return list(
        ActionYear.objects.filter(action__plan=plan, year=year)
        .select_related("action__objective", "action__owner")
        .prefetch_related(
            Prefetch("quantities", ItemQuantity.objects.select_related("item")), "kpis"
        )
        .order_by("action__objective__number", "action__position", "action__pk")
    )


def year_follow_up(
    *, user: User, plan: Plan, year: int, with_kpis: bool = True, as_of: datetime.date | None = None
) -> YearFollowUp:
    """Every action-year of `year`, grouped by objective, with its spend and (if asked) KPIs.
    Dropped action-years are listed but their planned budget and staff time are not totalled."""
    require_staff(user)
    action_years = year_action_years(plan=plan, year=year)
    spend = action_years_spend(action_years)
    kpis: dict[int, list[KpiValue]] = {}
    if with_kpis:
        every = [kpi for ay in action_years for kpi in ay.kpis.all()]
        for value in kpi_values(every, year=year, as_of=as_of):
            kpis.setdefault(value.kpi.action_year_id, []).append(value)
    result = YearFollowUp(plan=plan, year=year, objectives=[])
    parts = {}
    for objective in plan.objectives.order_by("number"):
        parts[objective.pk] = ObjectiveFollowUp(objective=objective, rows=[])
        result.objectives.append(parts[objective.pk])
    for ay in action_years:
        row = FollowUpRow(ay, spend[ay.pk], kpis.get(ay.pk, []))
        part = parts[ay.action.objective_id]
        part.rows.append(row)
        for target in (part, result):
            if ay.status != ActionStatus.DROPPED:
                target.planned_low += row.spend.planned_low
                target.planned_high += row.spend.planned_high
            target.committed += row.spend.committed
            target.actual += row.spend.actual
        if ay.status != ActionStatus.DROPPED:
            result.staff_months += row.spend.staff_months
        if row.spend.planned_unknown and ay.status != ActionStatus.DROPPED:
            result.unknowns.append(ay.action)
    return result
