"""URLs of the back-office."""

from django.urls import path

from micedesk.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cles-api/", views.api_keys, name="api_keys"),
    path("cles-api/emettre/", views.api_key_issue, name="api_key_issue"),
    path("cles-api/<int:pk>/revoquer/", views.api_key_revoke_view, name="api_key_revoke"),
    path("export/", views.export, name="export"),
]
