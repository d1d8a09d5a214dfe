"""Back-office screens of the action plan's synthesis: the plan's own cost tables and totals (page,
printable A4 page, XLSX download) and the timeline of the plan's years (each action's status per
year, the bureau's events of its kind on their month). Figures come from micedesk.plan.selectors;
these views only arrange them for reading."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from micedesk.backoffice import plan_exports
from micedesk.backoffice.decorators import staff_required
from micedesk.operations.models import BureauEvent
from micedesk.plan import selectors
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem, Objective, Plan
from micedesk.plan.selectors import ObjectiveSynthesis, Synthesis, SynthesisRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS = range(1, 13)


# --- Synthesis --------------------------------------------------------------------------------


@dataclass
class CostLine:
    item: CostItem
    basis: str  # "per éductour", "for 10 établissements", "lump sum"


@dataclass
class TableRow:
    row: SynthesisRow
    lines: list[CostLine]
    note: str  # listed under another objective too


@dataclass
class ObjectiveTables:
    part: ObjectiveSynthesis
    rows: list[TableRow]
    start_groups: list[tuple[int, list[Action]]]  # (start year, actions), as the plan groups them


def _objective_tables(part: ObjectiveSynthesis) -> ObjectiveTables:
    number = part.objective.number
    rows = [
        TableRow(
            row,
            [CostLine(item, plan_exports.cost_basis(item)) for item in row.costs],
            plan_exports.shared_note(row.action, number),
        )
        for row in part.rows
    ]
    groups = [
        (year, [a for a in part.start_actions if a.start_year == year])
        for year in part.start_years()
    ]
    return ObjectiveTables(part, rows, groups)


def _staff_months(synthesis: Synthesis) -> tuple[Decimal, int]:
    """Staff time the cost tables state (each action once), and how many estimates state it."""
    seen: set[int] = set()
    months, count = Decimal(0), 0
    for part in synthesis.objectives:
        for row in part.rows:
            if row.action.pk in seen:
                continue
            seen.add(row.action.pk)
            for item in row.costs:
                if item.staff_months is not None:
                    months += item.staff_months
                    count += 1
    return months, count


def _synthesis_context(request: HttpRequest, code: str) -> dict:
    plan = selectors.plan_for_staff(user=request.user, code=code)
    synthesis = selectors.plan_synthesis(user=request.user, plan=plan)
    months, estimates = _staff_months(synthesis)
    return {
        "plan": plan,
        "synthesis": synthesis,
        "objectives": [_objective_tables(part) for part in synthesis.objectives],
        "staff_months": months,
        "staff_estimates": estimates,
        "shared_actions": [
            row.action for part in synthesis.objectives for row in part.rows if row.shared
        ],
        "today": timezone.localdate(),
    }


@staff_required
@require_safe
def plan_synthesis(request: HttpRequest, code: str) -> HttpResponse:
    context = _synthesis_context(request, code)
    return render(request, "backoffice/plan/synthesis.html", context)


@staff_required
@require_safe
def plan_synthesis_print(request: HttpRequest, code: str) -> HttpResponse:
    """The same tables on an A4 page, without the back-office's frame: to print or save as PDF."""
    context = _synthesis_context(request, code)
    return render(request, "backoffice/plan/synthesis_print.html", context)


@staff_required
@require_safe
def plan_synthesis_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_for_staff(user=request.user, code=code)
    stream = io.BytesIO()
    synthesis = selectors.plan_synthesis(user=request.user, plan=plan)
    plan_exports.synthesis_xlsx(synthesis=synthesis, stream=stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="synthese-{plan.code}.xlsx"'
    return response


# --- Timeline ---------------------------------------------------------------------------------


@dataclass
class TimelineCell:
    year: int
    action_year: ActionYear | None
    events: list[BureauEvent] = field(default_factory=list)
    today: datetime.date | None = None  # set in the cell of today's year


@dataclass
class TimelineLine:
    action: Action
    cells: list[TimelineCell]


@dataclass
class TimelineGroup:
    objective: Objective
    lines: list[TimelineLine]


def _timeline(request: HttpRequest, plan: Plan, today: datetime.date) -> list[TimelineGroup]:
    """Every action under its own objective, a cell per plan year: the action-year (its status)
    and the year's bureau events of the action's kind (not cancelled), as the follow-up counts
    their spend."""
    actions = list(selectors.plan_actions(user=request.user, plan=plan))
    action_years = [ay for action in actions for ay in action.years.all()]
    spend = selectors.action_years_spend(action_years)
    groups = {
        objective.pk: TimelineGroup(objective, [])
        for objective in plan.objectives.order_by("number")
    }
    for action in actions:
        by_year = {ay.year: ay for ay in action.years.all()}
        cells = []
        for year in plan.years:
            action_year = by_year.get(year)
            cells.append(
                TimelineCell(
                    year,
                    action_year,
                    spend[action_year.pk].events if action_year else [],
                    today if today.year == year else None,
                )
            )
        groups[action.objective_id].lines.append(TimelineLine(action, cells))
    return list(groups.values())


@staff_required
@require_safe
def plan_timeline(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_for_staff(user=request.user, code=code)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "groups": _timeline(request, plan, today),
        "years": plan.years,
        "months": [datetime.date(2000, month, 1) for month in MONTHS],
        "today": today,
        "columns": len(plan.years) + 1,
        "statuses": ActionStatus.choices,
    }
    return render(request, "backoffice/plan/timeline.html", context)
