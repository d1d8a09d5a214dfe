"""Back-office screens of the returns of the bureau's events: the dashboard of an event and of a
year, their XLSX downloads, the one-page summary for the partners, and the returns parameters
(attribution settings, spend per delegate-day). Figures come from micedesk.operations.returns;
these views only pick what to show and shape the charts' data."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from micedesk.backoffice import returns_exports
from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.returns_forms import (
    RULE_HELP,
    ReturnsSettingsForm,
    SpendParameterForm,
    YearForm,
)
from micedesk.leads.models import EventKind
from micedesk.operations import returns, services
from micedesk.operations.models import AttributionRule, SpendParameter
from micedesk.operations.returns import EventReturns, YearReturns
from micedesk.operations.selectors import campaign_figures, event_for_staff

# Rows of a table of the one-page summary, the last one summing the others when there are more.
SUMMARY_ROWS = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _money(value: object) -> float:
    """A chart's number: Chart.js reads floats; the tables beside it keep the exact Decimals."""
    return float(value or 0)


def _ratio(value: object) -> float | None:
    """A ratio without a divisor is left out of its chart (null), not drawn as zero."""
    return None if value is None else float(value)


def _attachment(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Charts ----------------------------------------------------------------------------------


def _cost_chart(result: EventReturns) -> dict:
    rows = result.cost.by_category
    return {
        "labels": [row.label for row in rows],
        "axis": "€",
        "datasets": [
            {"label": _("Budget"), "stack": "budget", "data": [_money(r.budget) for r in rows]},
            {"label": _("Actual"), "stack": "actual", "data": [_money(r.actual) for r in rows]},
        ],
    }


def _share_chart(shares: dict[str, object], labels: dict[str, str]) -> dict:
    return {
        "labels": [labels.get(key, key) for key in shares],
        "axis": _("Events won"),
        "datasets": [{"label": _("Events won"), "data": [_money(v) for v in shares.values()]}],
    }


def _event_charts(result: EventReturns) -> dict[str, dict]:
    return {
        "costs": _cost_chart(result),
        "kinds": _share_chart(result.by_kind, dict(EventKind.choices)),
        "origins": _share_chart(result.by_origin, {}),
    }


def _year_on_year_chart(result: YearReturns) -> dict:
    names = ["net_cost", "economic_impact"]
    return {
        "labels": [_("Net cost"), _("Economic impact")],
        "axis": "€",
        "datasets": [
            {
                "label": str(result.year - 1),
                "stack": "previous",
                "data": [_money(getattr(result.previous, name)) for name in names],
            },
            {
                "label": str(result.year),
                "stack": "current",
                "data": [_money(getattr(result.totals, name)) for name in names],
            },
        ],
    }


def _cost_impact_chart(result: YearReturns) -> dict:
    items = result.events
    return {
        "labels": [item.event.name for item in items],
        "axis": "€",
        "datasets": [
            {
                "label": _("Net cost"),
                "stack": "cost",
                "data": [_money(item.cost.net_cost) for item in items],
            },
            {
                "label": _("Economic impact"),
                "stack": "impact",
                "data": [_money(item.economic_impact) for item in items],
            },
        ],
    }


def _kind_cost_chart(result: YearReturns) -> dict:
    rows = result.by_kind
    return {
        "labels": [row.label for row in rows],
        "axis": "€",
        "datasets": [
            {
                "label": _("Cost per useful contact"),
                "data": [_ratio(row.totals.cost_per_useful_contact) for row in rows],
            }
        ],
    }


def _year_charts(result: YearReturns) -> dict[str, dict]:
    return {
        "year_on_year": _year_on_year_chart(result),
        "cost_impact": _cost_impact_chart(result),
        "kind_cost": _kind_cost_chart(result),
    }


def _kind_rows(result: EventReturns) -> list[tuple[str, Decimal]]:
    labels = dict(EventKind.choices)
    return [(labels.get(kind, kind), weight) for kind, weight in result.by_kind.items()]


def _top_rows(rows: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """The largest shares, the rest summed in one row: the summary must hold on one page."""
    rows = sorted(rows, key=lambda row: row[1], reverse=True)
    if len(rows) <= SUMMARY_ROWS:
        return rows
    rest = sum((weight for _label, weight in rows[SUMMARY_ROWS - 1 :]), Decimal(0))
    return [*rows[: SUMMARY_ROWS - 1], (_("Others"), rest)]


def _banner() -> dict:
    """Which attribution rule and window the figures use, for the banner above them."""
    config = returns.returns_settings()
    return {
        "rule": AttributionRule(config.rule).label,
        "window_months": config.window_months,
        "min_useful_contacts": config.min_useful_contacts,
    }


# --- Dashboards -------------------------------------------------------------------------------


@staff_required
@require_safe
def event_returns(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for_staff(user=request.user, pk=pk)
    result = returns.event_returns(event=event)
    context = {
        "event": event,
        "result": result,
        "charts": _event_charts(result),
        "kinds": _kind_rows(result),
        "banner": _banner(),
        "campaign": campaign_figures(event=event),
    }
    return render(request, "backoffice/returns_event.html", context)


@staff_required
@require_safe
def returns_year(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET)
    if not form.is_valid():
        return render(request, "backoffice/returns_year.html", {"form": form}, status=400)
    result = returns.year_returns(year=form.cleaned_data["year"])
    context = {
        "form": form,
        "result": result,
        "charts": _year_charts(result),
        "banner": _banner(),
    }
    return render(request, "backoffice/returns_year.html", context)


@staff_required
@require_safe
def returns_year_export(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET)
    if not form.is_valid():
        return render(request, "backoffice/returns_year.html", {"form": form}, status=400)
    result = returns.year_returns(year=form.cleaned_data["year"])
    stream = io.BytesIO()
    returns_exports.year_returns_xlsx(result=result, stream=stream)
    return _attachment(stream.getvalue(), f"returns-{result.year}.xlsx")


@staff_required
@require_safe
def event_returns_export(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for_staff(user=request.user, pk=pk)
    stream = io.BytesIO()
    returns_exports.event_returns_xlsx(result=returns.event_returns(event=event), stream=stream)
    return _attachment(stream.getvalue(), f"returns-event-{event.pk}.xlsx")


@staff_required
@require_safe
def event_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-page summary for the partners: counts and scope, never a person."""
    event = event_for_staff(user=request.user, pk=pk)
    result = returns.event_returns(event=event)
    context = {
        "event": event,
        "result": result,
        "kinds": _top_rows(_kind_rows(result)),
        "origins": _top_rows(list(result.by_origin.items())),
    }
    return render(request, "backoffice/returns_summary.html", context)


# --- Parameters -------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def returns_settings_edit(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ReturnsSettingsForm.for_settings(returns.returns_settings(), data)
    if data is not None and form.is_valid():
        try:
            services.returns_settings_save(data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The returns settings are saved."))
            return redirect("backoffice:returns_settings")
    context = {"form": form, "rule_help": [(r.label, RULE_HELP[r]) for r in AttributionRule]}
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/returns_settings.html", context, status=status)


@staff_required
@require_safe
def spend_parameters(request: HttpRequest) -> HttpResponse:
    labels = {"": _("Any kind (default)"), **dict(EventKind.choices)}
    rows = SpendParameter.objects.order_by("-year", "event_kind")
    context = {"parameters": [(row, labels.get(row.event_kind, row.event_kind)) for row in rows]}
    return render(request, "backoffice/returns_spend_parameters.html", context)


def _spend_form_page(request: HttpRequest, parameter: SpendParameter | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = SpendParameterForm.for_parameter(parameter, data)
    if data is not None and form.is_valid():
        try:
            services.spend_parameter_save(
                data=form.cleaned_data, user=request.user, parameter=parameter
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The spend parameter is saved."))
            return redirect("backoffice:spend_parameters")
    status = 400 if form.is_bound else 200
    context = {"form": form, "parameter": parameter}
    return render(request, "backoffice/returns_spend_parameter_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def spend_parameter_new(request: HttpRequest) -> HttpResponse:
    return _spend_form_page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def spend_parameter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _spend_form_page(request, get_object_or_404(SpendParameter, pk=pk))
