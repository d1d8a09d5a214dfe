"""The action plan API (staff): the plan's actions and its synthesis.

Mounted on the API by `micedesk.api.api`, whose error shape and key handling it shares.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import ValidationError

from micedesk.accounts.models import User
from micedesk.api import plan_schemas as schemas
from micedesk.api.api import ApiError, error_item
from micedesk.api.operations_api import require_staff
from micedesk.api.schemas import ErrorOut
from micedesk.plan import selectors
from micedesk.plan.models import Action, ActionYear, CostItem, Plan
from micedesk.plan.selectors import KpiValue, Spend

router = Router(tags=["plan"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def plan_asked(user: User, code: str | None) -> Plan:
    """The plan of that code, else the current one; 404 naming `plan` when there is none."""
    if code:
        try:
            return selectors.plan_for_staff(user=user, code=code)
        except Http404 as error:
            raise ApiError(
                status=404,
                loc=["query", "plan"],
                msg=_("No action plan with this code."),
                type="not_found",
            ) from error
    plan = selectors.current_plan(user=user)
    if plan is None:
        raise ApiError(
            status=404,
            loc=["query", "plan"],
            msg=_("No action plan has been loaded yet."),
            type="not_found",
        )
    return plan


def check_filters(plan: Plan, filters: schemas.PlanFilters) -> None:
    """A year outside the plan or an objective it does not have: 422 naming each parameter."""
    errors = []
    if filters.year is not None and filters.year not in plan.years:
        message = _("Not a year of the plan: it runs from %(first)s to %(last)s.") % {
            "first": plan.first_year,
            "last": plan.last_year,
        }
        errors.append(error_item(["query", "year"], message, "year_outside_plan"))
    if filters.objective is not None:
        numbers = list(plan.objectives.order_by("number").values_list("number", flat=True))
        if filters.objective not in numbers:
            message = _("The plan has no such objective; its objectives are %(numbers)s.") % {
                "numbers": ", ".join(str(number) for number in numbers) or "-"
            }
            errors.append(error_item(["query", "objective"], message, "unknown_objective"))
    if errors:
        raise ValidationError(errors)


# Documents.


def plan_summary(plan: Plan) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "first_year": plan.first_year,
        "last_year": plan.last_year,
    }


def action_year_document(action_year: ActionYear, spend: Spend, kpis: list[KpiValue]) -> dict:
    return {
        "id": action_year.pk,
        "year": action_year.year,
        "status": action_year.status,
        "priority": action_year.priority,
        "quantities": [
            {
                "label": row.item.label,
                "cost_unit": row.item.unit or None,
                "quantity": row.quantity,
                "max_quantity": row.max_quantity,
            }
            for row in action_year.quantities.all()
        ],
        "spend": spend.as_json(),
        "kpis": [value.as_json() for value in kpis],
        "notes": action_year.notes,
    }


def first_per_unit(costs: list[CostItem]) -> CostItem | None:
    return next((item for item in costs if item.per_unit), None)


def planned_quantity(action_year: ActionYear | None, item: CostItem | None) -> int | None:
    if action_year is None or item is None:
        return None
    rows = action_year.quantities.all()
    return next((row.quantity for row in rows if row.item_id == item.pk), None)


def action_document(
    action: Action,
    years: list[ActionYear],
    spend: dict[int, Spend],
    kpis: dict[int, list[KpiValue]],
) -> dict:
    """The action with the plan's estimate and its years. The issue's short names (cost_unit,
    quantity, kpis) read the year asked, or the action's first year when none was asked."""
    costs = list(action.costs.all())
    low, high, unknown = selectors.action_estimate(costs)
    stated = any(not item.is_unknown for item in costs)
    unit_item = first_per_unit(costs)
    shown = years[0] if years else None
    return {
        "id": action.pk,
        "code": action.code,
        "objective": {"number": action.objective.number, "title": action.objective.title},
        "also_objectives": sorted(o.number for o in action.also_objectives.all()),
        "title": action.title,
        "summary": action.summary,
        "timing": action.timing,
        "start_year": action.start_year,
        "lead": action.lead,
        "event_kind": action.event_kind or None,
        "returns_method": action.returns_method,
        "cost_low": str(low) if stated else None,
        "cost_high": str(high) if stated else None,
        "cost_unknown": unknown,
        "cost_unit": unit_item.unit if unit_item else None,
        "quantity": planned_quantity(shown, unit_item),
        "costs": [selectors.cost_json(item) for item in costs],
        "kpis": [value.as_json() for value in kpis.get(shown.pk, [])] if shown else [],
        "years": [action_year_document(ay, spend[ay.pk], kpis.get(ay.pk, [])) for ay in years],
    }


