"""Django admin of the bureau's events: staff manage the returns parameters (spend per
delegate-day, settings) here; events, guests, costs and surveys are read here and changed in the
back-office, whose services keep the CRM action and timeline in step."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from micedesk.geo.admin import StaffManagesAdmin, StaffReadsAdmin
from micedesk.operations.models import (
    Appointment,
    BureauEvent,
    CampaignVisit,
    CostLine,
    EventGuest,
    EventParticipant,
    PartnerSurvey,
    ReturnsSettings,
    SpendParameter,
)


class ReadOnlyAdmin(StaffReadsAdmin):
    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True


class ParticipantInline(ReadOnlyInline):
    model = EventParticipant
    fields = ["supplier", "partner", "role", "cost_share", "position", "starts_at", "minutes"]


class CostLineInline(ReadOnlyInline):
    model = CostLine
    fields = ["category", "label", "budget", "actual", "hours", "hourly_rate"]


@admin.register(BureauEvent)
class BureauEventAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "status", "starts_on", "ends_on", "place", "is_demo"]
    list_filter = ["kind", "status", "online", "is_demo"]
    search_fields = ["name", "place", "theme", "campaign_slug"]
    date_hierarchy = "starts_on"
    inlines = [ParticipantInline, CostLineInline]


@admin.register(EventGuest)
class EventGuestAdmin(ReadOnlyAdmin):
    list_display = ["event", "contact", "attendance", "met_on_site", "updated_at"]
    list_filter = ["attendance", "met_on_site"]
    list_select_related = ["event", "contact"]
    search_fields = ["event__name"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["event", "participant", "contact", "status", "starts_at"]
    list_filter = ["status"]
    list_select_related = ["event", "participant__supplier", "participant__partner", "contact"]


@admin.register(PartnerSurvey)
class PartnerSurveyAdmin(ReadOnlyAdmin):
    list_display = ["event", "participant", "sent_at", "answered_at", "score", "would_return"]
    list_filter = ["would_return"]
    exclude = ["email"]


@admin.register(CampaignVisit)
class CampaignVisitAdmin(ReadOnlyAdmin):
    list_display = ["event", "day", "count"]
    date_hierarchy = "day"


@admin.register(SpendParameter)
class SpendParameterAdmin(StaffManagesAdmin):
    list_display = ["year", "event_kind", "spend_per_delegate_day", "source"]
    list_filter = ["year", "event_kind"]
    search_fields = ["source", "notes"]


@admin.register(ReturnsSettings)
class ReturnsSettingsAdmin(StaffManagesAdmin):
    list_display = ["window_months", "rule", "min_useful_contacts", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: it exists once the reference data is loaded.
        return not ReturnsSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
