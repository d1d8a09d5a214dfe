"""Django admin for the directory: the bureau's staff manage suppliers, their rooms and photos.

Every save goes through the directory services, so that the summary columns (capacities, equipment)
and the search document stay true to the rooms.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet, URLField
from django.forms import Field
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from micedesk.accounts.models import Role
from micedesk.directory.exports import suppliers_export_csv, suppliers_export_xlsx
from micedesk.directory.forms import SupplierAdminForm
from micedesk.directory.models import MeetingRoom, Supplier, SupplierPhoto
from micedesk.directory.services import (
    supplier_apply_derived,
    supplier_photo_add,
    supplier_photo_delete,
    supplier_publish,
    supplier_refresh,
    supplier_unpublish,
)
from micedesk.directory.vocab import EQUIPMENT, LAYOUTS, Layout
from micedesk.geo.models import Department


class BureauStaffPermissions:
    """Bureau staff manage the directory without holding Django model permissions."""

    def _is_bureau_staff(self, request: HttpRequest) -> bool:
        return getattr(request.user, "is_bureau_staff", False)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_bureau_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_bureau_staff(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_bureau_staff(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_bureau_staff(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_bureau_staff(request) or super().has_delete_permission(request, obj)


class MeetingRoomInline(BureauStaffPermissions, admin.TabularInline):
    model = MeetingRoom
    extra = 0
    fields = [
        "name",
        "position",
        "area_m2",
        "ceiling_height_m",
        *[f"capacity_{layout}" for layout in LAYOUTS],
        "projector",
        "screen",
        "sound",
        "videoconference",
        "wifi",
        "power_outlets",
        "natural_light",
        "blackout",
        "step_free_access",
    ]


class SupplierPhotoInline(BureauStaffPermissions, admin.TabularInline):
    model = SupplierPhoto
    extra = 0
    fields = ["image", "caption", "position"]


class DepartmentFilter(admin.SimpleListFilter):
    title = _("department")
    parameter_name = "department_code"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(department.code, str(department)) for department in Department.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Supplier]) -> QuerySet[Supplier]:
        if self.value():
            return queryset.filter(department_code=self.value())
        return queryset


@admin.register(Supplier)
class SupplierAdmin(BureauStaffPermissions, admin.ModelAdmin):
    form = SupplierAdminForm
    inlines = [MeetingRoomInline, SupplierPhotoInline]
    list_display = [
        "name",
        "category",
        "commune",
        "department",
        "status",
        "max_capacity",
        "bedrooms",
    ]
    list_filter = ["status", "kind", "category", DepartmentFilter]
    list_select_related = ["commune"]
    search_fields = ["name", "external_id", "commune__name"]
    search_help_text = _("Name, external id or commune")
    show_full_result_count = False
    autocomplete_fields = ["commune"]
    filter_horizontal = ["members"]
    readonly_fields = [
        "kind",
        "department_code",
        "room_count",
        "max_capacity",
        "capacity_by_layout",
        "equipment_list",
        "published_at",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "unpublish", "export_csv", "export_xlsx"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "external_id", "category", "kind", "status"]}),
        (
            _("Place"),
            {
                "fields": [
                    "commune",
                    "department_code",
                    "address",
                    "postal_code",
                    ("latitude", "longitude"),
                ]
            },
        ),
        (_("Description"), {"fields": ["description_fr", "description_en", "labels", "themes"]}),
        (_("Contact"), {"fields": ["email", "phone", "website"]}),
        (
            _("Site"),
            {
                "fields": [
                    ("bedrooms", "beds"),
                    ("restaurant_covers", "parking_spaces"),
                    ("station_distance_km", "paris_travel_minutes"),
                    ("day_delegate_price_min", "day_delegate_price_max"),
                ]
            },
        ),
        (_("Members"), {"fields": ["members"]}),
        (
            _("Summary of the rooms (computed)"),
            {
                "fields": [
                    "room_count",
                    "max_capacity",
                    "capacity_by_layout",
                    "equipment_list",
                    "published_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description=_("department"), ordering="department_code")
    def department(self, supplier: Supplier) -> str:
        return supplier.department_code

    @admin.display(description=_("best capacity per layout"))
    def capacity_by_layout(self, supplier: Supplier) -> str:
        return ", ".join(
            f"{Layout(layout).label} {value}"
            for layout, value in supplier.capacities.items()
            if value
        )

    @admin.display(description=_("equipment"))
    def equipment_list(self, supplier: Supplier) -> str:
        return ", ".join(str(label) for label in EQUIPMENT.labels_in(supplier.equipment_mask))

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Field:
        if isinstance(db_field, URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Field:
        if db_field.name == "members":
            # A member acts for the supplier in the extranet: only supplier accounts qualify.
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(role=Role.SUPPLIER)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Supplier, form: Any, change: bool) -> None:
        # Slug, kind, department and search document before the first save; the room summary
        # follows in save_related, once the inline rooms are saved.
        supplier_apply_derived(obj)
        obj.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        supplier_refresh(supplier=form.instance)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not SupplierPhoto:
            return super().save_formset(request, form, formset, change)
        # Photos go through the services, as in the extranet: re-encoded, metadata dropped.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for photo_form in formset.initial_forms:
            if photo_form in formset.deleted_forms:
                supplier_photo_delete(photo=photo_form.instance)
                formset.deleted_objects.append(photo_form.instance)
            elif photo_form.has_changed():
                formset.changed_objects.append((photo_form.save(), photo_form.changed_data))
        for photo_form in formset.extra_forms:
            if photo_form.has_changed() and photo_form not in formset.deleted_forms:
                photo = supplier_photo_add(
                    supplier=form.instance,
                    image=photo_form.cleaned_data["image"],
                    caption=photo_form.cleaned_data.get("caption", ""),
                )
                formset.new_objects.append(photo)
        return None

    def selected(self, queryset: QuerySet[Supplier]) -> QuerySet[Supplier]:
        return queryset.select_related("commune__department")

    @admin.action(description=_("Publish the selected suppliers"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Supplier]) -> None:
        count = 0
        for supplier in self.selected(queryset):
            supplier_publish(supplier=supplier)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d supplier published.", "%(count)d suppliers published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected suppliers (back to draft)"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Supplier]) -> None:
        count = 0
        for supplier in self.selected(queryset):
            supplier_unpublish(supplier=supplier)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d supplier unpublished.", "%(count)d suppliers unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected suppliers to CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Supplier]) -> HttpResponse:
        return self.export(queryset, suppliers_export_csv, "csv", "text/csv; charset=utf-8")

    @admin.action(description=_("Export the selected suppliers to XLSX"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Supplier]) -> HttpResponse:
        return self.export(
            queryset,
            suppliers_export_xlsx,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def export(
        self, queryset: QuerySet[Supplier], writer: Any, extension: str, content_type: str
    ) -> HttpResponse:
        buffer = io.BytesIO()
        writer(queryset=queryset, stream=buffer)
        name = f"suppliers-{timezone.localdate():%Y-%m-%d}.{extension}"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