def years_kpis(action_years: list[ActionYear]) -> dict[int, list[KpiValue]]:
    """The KPIs of each action-year: one computation of the measures per year, whatever the
    number of actions."""
    by_year: dict[int, list] = defaultdict(list)
    for action_year in action_years:
        by_year[action_year.year].extend(action_year.kpis.all())
    found: dict[int, list[KpiValue]] = defaultdict(list)
    for year, kpis in sorted(by_year.items()):
        for value in selectors.kpi_values(kpis, year=year):
            found[value.kpi.action_year_id].append(value)
    return found


# Endpoints.


@router.get(
    "/actions",
    response={200: schemas.ActionListOut, **ERRORS},
    operation_id="plan_actions",
    url_name="plan_actions",
    summary="The action plan's actions (staff)",
    description="Each action of the plan with its objective, timing, the plan's cost estimate "
    "(low–high, per unit where the plan says so; null when it gives no figure), and per year its "
    "status, priority, planned quantities, spend (planned, committed, actual) and KPIs (measured "
    "by micedesk or entered by hand, with their source). `plan` defaults to the current plan; "
    "`year` keeps one year of the plan; `objective` the actions its synthesis lists. In pages. "
    "For staff keys only: any other key gets 403. Decimals are strings.",
)
def plan_action_list(request: HttpRequest, filters: Query[schemas.PlanFilters]) -> dict:
    user = require_staff(request)
    plan = plan_asked(user, filters.plan)
    check_filters(plan, filters)
    actions = selectors.plan_actions(user=user, plan=plan)
    if filters.objective is not None:
        listed = Q(objective__number=filters.objective) | Q(
            also_objectives__number=filters.objective
        )
        actions = actions.filter(pk__in=Action.objects.filter(listed, plan=plan).values("pk"))
    paginator = Paginator(
        actions.order_by("objective__number", "position", "pk"), filters.page_size
    )
    page = paginator.get_page(filters.page) if filters.page <= paginator.num_pages else None
    rows = list(page or [])
    years = {
        action.pk: [ay for ay in action.years.all() if filters.year in (None, ay.year)]
        for action in rows
    }
    every = [ay for action_years in years.values() for ay in action_years]
    spend = selectors.action_years_spend(every)
    kpis = years_kpis(every)
    return {
        "plan": plan_summary(plan),
        "year": filters.year,
        "count": paginator.count,
        "results": [action_document(a, years[a.pk], spend, kpis) for a in rows],
    }


@router.get(
    "/synthesis",
    response={200: schemas.SynthesisOut, **ERRORS},
    operation_id="plan_synthesis",
    url_name="plan_synthesis",
    summary="The action plan's synthesis (staff)",
    description="The plan's synthesis tables: per objective, the actions to start in a given year "
    "and those carried progressively, each action's estimated cost, totals low and high and the "
    "actions the plan gives no figure for; overall totals count an action listed under two "
    "objectives once. `plan` defaults to the current plan. For staff keys only.",
)
def plan_synthesis(request: HttpRequest, filters: Query[schemas.SynthesisFilters]) -> dict:
    user = require_staff(request)
    plan = plan_asked(user, filters.plan)
    return selectors.plan_synthesis(user=user, plan=plan).as_json()
