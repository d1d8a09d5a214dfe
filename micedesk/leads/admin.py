"""Django admin for quote requests: staff read requests and dispatches (every change goes through the
leads services, so these pages only read) and set the routing policies."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from micedesk.geo.admin import StaffManagesAdmin, StaffReadsAdmin
from micedesk.leads.models import Dispatch, QuoteRequest, RoutingPolicy
from micedesk.leads.selectors import dispatch_is_late, with_lateness


class ReadOnlyAdmin(StaffReadsAdmin):
    """Every field read-only and nothing added: requests and dispatches change through the
    services (intake, routing, answers). Administrators may still delete (GDPR erasure)."""

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DispatchInline(admin.TabularInline):
    model = Dispatch
    fk_name = "quote_request"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "supplier",
        "partner",
        "forwarded_by",
        "status",
        "sent_at",
        "viewed_at",
        "first_answer_at",
        "reminded_at",
        "proposal_amount",
        "attempts",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return getattr(request.user, "is_bureau_staff", False) or super().has_view_permission(
            request, obj
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dispatch]:
        return super().get_queryset(request).select_related("supplier", "partner", "forwarded_by")


@admin.register(QuoteRequest)
class QuoteRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "created_at",
        "channel",
        "status",
        "organisation",
        "event_kind",
        "participants",
        "start_date",
        "won_by",
    ]
    list_filter = ["status", "channel", "event_kind", "organisation_kind", "created_at"]
    list_select_related = ["won_by"]
    search_fields = ["reference", "organisation", "contact_name", "email"]
    search_help_text = _("Reference, organisation, name or e-mail")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DispatchInline]
    fieldsets = [
        (None, {"fields": ["reference", "channel", "status", "created_at", "submitted_by"]}),
        (
            _("Planner"),
            {
                "fields": [
                    "contact_name",
                    "organisation",
                    "organisation_kind",
                    "sector",
                    "email",
                    "phone",
                    "language",
                    "consent_share",
                    "via_partner",
                ]
            },
        ),
        (
            _("Event"),
            {
                "fields": [
                    "event_kind",
                    "start_date",
                    "end_date",
                    "alternative_dates",
                    "flexible_dates",
                    "participants",
                    "days",
                    "layout",
                    "sessions",
                    "bedrooms",
                    "catering",
                    "team_building",
                    "services",
                    "step_free_access",
                    "accessibility_needs",
                ]
            },
        ),
        (
            _("Where and budget"),
            {
                "fields": [
                    "departments",
                    "commune",
                    "radius_km",
                    "near_station",
                    "budget_min",
                    "budget_max",
                    "message",
                    "heard_from",
                    "requested_suppliers",
                ]
            },
        ),
        (_("Qualification"), {"fields": ["spam_score", "spam_reasons", "duplicate_of"]}),
        (
            _("Outcome"),
            {
                "fields": [
                    "won_by",
                    "outcome_participants",
                    "outcome_days",
                    "outcome_budget",
                    "outcome_declared_at",
                    "outcome_declared_by",
                ]
            },
        ),
    ]


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(StaffManagesAdmin):
    list_display = ["department", "event_kind", "mode", "best_count"]
    list_filter = ["mode", "department"]
    list_select_related = ["department"]
    ordering = ["department", "event_kind"]


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = [
        "quote_request",
        "recipient",
        "status",
        "sent_at",
        "first_answer_at",
        "late",
        "attempts",
    ]
    list_filter = ["status", "supplier__category"]
    list_select_related = ["quote_request", "supplier", "partner"]
    search_fields = ["quote_request__reference", "supplier__name", "partner__name"]
    show_full_result_count = False
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dispatch]:
        return with_lateness(super().get_queryset(request))

    @admin.display(description=_("recipient"))
    def recipient(self, dispatch: Dispatch) -> str:
        return str(dispatch.supplier or dispatch.partner)

    @admin.display(description=_("late (72 h unanswered)"), boolean=True, ordering="is_late")
    def late(self, dispatch: Dispatch) -> bool:
        if hasattr(dispatch, "is_late"):
            return dispatch.is_late
        return dispatch_is_late(dispatch=dispatch)
