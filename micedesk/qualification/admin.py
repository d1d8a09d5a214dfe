"""Django admin for the grids and evaluations: staff read everything; a draft version's criteria
and levels may be edited here, the rest changes through the qualification services."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from micedesk.geo.admin import StaffManagesAdmin, StaffReadsAdmin
from micedesk.qualification.models import (
    Answer,
    Contest,
    Criterion,
    Evaluation,
    EvaluationEvent,
    Grid,
    GridLevel,
    GridVersion,
)


def _is_draft(obj: object) -> bool:
    return isinstance(obj, GridVersion) and obj.is_draft


class DraftOnlyInline(admin.TabularInline):
    """Editable while the version is a draft; read-only once it is active or retired."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_draft(obj) and request.user.is_bureau_staff

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_draft(obj) and request.user.is_bureau_staff

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_draft(obj) and request.user.is_bureau_staff

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_bureau_staff or super().has_view_permission(request, obj)


class CriterionInline(DraftOnlyInline):
    model = Criterion
    fields = [
        "position",
        "code",
        "section_fr",
        "label_fr",
        "answer_type",
        "comparison",
        "target",
        "unit",
        "measure",
        "mandatory",
        "verifiable",
        "evidence",
        "weight",
    ]


class GridLevelInline(DraftOnlyInline):
    model = GridLevel
    fields = ["level", "requires_mandatory", "min_score"]


@admin.register(Grid)
class GridAdmin(StaffManagesAdmin):
    list_display = ["name_fr", "kind"]


@admin.register(GridVersion)
class GridVersionAdmin(StaffReadsAdmin):
    list_display = ["grid", "number", "status", "validity_months", "activated_at", "retired_at"]
    list_filter = ["status", "grid"]
    readonly_fields = ["grid", "number", "status", "based_on", "created_by", "activated_at"]
    fields = [*readonly_fields, "notes", "validity_months"]
    inlines = [GridLevelInline, CriterionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are created by copying one (grid_version_draft_create)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return (obj is None or _is_draft(obj)) and request.user.is_bureau_staff


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_bureau_staff or super().has_view_permission(request, obj)


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = [
        "criterion",
        "value_boolean",
        "value_number",
        "value_choice",
        "measured_value",
        "comment",
        "carried_over",
    ]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = EvaluationEvent
    fields = ["at", "event", "actor", "details"]
    readonly_fields = fields


class ContestInline(ReadOnlyInline):
    model = Contest
    fields = ["created_at", "author", "comment", "response", "resolved_at"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(StaffReadsAdmin):
    """Read-only: evaluations move through the services (assign, submit, publish...)."""

    list_display = ["supplier", "version", "status", "evaluator", "due_on", "level", "valid_until"]
    list_filter = ["status", "version__grid", "level", "is_demo"]
    search_fields = ["supplier__name", "evaluator__email"]
    inlines = [AnswerInline, ContestInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evaluation]:
        return (
            super().get_queryset(request).select_related("supplier", "version__grid", "evaluator")
        )
