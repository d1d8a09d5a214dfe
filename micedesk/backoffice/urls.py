"""URLs of the back-office."""

from django.urls import include, path

from micedesk.backoffice import entry_views, request_views, views

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cles-api/", views.api_keys, name="api_keys"),
    path("cles-api/emettre/", views.api_key_issue, name="api_key_issue"),
    path("cles-api/<int:pk>/revoquer/", views.api_key_revoke_view, name="api_key_revoke"),
    path("export/", views.export, name="export"),
    path("demandes/", request_views.requests_inbox, name="requests"),
    path("demandes/nouvelle/", entry_views.request_new, name="request_new"),
    path("demandes/<int:pk>/", request_views.request_detail, name="request"),
    path("demandes/<int:pk>/fusionner/", request_views.request_merge, name="request_merge"),
    path("demandes/<int:pk>/separer/", request_views.request_split, name="request_split"),
    path("demandes/<int:pk>/liberer/", request_views.request_release, name="request_release"),
    path("demandes/<int:pk>/rejeter/", request_views.request_reject, name="request_reject"),
    path("demandes/<int:pk>/rerouter/", request_views.request_reroute, name="request_reroute"),
    path("demandes/<int:pk>/issue/", request_views.request_outcome, name="request_outcome"),
    path("chiffres/", request_views.figures, name="figures"),
    path(
        "chiffres/export.<str:file_format>",
        request_views.figures_export,
        name="figures_export",
    ),
    path("qualification/", include("micedesk.backoffice.qualification_urls")),
    path("contacts/", include("micedesk.backoffice.crm_urls")),
    path("contacts/imports/", include("micedesk.backoffice.crm_import_urls")),
    path("contacts/segments/", include("micedesk.backoffice.crm_segment_urls")),
    path("evenements/", include("micedesk.backoffice.operations_urls")),
    path("retombees/", include("micedesk.backoffice.returns_urls")),
    path("terrain/", include("micedesk.backoffice.field_urls")),
    path("plan/<slug:code>/synthese/", include("micedesk.backoffice.plan_synthesis_urls")),
    path("plan/<slug:code>/budget/", include("micedesk.backoffice.plan_budget_urls")),
    path("plan/", include("micedesk.backoffice.plan_urls")),
]
