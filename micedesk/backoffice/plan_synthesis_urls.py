"""Back-office URLs of the action plan's synthesis (its cost tables and totals: page, printable
page, XLSX) and of its timeline. Mounted under plan/<code>/synthese/: every view receives `code`."""

from __future__ import annotations

from django.urls import path

from micedesk.backoffice import plan_synthesis_views as views

urlpatterns = [
    path("", views.plan_synthesis, name="plan_synthesis"),
    path("imprimer/", views.plan_synthesis_print, name="plan_synthesis_print"),
    path("export.xlsx", views.plan_synthesis_xlsx, name="plan_synthesis_xlsx"),
    path("calendrier/", views.plan_timeline, name="plan_timeline"),
]
