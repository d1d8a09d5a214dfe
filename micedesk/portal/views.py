"""Views of the public portal: home, supplier search, supplier pages, account entry and robots.txt."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from micedesk.directory.models import Supplier
from micedesk.directory.selectors import (
    FacetValue,
    SearchResult,
    SupplierSearch,
    supplier_public_detail,
    supplier_search,
)
from micedesk.directory.vocab import LAYOUTS, QUALIFICATION_LEVEL_CODES, QualificationLevel
from micedesk.portal.forms import ANY_LEVEL, LEVEL_CHOICES, LoginForm, SearchForm
from micedesk.portal.jsonld import supplier_json_ld

PAGE_SIZE = 20
FACET_FIELDS = ("department", "kind", "equipment", "label", "theme")
# What a published level means, on the supplier's page.
LEVEL_EXPLANATIONS = {
    QualificationLevel.REFERENCED: _("Referenced by the bureau's grid"),
    QualificationLevel.QUALIFIED: _("Qualified by the bureau's grid"),
    QualificationLevel.RECOMMENDED: _("Recommended by the bureau's grid"),
}
LEVEL_SEARCH_LINKS = {
    QualificationLevel.REFERENCED: _("See every supplier referenced or better"),
    QualificationLevel.QUALIFIED: _("See every supplier qualified or better"),
    QualificationLevel.RECOMMENDED: _("See every recommended supplier"),
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm()
    result = supplier_search(search=SupplierSearch(page_size=1), with_facets=True)
    facets = _facet_groups(form, result)
    return render(
        request,
        "portal/home.html",
        {
            "form": form,
            "total": result.count,
            "themes": facets["theme"],
            "kinds": facets["kind"],
            "departments": facets["department"],
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()  # errors are shown; the valid part of the search still runs
    query = form.search(page_size=PAGE_SIZE)
    result = supplier_search(search=query, with_facets=True)
    if result.count and query.page > result.page_count:
        query = dataclasses.replace(query, page=result.page_count)
        result = supplier_search(search=query, with_facets=True)
    partial = _wants_fragment(request)
    context = {
        "form": form,
        "result": result,
        "query": query,
        "facets": _facet_groups(form, result),
        "facet_legends": [(name, form.fields[name].label) for name in FACET_FIELDS],
        "layout_facets": result.facets.get("layout", []),
        "level_facets": _level_options(query, result),
        "department_names": dict(form.fields["department"].choices),
        "first_rank": (query.page - 1) * query.page_size + 1,
        "active_filters": _active_filters(query),
        "pages": _page_window(query.page, result.page_count),
        "is_fragment": partial,
    }
    template = "portal/fragment_results.html" if partial else "portal/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def supplier(request: HttpRequest, slug: str) -> HttpResponse:
    found = supplier_public_detail(slug=slug, user=request.user)
    if found is None:
        raise Http404
    rooms = list(found.rooms.all())
    layouts = [layout for layout in LAYOUTS if any(room.capacity(layout) for room in rooms)]
    context = {
        "supplier": found,
        "rooms": rooms,
        "layouts": layouts,
        "photos": list(found.photos.all()),
        "json_ld": supplier_json_ld(found, rooms=rooms, request=request),
        "qualification": _qualification(found),
    }
    return render(request, "portal/supplier.html", context)


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Send each role to its own space; a user without a role learns whom to ask."""
    user = request.user
    if user.is_bureau_staff:
        return redirect("/backoffice/")
    if user.is_supplier_member or user.is_partner_member:
        return redirect("/extranet/")
    return render(
        request, "portal/account.html", {"contact_email": settings.MICEDESK_CONTACT_EMAIL}
    )


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        # A `next` back to this very page would make Django refuse a logged-in user with an error.
        url = super().get_redirect_url()
        return "" if url == self.request.path else url


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /backoffice/",
        "Disallow: /extranet/",
        "Disallow: /api/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _wants_fragment(request: HttpRequest) -> bool:
    """htmx asks for the results region only; a history restore needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _facet_groups(form: SearchForm, result: SearchResult) -> dict[str, list[FacetValue]]:
    """Every option of each checkbox filter with its count, zero included, in the form's order."""
    groups = {}
    for name in FACET_FIELDS:
        counted = {facet.code: facet for facet in result.facets.get(name, [])}
        selected = set(form.valid_values(name)) if form.is_bound else set()
        groups[name] = [
            FacetValue(
                code=str(code),
                label=str(label),
                count=counted[code].count if code in counted else 0,
                selected=str(code) in selected,
            )
            for code, label in form.fields[name].choices
        ]
    return groups


def _level_options(query: SupplierSearch, result: SearchResult) -> list[FacetValue]:
    """The level filter's options, "any level" first; each counts that level or better, with
    the other filters kept."""
    counted = {facet.code: facet.count for facet in result.facets.get("level", [])}
    chosen = QUALIFICATION_LEVEL_CODES[query.level] if query.level else ""
    any_code = QUALIFICATION_LEVEL_CODES[QualificationLevel.NONE]
    options = [FacetValue("", str(ANY_LEVEL), counted.get(any_code, 0), not chosen)]
    for code, label in LEVEL_CHOICES:
        options.append(FacetValue(code, str(label), counted.get(code, 0), code == chosen))
    return options


def _qualification(supplier: Supplier) -> dict | None:
    """The published level as the supplier's page shows it; None when it has none."""
    level = supplier.qualification_level
    if not level:
        return None
    return {
        "level": level,
        "code": QUALIFICATION_LEVEL_CODES[level],
        "label": supplier.get_qualification_level_display(),
        "explanation": LEVEL_EXPLANATIONS.get(level, ""),
        "search_text": LEVEL_SEARCH_LINKS.get(level, ""),
        "valid_until": supplier.qualification_valid_until,
    }


def _active_filters(query: SupplierSearch) -> int:
    """How many filters narrow the search (the text and the place are shown on their own)."""
    chosen = (query.departments, query.kinds, query.equipment, query.labels, query.themes)
    single = (query.layout, query.min_capacity, query.min_bedrooms, query.level)
    return sum(len(codes) for codes in chosen) + sum(1 for value in single if value)


def _page_window(current: int, total: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: the first, the last and a few around the current; None marks a gap."""
    shown = {1, total, *range(current - around, current + around + 1)}
    pages: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= total):
        if pages and pages[-1] is not None and number > pages[-1] + 1:
            pages.append(None)
        pages.append(number)
    return pages
