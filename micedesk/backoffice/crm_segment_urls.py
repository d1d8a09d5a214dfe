"""Back-office URLs of the CRM segments: saved filters, workshop invitations, mailings, exports."""

from django.urls import path

from micedesk.backoffice import crm_segment_views as views

urlpatterns = [
    path("", views.segments, name="segments"),
    path("nouveau/", views.segment_new, name="segment_new"),
    path("apercu/", views.segment_preview, name="segment_preview"),
    path("<int:pk>/", views.segment_detail, name="segment"),
    path("<int:pk>/modifier/", views.segment_edit, name="segment_edit"),
    path("<int:pk>/export.<str:file_format>", views.segment_download, name="segment_export"),
    path("<int:pk>/invitations/", views.segment_invitations, name="segment_invitations"),
    path("<int:pk>/supprimer/", views.segment_remove, name="segment_delete"),
]
