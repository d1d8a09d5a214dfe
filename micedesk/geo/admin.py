"""Django admin for the geography: the bureau's staff see the reference data and manage partners.

Region, departments and communes come from the official files (`manage.py load_reference_data`):
staff may read them, only administrators may change them. Partners and their territories are the
staff's to manage.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from micedesk.geo.models import Commune, Department, Partner, Region


def _is_bureau_staff(request: HttpRequest) -> bool:
    return getattr(request.user, "is_bureau_staff", False)


class StaffReadsAdmin(admin.ModelAdmin):
    """Bureau staff may read without holding Django model permissions; the rest is unchanged."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_bureau_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_bureau_staff(request) or super().has_view_permission(request, obj)


class StaffManagesAdmin(StaffReadsAdmin):
    """Bureau staff may also add, change and delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_bureau_staff(request) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_bureau_staff(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_bureau_staff(request) or super().has_delete_permission(request, obj)


@admin.register(Region)
class RegionAdmin(StaffReadsAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(StaffReadsAdmin):
    list_display = ["code", "name", "region", "commune_count"]
    list_filter = ["region"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        return super().get_queryset(request).annotate(commune_count=Count("communes"))

    @admin.display(description=_("communes"), ordering="commune_count")
    def commune_count(self, department: Department) -> int:
        return department.commune_count


@admin.register(Commune)
class CommuneAdmin(StaffReadsAdmin):
    list_display = ["name", "insee_code", "department", "postal_code_list", "population"]
    list_filter = ["department"]
    list_select_related = ["department"]
    search_fields = ["name", "insee_code"]
    search_help_text = _("Name (accents ignored) or INSEE code")
    readonly_fields = ["slug"]
    show_full_result_count = False
    ordering = ["name"]

    @admin.display(description=_("postal codes"))
    def postal_code_list(self, commune: Commune) -> str:
        return " ".join(commune.postal_codes)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Commune], search_term: str
    ) -> tuple[QuerySet[Commune], bool]:
        """Also match the slug, so that 'evreux' finds Évreux."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = slugify(search_term)
        if folded:
            found |= queryset.filter(Q(slug__startswith=folded) | Q(slug__contains=f"-{folded}"))
        return found, may_have_duplicates


@admin.register(Partner)
class PartnerAdmin(StaffManagesAdmin):
    list_display = ["name", "kind", "department", "territory_size"]
    list_filter = ["kind", "department"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["communes"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "department"]}),
        (_("Contact"), {"fields": ["email", "phone", "website"]}),
        (_("Territory and members"), {"fields": ["communes", "members"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        return (
            super()
            .get_queryset(request)
            .select_related("department")
            .annotate(territory_size=Count("communes"))
        )

    @admin.display(description=_("communes in territory"), ordering="territory_size")
    def territory_size(self, partner: Partner) -> int:
        return partner.territory_size
