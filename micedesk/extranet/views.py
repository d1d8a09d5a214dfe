"""Views of the extranet: a supplier member keeps its listings, a partner member reads its territory."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.directory.models import Supplier
from micedesk.directory.selectors import (
    supplier_status_counts,
    suppliers_in_territory,
    suppliers_in_territory_of_member,
    suppliers_of_member,
    suppliers_of_member_with_hints,
)
from micedesk.directory.services import (
    PHOTOS_PER_SUPPLIER_MAX,
    supplier_photo_add,
    supplier_photo_delete,
    supplier_publish,
    supplier_save,
    supplier_unpublish,
)
from micedesk.directory.vocab import Kind
from micedesk.extranet.decorators import extranet_member_required, supplier_member_required
from micedesk.extranet.forms import PhotoForm, RoomFormSet, SupplierForm, commune_options
from micedesk.geo.selectors import partners_of_member

TERRITORY_PAGE_SIZE = 50


@extranet_member_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.is_supplier_member:
        return _supplier_dashboard(request)
    return _partner_dashboard(request)


def _supplier_dashboard(request: HttpRequest) -> HttpResponse:
    listings = [
        (supplier, _listing_hints(supplier))
        for supplier in suppliers_of_member_with_hints(user=request.user)
    ]
    return render(request, "extranet/dashboard_supplier.html", {"listings": listings})


def _listing_hints(supplier: Supplier) -> list[str]:
    """What a listing lacks to be complete, in the words the dashboard shows."""
    hints = []
    if not supplier.description_fr.strip():
        hints.append(_("No description in French"))
    if not supplier.description_en.strip():
        hints.append(_("No description in English"))
    if supplier.kind == Kind.VENUE and supplier.room_count == 0:
        hints.append(_("No meeting room"))
    if supplier.photo_count == 0:
        hints.append(_("No photo"))
    return hints


def _partner_dashboard(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    partners = [
        (partner, supplier_status_counts(queryset=suppliers_in_territory(partners=[partner])))
        for partner in partners_of_member(user=request.user).select_related("department")
    ]
    suppliers = suppliers_in_territory_of_member(user=request.user, q=q)
    page = Paginator(suppliers, TERRITORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"partners": partners, "page": page, "q": q}
    return render(request, "extranet/dashboard_partner.html", context)


def _own_supplier(request: HttpRequest, pk: int) -> Supplier:
    """The member's own listing; any other pk is a 404, so that no one learns what exists."""
    queryset = suppliers_of_member(user=request.user).select_related("commune__department")
    return get_object_or_404(queryset, pk=pk)


def _edit_page(
    request: HttpRequest,
    supplier: Supplier,
    *,
    form: SupplierForm | None = None,
    rooms: RoomFormSet | None = None,
    photo_form: PhotoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "supplier": supplier,
        "form": form or SupplierForm(instance=supplier),
        "rooms": rooms or RoomFormSet(instance=supplier, prefix="rooms"),
        "photo_form": photo_form or PhotoForm(),
        "photos": supplier.photos.all(),
        "photos_max": PHOTOS_PER_SUPPLIER_MAX,
        "commune_options": commune_options(),
    }
    return render(request, "extranet/supplier_edit.html", context, status=status)


@supplier_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = _own_supplier(request, pk)
    if request.method != "POST":
        return _edit_page(request, supplier)
    form = SupplierForm(request.POST, instance=supplier)
    rooms = RoomFormSet(request.POST, instance=supplier, prefix="rooms")
    if form.is_valid() and rooms.is_valid():
        try:
            supplier_save(supplier=form.instance, rooms=rooms.rooms())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your listing has been saved."))
            return redirect("extranet:supplier_edit", pk=supplier.pk)
    messages.error(request, _("Nothing was saved: please correct the errors shown below."))
    return _edit_page(request, _own_supplier(request, pk), form=form, rooms=rooms, status=400)


@supplier_member_required
@require_POST
def supplier_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    supplier_publish(supplier=_own_supplier(request, pk))
    messages.success(request, _("Your listing is published: planners can find it."))
    return redirect("extranet:supplier_edit", pk=pk)


@supplier_member_required
@require_POST
def supplier_unpublish_view(request: HttpRequest, pk: int) -> HttpResponse:
    supplier_unpublish(supplier=_own_supplier(request, pk))
    messages.success(
        request, _("Your listing is withdrawn: it is a draft again, hidden from planners.")
    )
    return redirect("extranet:supplier_edit", pk=pk)


@supplier_member_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = _own_supplier(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supplier_photo_add(supplier=supplier, image=data["image"], caption=data["caption"])
        except ValidationError as error:
            # Keyed by `image` when the picture is refused, unkeyed when the listing is full.
            form.add_error(None, error)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect("extranet:supplier_edit", pk=pk)
    messages.error(request, _("The photo was not added: see why below."))
    return _edit_page(request, supplier, photo_form=form, status=400)


@supplier_member_required
@require_POST
def photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    supplier = _own_supplier(request, pk)
    supplier_photo_delete(photo=get_object_or_404(supplier.photos, pk=photo_pk))
    messages.success(request, _("The photo has been deleted."))
    return redirect("extranet:supplier_edit", pk=pk)
