"""Plain CRUD on the plan for administrators; staff work in the back-office screens."""

from django.contrib import admin

from micedesk.plan.models import Action, ActionYear, CostItem, ItemQuantity, Kpi, Objective, Plan


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "first_year", "last_year")
    inlines = [ObjectiveInline]


class CostItemInline(admin.TabularInline):
    model = CostItem
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "objective", "timing", "start_year", "event_kind")
    list_filter = ("plan", "objective__number", "timing")
    search_fields = ("title", "code")
    inlines = [CostItemInline]


class ItemQuantityInline(admin.TabularInline):
    model = ItemQuantity
    extra = 0


class KpiInline(admin.TabularInline):
    model = Kpi
    extra = 0


@admin.register(ActionYear)
class ActionYearAdmin(admin.ModelAdmin):
    list_display = ("action", "year", "status", "priority")
    list_filter = ("year", "status")
    inlines = [ItemQuantityInline, KpiInline]
