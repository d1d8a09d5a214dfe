"""Views of the quote requests in the back-office: the inbox, each request with its qualification,
matching, routing and dispatches, the staff's actions on it, and the conversion figures."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from micedesk.backoffice.decorators import staff_required
from micedesk.directory.models import Supplier
from micedesk.geo.models import Department
from micedesk.leads.figures import (
    LeadFigures,
    Table,
    figures_export_csv,
    figures_export_xlsx,
    figures_for_period,
)
from micedesk.leads.intake import (
    quote_request_merge,
    quote_request_reject_spam,
    quote_request_release,
    quote_request_split,
    spam_explanation,
)
from micedesk.leads.matching import match_explanation
from micedesk.leads.models import Channel, Match, QuoteRequest, RequestStatus
from micedesk.leads.responses import quote_request_declare_outcome
from micedesk.leads.routing import quote_request_reroute
from micedesk.leads.selectors import dispatches_for, quote_requests_inbox

FIGURES_DEFAULT_DAYS = 365
EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", figures_export_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        figures_export_xlsx,
    ),
}


def _blank_first(choices: list[tuple[str, str]], label: object) -> list[tuple[str, object]]:
    return [("", label), *choices]


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=_blank_first(RequestStatus.choices, gettext_lazy("All statuses")),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=_blank_first(Channel.choices, gettext_lazy("All channels")),
    )
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    q = forms.CharField(
        label=gettext_lazy("Reference, organisation, name or e-mail"),
        required=False,
        max_length=100,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        departments = [(d.code, str(d)) for d in Department.objects.order_by("code")]
        self.fields["department"].choices = _blank_first(
            departments, gettext_lazy("All departments")
        )


class MergeForm(forms.Form):
    keep = forms.CharField(label=gettext_lazy("Reference of the request it repeats"), max_length=16)

    def clean_keep(self) -> QuoteRequest:
        reference = self.cleaned_data["keep"].strip()
        keep = QuoteRequest.objects.filter(reference__iexact=reference).first()
        if keep is None:
            raise ValidationError(_("No request has this reference."), code="unknown")
        return keep


class RerouteForm(forms.Form):
    supplier_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Matching suppliers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_ids = forms.CharField(
        label=gettext_lazy("Other suppliers, by number (separated by commas)"),
        required=False,
        max_length=500,
    )

    def __init__(self, *args: object, matches: list[Match], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_ids"].choices = [(m.supplier_id, m.supplier.name) for m in matches]

    def clean_other_ids(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["other_ids"].split(",")]
        try:
            return [int(part) for part in parts if part]
        except ValueError:
            raise ValidationError(
                _("Give suppliers by their numbers, separated by commas."), code="invalid"
            ) from None

    def clean(self) -> dict:
        data = super().clean()
        chosen = set(data.get("supplier_ids") or []) | set(data.get("other_ids") or [])
        if not self.errors and not chosen:
            raise ValidationError(_("Pick at least one supplier."), code="required")
        data["chosen"] = sorted(chosen)
        return data


class OutcomeForm(forms.Form):
    supplier = forms.TypedChoiceField(
        label=gettext_lazy("Chosen supplier"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Final participants"), required=False, min_value=1
    )
    days = forms.IntegerField(label=gettext_lazy("Final days"), required=False, min_value=1)
    budget = forms.DecimalField(
        label=gettext_lazy("Final budget (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args: object, suppliers: list[Supplier], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = _blank_first(
            [(s.pk, s.name) for s in suppliers], gettext_lazy("None: lost or cancelled")
        )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


@staff_required
@require_safe
def requests_inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"form": form, "page": None}
        return render(request, "backoffice/requests_inbox.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    page = quote_requests_inbox(
        user=request.user,
        status=filters.get("status") or None,
        channel=filters.get("channel") or None,
        department=filters.get("department") or None,
        q=filters.get("q", ""),
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "backoffice/requests_inbox.html", context)


def _matches(quote_request: QuoteRequest) -> list[Match]:
    language = get_language() or "fr"
    matches = list(
        Match.objects.filter(quote_request=quote_request)
        .select_related("supplier", "supplier__commune")
        .order_by("-eligible", "rank", "-score", "pk")
    )
    for match in matches:
        match.explanation_text = match_explanation(reasons=match.reasons, language=language)
    return matches


def _outcome_suppliers(quote_request: QuoteRequest) -> list[Supplier]:
    dispatched = quote_request.dispatches.filter(supplier__isnull=False).values("supplier_id")
    asked = quote_request.requested_suppliers.values("pk")
    return list(Supplier.objects.filter(Q(pk__in=dispatched) | Q(pk__in=asked)).order_by("name"))


def _request_page(
    request: HttpRequest,
    quote_request: QuoteRequest,
    *,
    forms_: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    matches = _matches(quote_request)
    eligible = [match for match in matches if match.eligible]
    suppliers = _outcome_suppliers(quote_request)
    page_forms: dict[str, forms.Form] = {
        "merge": MergeForm(),
        "reroute": RerouteForm(matches=eligible),
        "outcome": OutcomeForm(suppliers=suppliers),
    }
    page_forms.update(forms_ or {})
    dispatches = (
        dispatches_for(user=request.user)
        .filter(quote_request=quote_request)
        .select_related("forwarded_by")
        .order_by("created_at", "pk")
    )
    context = {
        "quote_request": quote_request,
        "spam_text": spam_explanation(
            reasons=quote_request.spam_reasons, language=get_language() or "fr"
        ),
        "duplicates": quote_request.duplicates.order_by("created_at"),
        "matches": matches,
        "eligible": eligible,
        "log": quote_request.log.select_related("actor"),
        "dispatches": dispatches,
        "forms": page_forms,
    }
    return render(request, "backoffice/requests_detail.html", context, status=status)


@staff_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote_request = get_object_or_404(
        QuoteRequest.objects.select_related("commune", "duplicate_of", "won_by", "via_partner"),
        pk=pk,
    )
    return _request_page(request, quote_request)


def _refused(request: HttpRequest, quote_request: QuoteRequest, name: str, error: ValidationError):
    """The request page again, with the action's refusal shown on its form."""
    form = forms.Form(data={})
    form.is_valid()  # a bound, cleaned form takes errors
    _add_errors(form, error)
    return _request_page(request, quote_request, forms_={name: form}, status=400)


