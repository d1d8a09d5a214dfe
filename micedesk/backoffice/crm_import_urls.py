"""Back-office URLs of the contact import and of the quality screen of the base."""

from django.urls import path

from micedesk.backoffice import crm_import_views as views

urlpatterns = [
    path("", views.imports, name="crm_imports"),
    path("nouvel-import/", views.import_new, name="crm_import_new"),
    path("qualite/", views.quality, name="crm_quality"),
    path("<int:pk>/", views.import_report, name="crm_import"),
    path("<int:pk>/colonnes/", views.import_mapping, name="crm_import_mapping"),
    path(
        "<int:pk>/colonnes/apercu/",
        views.import_mapping_preview,
        name="crm_import_mapping_preview",
    ),
    path("<int:pk>/apercu/", views.import_preview_view, name="crm_import_preview"),
    path("<int:pk>/refus.csv", views.import_rejects, name="crm_import_rejects"),
    path("<int:pk>/fichier/", views.import_file, name="crm_import_file"),
]
