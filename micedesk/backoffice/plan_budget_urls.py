"""Back-office URLs of the budget planner, under plan/<code>/budget/."""

from __future__ import annotations

from django.urls import path

from micedesk.backoffice import plan_budget_views

urlpatterns = [
    path("", plan_budget_views.plan_budget, name="plan_budget"),
    path("appliquer/", plan_budget_views.plan_budget_apply, name="plan_budget_apply"),
]
