"""Views of the back-office: directory figures, API keys, the directory export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.accounts.models import ApiKey
from micedesk.accounts.selectors import api_keys_for
from micedesk.accounts.services import api_key_create, api_key_revoke
from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.exports import export_response
from micedesk.backoffice.forms import ApiKeyIssueForm, ExportForm
from micedesk.directory.selectors import (
    DepartmentFigures,
    directory_figures,
    suppliers_for_export,
    suppliers_recently_updated,
)
from micedesk.directory.vocab import Kind

API_KEYS_PAGE_SIZE = 50


@staff_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = directory_figures(user=request.user)
    context = {
        "figures": figures,
        "kinds": Kind.choices,
        "totals": _totals(figures),
        "chart": _figures_chart(figures),
        "latest": suppliers_recently_updated(user=request.user),
    }
    return render(request, "backoffice/dashboard.html", context)


def _totals(figures: list[DepartmentFigures]) -> dict[str, object]:
    """The table's last row: per kind and overall, published and draft."""
    cells = [
        (
            sum(row.published.get(kind, 0) for row in figures),
            sum(row.draft.get(kind, 0) for row in figures),
        )
        for kind in Kind.values
    ]
    return {
        "cells": cells,
        "published": sum(published for published, _draft in cells),
        "draft": sum(draft for _published, draft in cells),
    }


def _figures_chart(figures: list[DepartmentFigures]) -> dict[str, object]:
    """Chart.js data: published suppliers stacked by kind, drafts beside them, per department."""
    datasets = [
        {
            "label": str(label),
            "data": [row.published.get(kind, 0) for row in figures],
            "stack": "published",
        }
        for kind, label in Kind.choices
    ]
    datasets.append(
        {
            "label": _("Drafts (every kind)"),
            "data": [row.draft_total for row in figures],
            "stack": "draft",
        }
    )
    return {
        "labels": [row.name for row in figures],
        "datasets": datasets,
        "axis": _("Suppliers"),
    }


@staff_required
@require_safe
def api_keys(request: HttpRequest) -> HttpResponse:
    keys = api_keys_for(user=request.user)
    page = Paginator(keys, API_KEYS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/api_keys.html", {"page": page})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_key_issue(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "backoffice/api_key_issue.html", {"form": ApiKeyIssueForm()})
    form = ApiKeyIssueForm(request.POST)
    if not form.is_valid():
        return render(request, "backoffice/api_key_issue.html", {"form": form}, status=400)
    key, secret = api_key_create(
        user=form.cleaned_data["email"], label=form.cleaned_data["label"], created_by=request.user
    )
    # The secret is shown on this answer only: it is not stored, so no cache may keep the page.
    response = render(request, "backoffice/api_key_issued.html", {"key": key, "secret": secret})
    add_never_cache_headers(response)
    return response


@staff_required
@require_POST
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if key.is_active:
        api_key_revoke(key=key)
        messages.success(request, _("The key %(prefix)s… is revoked.") % {"prefix": key.prefix})
    else:
        messages.info(
            request, _("The key %(prefix)s… was already revoked.") % {"prefix": key.prefix}
        )
    return redirect("backoffice:api_keys")


@staff_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The filter form; once submitted (GET, so that an export can be bookmarked), the file."""
    if not request.GET:
        return render(request, "backoffice/export.html", {"form": ExportForm()})
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "backoffice/export.html", {"form": form}, status=400)
    data = form.cleaned_data
    queryset = suppliers_for_export(
        user=request.user, status=data["status"], department=data["department"], kind=data["kind"]
    )
    return export_response(queryset=queryset, file_format=data["format"])
