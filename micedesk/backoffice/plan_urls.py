"""Back-office URLs of the action plan: its years, actions, cost estimates, action-years and
indicators. The synthesis, timeline and budget planner have their own modules."""

from __future__ import annotations

from django.urls import path

from micedesk.backoffice import plan_views as views

urlpatterns = [
    path("", views.plan_home, name="plan_home"),
    path("<slug:code>/<int:year>/", views.plan_year, name="plan_year"),
    path("<slug:code>/annees/ajouter/", views.plan_year_add, name="plan_year_add"),
    path("<slug:code>/<int:year>/copier/", views.plan_year_copy, name="plan_year_copy"),
    path("<slug:code>/actions/nouvelle/", views.action_new, name="plan_action_new"),
    path("<slug:code>/actions/<int:pk>/", views.plan_action, name="plan_action"),
    path("<slug:code>/actions/<int:pk>/modifier/", views.action_edit, name="plan_action_edit"),
    path("<slug:code>/actions/<int:pk>/suivre/", views.action_year_add, name="plan_action_follow"),
    path("<slug:code>/actions/<int:pk>/couts/nouveau/", views.cost_new, name="plan_cost_new"),
    path("<slug:code>/actions/<int:pk>/couts/<int:item_pk>/", views.cost_edit, name="plan_cost"),
    path(
        "<slug:code>/actions/<int:pk>/couts/<int:item_pk>/supprimer/",
        views.cost_delete,
        name="plan_cost_delete",
    ),
    path("<slug:code>/suivi/<int:pk>/", views.plan_action_year, name="plan_action_year"),
    path(
        "<slug:code>/suivi/<int:pk>/supprimer/",
        views.action_year_delete,
        name="plan_action_year_delete",
    ),
    path("<slug:code>/suivi/<int:pk>/indicateurs/nouveau/", views.kpi_new, name="plan_kpi_new"),
    path("<slug:code>/suivi/<int:pk>/indicateurs/<int:kpi_pk>/", views.kpi_edit, name="plan_kpi"),
    path(
        "<slug:code>/suivi/<int:pk>/indicateurs/<int:kpi_pk>/supprimer/",
        views.kpi_delete,
        name="plan_kpi_delete",
    ),
]
