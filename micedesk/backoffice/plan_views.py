"""Back-office screens to follow and edit the action plan: a year's follow-up (spend planned,
committed and actual, indicators), an action as the plan describes it with its cost estimates and
years, an action's year (status, priority, quantities, spend entered by hand, indicators), and
adding or copying a year. Staff only; reads go through micedesk.plan.selectors, writes through
micedesk.plan.services."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.plan_forms import (
    ActionForm,
    ActionYearForm,
    CostItemForm,
    KpiForm,
    add_service_errors,
)
from micedesk.operations.returns import cost_summaries
from micedesk.plan import selectors, services
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem, Kpi, Plan
from micedesk.plan.selectors import KpiValue, Spend

# Badge classes of the stylesheet that colour each status.
STATUS_BADGES = {
    ActionStatus.PROPOSED: "badge",
    ActionStatus.PLANNED: "badge returns-badge--review",
    ActionStatus.COMMITTED: "badge returns-badge--keep",
    ActionStatus.DONE: "badge badge--published",
    ActionStatus.DROPPED: "badge badge--revoked",
}
MONTHS_PER_FTE = Decimal(12)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _plan(request: HttpRequest, code: str) -> Plan:
    return selectors.plan_for_staff(user=request.user, code=code)


def _plan_year(plan: Plan, year: int) -> int:
    if year not in plan.years:
        raise Http404
    return year


def _action_url(action: Action, section: str = "") -> str:
    url = reverse("backoffice:plan_action", args=[action.plan.code, action.pk])
    return f"{url}#{section}" if section else url


def _action_year_url(plan: Plan, action_year: ActionYear, section: str = "") -> str:
    url = reverse("backoffice:plan_action_year", args=[plan.code, action_year.pk])
    return f"{url}#{section}" if section else url


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- What the tables show --------------------------------------------------------------------


@dataclass
class KpiCounts:
    """How an action-year's indicators get their value: "3 measured, 1 by hand, 1 missing"."""

    measured: int = 0
    by_hand: int = 0
    missing: int = 0

    @classmethod
    def of(cls, values: list[KpiValue]) -> KpiCounts:
        counts = cls()
        for item in values:
            if item.value is None:
                counts.missing += 1
            elif item.measured:
                counts.measured += 1
            else:
                counts.by_hand += 1
        return counts

    @property
    def total(self) -> int:
        return self.measured + self.by_hand + self.missing


@dataclass
class Line:
    """An action-year as a row of a table: its spend, its indicators and their counts."""

    action_year: ActionYear
    spend: Spend
    kpis: list[KpiValue]
    badge: str
    counts: KpiCounts

    @property
    def progress(self) -> Decimal | None:
        """Actual spend against the planned high estimate, in percent; None without a plan."""
        if not self.spend.planned_high:
            return None
        return (self.spend.actual * 100 / self.spend.planned_high).quantize(Decimal(1))


def _line(action_year: ActionYear, spend: Spend, kpis: list[KpiValue]) -> Line:
    badge = STATUS_BADGES.get(action_year.status, "badge")
    return Line(action_year, spend, kpis, badge, KpiCounts.of(kpis))


# --- The plan and its years ------------------------------------------------------------------


@staff_required
@require_safe
def plan_home(request: HttpRequest) -> HttpResponse:
    """The current plan's current year; without a plan, how to load one."""
    plan = selectors.current_plan(user=request.user)
    if plan is None:
        return render(request, "backoffice/plan/no_plan.html")
    year = timezone.localdate().year
    if year not in plan.years:
        year = plan.last_year
    return redirect("backoffice:plan_year", code=plan.code, year=year)


@staff_required
@require_safe
def plan_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    plan = _plan(request, code)
    follow_up = selectors.year_follow_up(user=request.user, plan=plan, year=_plan_year(plan, year))
    objectives = [
        (part, [_line(row.action_year, row.spend, row.kpis) for row in part.rows])
        for part in follow_up.objectives
    ]
    context = {
        "plan": plan,
        "year": year,
        "follow_up": follow_up,
        "spend_chart": _spend_chart(follow_up),
        "objectives": objectives,
        "fte": (follow_up.staff_months / MONTHS_PER_FTE).quantize(Decimal("0.01")),
        "unknowns": list(dict.fromkeys(follow_up.unknowns)),
        "next_year": year + 1,
    }
    return render(request, "backoffice/plan/year.html", context)