def _status_action(
    action: Callable[..., QuoteRequest], name: str, done: str
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A button that changes the request's status through one intake service."""

    @staff_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        quote_request = get_object_or_404(QuoteRequest, pk=pk)
        try:
            action(quote_request=quote_request, actor=request.user)
        except ValidationError as error:
            return _refused(request, quote_request, name, error)
        messages.success(request, done)
        return redirect("backoffice:request", pk=pk)

    view.__name__ = f"request_{name}"
    return view


request_release = _status_action(
    quote_request_release, "release", gettext_lazy("The request is released and routed.")
)
request_reject = _status_action(
    quote_request_reject_spam, "reject", gettext_lazy("The request is rejected as spam.")
)
request_split = _status_action(
    quote_request_split, "split", gettext_lazy("The request is split off and routed.")
)


@staff_required
@require_POST
def request_merge(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = get_object_or_404(QuoteRequest, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            quote_request_merge(
                keep=form.cleaned_data["keep"], duplicate=duplicate, actor=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The request is merged as a duplicate."))
            return redirect("backoffice:request", pk=pk)
    return _request_page(request, duplicate, forms_={"merge": form}, status=400)


@staff_required
@require_POST
def request_reroute(request: HttpRequest, pk: int) -> HttpResponse:
    quote_request = get_object_or_404(QuoteRequest, pk=pk)
    eligible = [match for match in _matches(quote_request) if match.eligible]
    form = RerouteForm(request.POST, matches=eligible)
    if form.is_valid():
        try:
            dispatches = quote_request_reroute(
                quote_request=quote_request,
                supplier_ids=form.cleaned_data["chosen"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The request goes to %(count)d supplier (each receives it once).",
                    "The request goes to %(count)d suppliers (each receives it once).",
                    len(dispatches),
                )
                % {"count": len(dispatches)},
            )
            return redirect("backoffice:request", pk=pk)
    return _request_page(request, quote_request, forms_={"reroute": form}, status=400)


@staff_required
@require_POST
def request_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    quote_request = get_object_or_404(QuoteRequest, pk=pk)
    form = OutcomeForm(request.POST, suppliers=_outcome_suppliers(quote_request))
    if form.is_valid():
        data = form.cleaned_data
        supplier = Supplier.objects.get(pk=data["supplier"]) if data["supplier"] else None
        try:
            quote_request_declare_outcome(
                quote_request=quote_request,
                supplier=supplier,
                participants=data["participants"],
                days=data["days"],
                budget=data["budget"],
                declared_by="staff",
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("backoffice:request", pk=pk)
    return _request_page(request, quote_request, forms_={"outcome": form}, status=400)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error(
                "end", ValidationError(_("The period ends before it starts."), code="order")
            )
        return data


def _period_form(request: HttpRequest) -> PeriodForm:
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=FIGURES_DEFAULT_DAYS - 1)
    return PeriodForm({"start": start.isoformat(), "end": today.isoformat()})


# Tables drawn as charts: conversion tables stack won over qualified-but-not-won; answer times
# show the median hours; the funnel its counts.
CONVERSION_TABLES = ("by_channel", "by_event_kind", "by_size", "by_department")
ANSWER_TABLES = ("answer_time_by_category",)


def _chart(table: Table) -> dict | None:
    labels = [str(row[0]) for row in table.rows]
    if not labels:
        return None
    if table.name == "funnel":
        return {
            "labels": labels,
            "axis": table.columns[1],
            "datasets": [{"label": table.columns[1], "data": [row[1] for row in table.rows]}],
        }
    if table.name in CONVERSION_TABLES:
        return {
            "labels": labels,
            "axis": table.columns[1],
            "datasets": [
                {"label": table.columns[2], "data": [row[2] for row in table.rows], "stack": "all"},
                {
                    "label": str(_("Qualified, not won")),
                    "data": [row[1] - row[2] for row in table.rows],
                    "stack": "all",
                },
            ],
        }
    if table.name in ANSWER_TABLES:
        column = table.columns[-1]
        return {
            "labels": labels,
            "axis": column,
            "datasets": [{"label": column, "data": [row[-1] for row in table.rows]}],
        }
    return None


def _charted(figures: LeadFigures) -> list[tuple[Table, dict | None, str]]:
    """Each table with its chart's data, if it has one, and the id of that data in the page."""
    return [(table, _chart(table), f"chart-{table.name}") for table in figures.tables]


@staff_required
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if not form.is_valid():
        return render(request, "backoffice/figures.html", {"form": form}, status=400)
    data = form.cleaned_data
    result = figures_for_period(user=request.user, start=data["start"], end=data["end"])
    context = {
        "form": form,
        "figures": result,
        "tables": _charted(result),
        "period": f"start={data['start'].isoformat()}&end={data['end'].isoformat()}",
    }
    return render(request, "backoffice/figures.html", context)


@staff_required
@require_safe
def figures_export(request: HttpRequest, file_format: str) -> HttpResponse:
    form = PeriodForm(request.GET)
    if file_format not in EXPORT_TYPES or not form.is_valid():
        return render(request, "backoffice/figures.html", {"form": form}, status=400)
    data = form.cleaned_data
    result = figures_for_period(user=request.user, start=data["start"], end=data["end"])
    content_type, write = EXPORT_TYPES[file_format]
    stream = io.BytesIO()
    write(tables=result.tables, stream=stream)
    response = HttpResponse(stream.getvalue(), content_type=content_type)
    name = f"quote-requests-{data['start'].isoformat()}-{data['end'].isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
