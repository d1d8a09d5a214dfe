"""Load an action plan from its data file (`data/plan/*.toml`, described at the top of the file).

Loading is all or nothing, and a plan already in the database is left as staff edited it unless
`replace` is asked for.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from micedesk.operations.models import EVENT_KINDS
from micedesk.plan.models import (
    Action,
    ActionYear,
    CostItem,
    ItemQuantity,
    Kpi,
    Objective,
    Plan,
    Timing,
)

DEFAULT_PLAN_FILE = Path(settings.BASE_DIR) / "data" / "plan" / "normandie-2023-2025.toml"


class PlanFileError(ValueError):
    """The data file is not a plan: says where and why."""


@dataclass
class LoadResult:
    plan: Plan
    created: bool
    actions: int = 0
    costs: int = 0
    action_years: int = 0
    kpis: int = 0


def _decimal(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PlanFileError(f"{where}: {value!r} is not a number") from None
    if number < 0:
        raise PlanFileError(f"{where}: {value} is negative")
    return number


def read_plan_file(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise PlanFileError(f"{path.name}: {error}") from None


def _cost(action: Action, position: int, raw: dict, where: str) -> CostItem:
    low = _decimal(raw.get("low"), f"{where} low")
    high = _decimal(raw.get("high"), f"{where} high")
    if (low is None) != (high is None):
        raise PlanFileError(f"{where}: give both low and high, or neither (unknown)")
    if low is not None and low > high:
        raise PlanFileError(f"{where}: low {low} is above high {high}")
    item = CostItem(
        action=action,
        position=position,
        label=raw["label"],
        amount_low=low,
        amount_high=high,
        unit=raw.get("unit", ""),
        for_quantity=int(raw.get("for_quantity", 1)),
        staff_months=_decimal(raw.get("staff_months"), f"{where} staff_months"),
        wording=raw.get("wording", ""),
    )
    try:
        # Field checks only: the ranges are checked above, and the database's check constraints
        # guard them again on insert (validating them here would cost a query each).
        item.clean_fields(exclude=["action"])
    except ValidationError as error:
        raise PlanFileError(f"{where}: {error.messages}") from None
    return item


@transaction.atomic
def load_plan(path: Path = DEFAULT_PLAN_FILE, *, replace: bool = False) -> LoadResult:
    data = read_plan_file(path)
    head = data.get("plan") or {}
    if not head.get("code"):
        raise PlanFileError(f"{path.name}: the [plan] table needs a code")
    existing = Plan.objects.filter(code=head["code"]).first()
    if existing and not replace:
        return LoadResult(plan=existing, created=False)
    if existing:
        Action.objects.filter(plan=existing).delete()  # objectives are protected by actions
        existing.delete()
    plan = Plan(
        code=head["code"],
        title=head["title"],
        first_year=int(head["first_year"]),
        last_year=int(head["last_year"]),
        source=head.get("source", ""),
        stated_min_budget=_decimal(head.get("stated_min_budget"), "plan stated_min_budget"),
        stated_fte=_decimal(head.get("stated_fte"), "plan stated_fte"),
        budget_wording=head.get("budget_wording", "").strip(),
    )
    if plan.first_year > plan.last_year:
        raise PlanFileError(f"{path.name}: first_year is after last_year")
    plan.save()
    objectives = {}
    for raw in data.get("objectives", []):
        objectives[raw["number"]] = Objective.objects.create(
            plan=plan, number=raw["number"], title=raw["title"]
        )
    result = LoadResult(plan=plan, created=True)
    kinds = {kind for kind, _label in EVENT_KINDS}
    quantities: list[ItemQuantity] = []
    kpis: list[Kpi] = []
    for position, raw in enumerate(data.get("actions", []), start=1):
        where = f"action {raw.get('code', position)}"
        if raw.get("objective") not in objectives:
            raise PlanFileError(f"{where}: no objective {raw.get('objective')}")
        if raw.get("timing") not in Timing.values:
            raise PlanFileError(f"{where}: timing must be one of {Timing.values}")
        if raw.get("event_kind", "") and raw["event_kind"] not in kinds:
            raise PlanFileError(f"{where}: unknown event kind {raw['event_kind']}")
        years = [int(year) for year in raw.get("years", plan.years)]
        if any(year not in plan.years for year in years):
            raise PlanFileError(f"{where}: years {years} outside the plan's")
        action = Action.objects.create(
            plan=plan,
            objective=objectives[raw["objective"]],
            code=raw["code"],
            position=10 * position,
            also_position=raw.get("also_position"),
            title=raw["title"],
            summary=raw.get("summary", ""),
            timing=raw["timing"],
            start_year=raw.get("start_year"),
            lead=raw.get("lead", ""),
            returns_method=raw.get("returns_method", ""),
            event_kind=raw.get("event_kind", ""),
        )
        action.also_objectives.set(objectives[number] for number in raw.get("also_objectives", []))
        result.actions += 1
        planned: list[tuple[CostItem, int, int, list[int]]] = []
        for index, cost in enumerate(raw.get("costs", []), start=1):
            item = _cost(action, index, cost, f"{where}, cost {index}")
            quantity = int(cost.get("quantity", item.for_quantity))
            most = int(cost.get("max_quantity", max(quantity, item.for_quantity)))
            if quantity > most:
                raise PlanFileError(f"{where}, cost {index}: quantity above max_quantity")
            planned.append((item, quantity, most, [int(y) for y in cost.get("years", years)]))
        CostItem.objects.bulk_create(item for item, *_rest in planned)
        result.costs += len(planned)
        action_years = ActionYear.objects.bulk_create(
            ActionYear(action=action, year=year) for year in years
        )
        result.action_years += len(action_years)
        quantities.extend(
            ItemQuantity(
                action_year=action_year,
                item=item,
                quantity=quantity if action_year.year in item_years else 0,
                max_quantity=most,
            )
            for action_year in action_years
            for item, quantity, most, item_years in planned
        )
        kpis.extend(
            Kpi(
                action_year=action_year,
                position=index,
                name=kpi["name"],
                measure=kpi.get("measure", ""),
                unit=kpi.get("unit", ""),
            )
            for action_year in action_years
            for index, kpi in enumerate(raw.get("kpis", []), start=1)
        )
    ItemQuantity.objects.bulk_create(quantities)
    result.kpis = len(Kpi.objects.bulk_create(kpis))
    return result
