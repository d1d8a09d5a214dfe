"""Back-office URLs of the bureau's events: returns."""

from __future__ import annotations

from django.urls import path

from micedesk.backoffice import returns_views

urlpatterns = [
    path("", returns_views.returns_year, name="returns_year"),
    path("annee/export.xlsx", returns_views.returns_year_export, name="returns_year_export"),
    path("evenement/<int:pk>/", returns_views.event_returns, name="event_returns"),
    path(
        "evenement/<int:pk>/export.xlsx",
        returns_views.event_returns_export,
        name="event_returns_export",
    ),
    path("evenement/<int:pk>/synthese/", returns_views.event_summary, name="event_summary"),
    path("reglages/", returns_views.returns_settings_edit, name="returns_settings"),
    path("depense/", returns_views.spend_parameters, name="spend_parameters"),
    path("depense/nouveau/", returns_views.spend_parameter_new, name="spend_parameter_new"),
    path(
        "depense/<int:pk>/modifier/",
        returns_views.spend_parameter_edit,
        name="spend_parameter_edit",
    ),
]
