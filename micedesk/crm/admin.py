"""Django admin of the CRM: staff manage the reference data (topics, wordings, register, bureau
actions, segments); personal data is read-only here, since its changes go through the services
that write the audit log. The audit log itself is never editable."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from micedesk.crm.models import (
    AuditEntry,
    BureauAction,
    Company,
    Consent,
    ConsentWording,
    Contact,
    ImportBatch,
    Interaction,
    ProcessingActivity,
    Segment,
    Topic,
)
from micedesk.geo.admin import StaffManagesAdmin, StaffReadsAdmin


class ReadOnlyAdmin(StaffReadsAdmin):
    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(StaffManagesAdmin):
    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(BureauAction)
class BureauActionAdmin(StaffManagesAdmin):
    list_display = ["name", "kind", "starts_on", "place", "department_code", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "place"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["topics"]
    autocomplete_fields = ["commune"]


@admin.register(ConsentWording)
class ConsentWordingAdmin(StaffManagesAdmin):
    list_display = ["purpose", "version", "effective_from"]
    list_filter = ["purpose"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A wording already shown to someone is their proof: a new text is a new version.
        if obj is not None and Consent.objects.filter(wording=obj).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(StaffManagesAdmin):
    list_display = ["position", "name", "legal_basis", "retention"]
    list_display_links = ["name"]


@admin.register(Segment)
class SegmentAdmin(StaffManagesAdmin):
    list_display = ["name", "kind", "created_by", "updated_at"]
    list_filter = ["kind"]


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "naf_code", "size", "department_code", "country", "is_demo"]
    list_filter = ["kind", "size", "is_demo"]
    search_fields = ["name_key"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "company", "kind", "department_code", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name_key"]
    list_select_related = ["company"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "contact", "action"]
    list_filter = ["kind"]
    list_select_related = ["contact", "action"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["contact", "purpose", "basis", "granted", "recorded_at", "method"]
    list_filter = ["purpose", "basis", "granted", "method"]
    list_select_related = ["contact"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "status", "uploaded_at", "row_count", "refused_count"]
    exclude = ["file"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"