def _spend_chart(follow_up: selectors.YearFollowUp) -> dict:
    """Planned (high), committed and actual spend per objective: the year at a glance."""

    def euros(value: Decimal) -> float:
        return float(value.quantize(Decimal("1")))

    parts = follow_up.objectives
    return {
        "labels": [_("Objective %(number)s") % {"number": p.objective.number} for p in parts],
        "axis": "€",
        "datasets": [
            {
                "label": str(_("Planned (high)")),
                "stack": "planned",
                "data": [euros(p.planned_high) for p in parts],
            },
            {
                "label": str(_("Committed")),
                "stack": "committed",
                "data": [euros(p.committed) for p in parts],
            },
            {
                "label": str(_("Actual")),
                "stack": "actual",
                "data": [euros(p.actual) for p in parts],
            },
        ],
    }


@staff_required
@require_POST
def plan_year_add(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    try:
        year = services.plan_year_add(plan=plan, user=request.user)
    except ValidationError as error:
        _refusal(request, error)
        return redirect("backoffice:plan_year", code=plan.code, year=plan.last_year)
    messages.success(
        request,
        _("%(year)s is added to the plan: copy a year into it or follow actions in it.")
        % {"year": year},
    )
    return redirect("backoffice:plan_year", code=plan.code, year=year)


@staff_required
@require_POST
def plan_year_copy(request: HttpRequest, code: str, year: int) -> HttpResponse:
    plan = _plan(request, code)
    try:
        copied = services.plan_year_copy(plan=plan, year=year, user=request.user)
    except ValidationError as error:
        _refusal(request, error)
        back = year if year in plan.years else plan.last_year
        return redirect("backoffice:plan_year", code=plan.code, year=back)
    if copied:
        text = ngettext(
            "%(count)s action of %(year)s copied to %(next)s.",
            "%(count)s actions of %(year)s copied to %(next)s.",
            len(copied),
        )
    else:
        text = _("Every action of %(year)s is already followed in %(next)s: nothing to copy.")
    messages.success(request, text % {"count": len(copied), "year": year, "next": year + 1})
    return redirect("backoffice:plan_year", code=plan.code, year=year + 1)


# --- An action -------------------------------------------------------------------------------


def _action_years(action: Action) -> list[Line]:
    years = list(action.years.prefetch_related("quantities__item", "kpis").order_by("year"))
    spend = selectors.action_years_spend(years)
    return [
        _line(ay, spend[ay.pk], selectors.kpi_values(list(ay.kpis.all()), year=ay.year))
        for ay in years
    ]


@staff_required
@require_safe
def plan_action(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    lines = _action_years(action)
    followed = {line.action_year.year for line in lines}
    costs = list(action.costs.all())
    low, high, unknown = selectors.action_estimate(costs)
    context = {
        "plan": plan,
        "action": action,
        "costs": costs,
        "estimate": {"low": low, "high": high, "unknown": unknown},
        "lines": lines,
        "missing_years": [y for y in plan.years if y not in followed],
    }
    return render(request, "backoffice/plan/action.html", context)


def _action_form_page(request: HttpRequest, plan: Plan, action: Action | None) -> HttpResponse:
    objective = request.GET.get("objectif", "")
    form = ActionForm.for_action(
        action,
        plan=plan,
        data=_posted(request),
        objective=int(objective) if objective.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            # A copy: a refused save must not leave the typed values on the page's action.
            saved = services.action_save(
                plan=plan,
                user=request.user,
                data=form.cleaned_data,
                action=copy.copy(action) if action else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action is saved."))
            return redirect(_action_url(saved))
    status = 400 if form.is_bound else 200
    context = {"plan": plan, "action": action, "form": form}
    return render(request, "backoffice/plan/action_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, code: str) -> HttpResponse:
    return _action_form_page(request, _plan(request, code), None)


@staff_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    return _action_form_page(request, plan, action)


@staff_required
@require_POST
def action_year_add(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    year = request.POST.get("year", "")
    try:
        action_year = services.action_year_add(
            action=action, year=int(year) if year.isdigit() else 0, user=request.user
        )
    except ValidationError as error:
        _refusal(request, error)
        return redirect(_action_url(action, "years"))
    messages.success(request, _("The action is followed in %(year)s.") % {"year": action_year.year})
    return redirect(_action_year_url(plan, action_year))


# --- Cost estimates --------------------------------------------------------------------------


def _cost_item(action: Action, item_pk: int) -> CostItem:
    item = action.costs.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return item


def _cost_form_page(
    request: HttpRequest, plan: Plan, action: Action, item: CostItem | None
) -> HttpResponse:
    form = CostItemForm.for_item(item, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_item_save(
                action=action, user=request.user, data=form.cleaned_data, item=item
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cost estimate is saved."))
            return redirect(_action_url(action, "costs"))
    status = 400 if form.is_bound else 200
    context = {"plan": plan, "action": action, "item": item, "form": form}
    return render(request, "backoffice/plan/cost_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def cost_new(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    return _cost_form_page(request, plan, action, None)


@staff_required
@require_http_methods(["GET", "POST"])
def cost_edit(request: HttpRequest, code: str, pk: int, item_pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    return _cost_form_page(request, plan, action, _cost_item(action, item_pk))


@staff_required
@require_POST
def cost_delete(request: HttpRequest, code: str, pk: int, item_pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action = selectors.action_for_staff(user=request.user, plan=plan, pk=pk)
    services.cost_item_delete(item=_cost_item(action, item_pk), user=request.user)
    messages.success(request, _("The cost estimate is deleted."))
    return redirect(_action_url(action, "costs"))


# --- An action's year ------------------------------------------------------------------------


def _action_year(request: HttpRequest, plan: Plan, pk: int) -> ActionYear:
    return selectors.action_year_for_staff(user=request.user, plan=plan, pk=pk)


def _events(spend: Spend) -> list[tuple[object, object]]:
    """Each event counted in the spend, with its budget and actual costs."""
    costs = cost_summaries(event_ids=[event.pk for event in spend.events])
    return [(event, costs[event.pk]) for event in spend.events]


def _action_year_page(
    request: HttpRequest, plan: Plan, action_year: ActionYear, form: ActionYearForm, status: int
) -> HttpResponse:
    spend = selectors.action_years_spend([action_year])[action_year.pk]
    kpis = selectors.kpi_values(list(action_year.kpis.all()), year=action_year.year)
    context = {
        "plan": plan,
        "action_year": action_year,
        "action": action_year.action,
        "line": _line(action_year, spend, kpis),
        "form": form,
        "events": _events(spend),
    }
    return render(request, "backoffice/plan/action_year.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_action_year(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action_year = _action_year(request, plan, pk)
    form = ActionYearForm.for_action_year(action_year, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_year_update(
                action_year=action_year,
                user=request.user,
                data=form.data_for_service(),
                quantities=form.quantities(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            # The refused values were assigned to the object: show the stored ones beside.
            action_year = _action_year(request, plan, pk)
        else:
            messages.success(request, _("The year of the action is saved."))
            return redirect(_action_year_url(plan, action_year))
    status = 400 if form.is_bound else 200
    return _action_year_page(request, plan, action_year, form, status)


@staff_required
@require_POST
def action_year_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action_year = _action_year(request, plan, pk)
    action = action_year.action
    services.action_year_delete(action_year=action_year, user=request.user)
    messages.success(
        request, _("The action is no longer followed in %(year)s.") % {"year": action_year.year}
    )
    return redirect(_action_url(action, "years"))


# --- Indicators ------------------------------------------------------------------------------


def _kpi(action_year: ActionYear, kpi_pk: int) -> Kpi:
    kpi = action_year.kpis.filter(pk=kpi_pk).first()
    if kpi is None:
        raise Http404
    return kpi


def _kpi_form_page(
    request: HttpRequest, plan: Plan, action_year: ActionYear, kpi: Kpi | None
) -> HttpResponse:
    form = KpiForm.for_kpi(kpi, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_save(
                action_year=action_year, user=request.user, data=form.cleaned_data, kpi=kpi
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect(_action_year_url(plan, action_year, "kpis"))
    status = 400 if form.is_bound else 200
    context = {
        "plan": plan,
        "action_year": action_year,
        "action": action_year.action,
        "kpi": kpi,
        "form": form,
    }
    return render(request, "backoffice/plan/kpi_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def kpi_new(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    return _kpi_form_page(request, plan, _action_year(request, plan, pk), None)


@staff_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, code: str, pk: int, kpi_pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action_year = _action_year(request, plan, pk)
    return _kpi_form_page(request, plan, action_year, _kpi(action_year, kpi_pk))


@staff_required
@require_POST
def kpi_delete(request: HttpRequest, code: str, pk: int, kpi_pk: int) -> HttpResponse:
    plan = _plan(request, code)
    action_year = _action_year(request, plan, pk)
    services.kpi_delete(kpi=_kpi(action_year, kpi_pk), user=request.user)
    messages.success(request, _("The indicator is deleted."))
    return redirect(_action_year_url(plan, action_year, "kpis"))
