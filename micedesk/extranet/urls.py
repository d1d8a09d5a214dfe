"""URLs of the extranet."""

from django.urls import include, path

from micedesk.extranet import request_views, views

app_name = "extranet"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("prestataires/<int:pk>/modifier/", views.supplier_edit, name="supplier_edit"),
    path("prestataires/<int:pk>/publier/", views.supplier_publish_view, name="supplier_publish"),
    path(
        "prestataires/<int:pk>/depublier/",
        views.supplier_unpublish_view,
        name="supplier_unpublish",
    ),
    path("prestataires/<int:pk>/photos/ajouter/", views.photo_add, name="photo_add"),
    path(
        "prestataires/<int:pk>/photos/<int:photo_pk>/supprimer/",
        views.photo_delete,
        name="photo_delete",
    ),
    path("demandes/", request_views.requests_list, name="requests"),
    path("demandes/envois/<int:pk>/", request_views.dispatch_detail, name="dispatch"),
    path(
        "demandes/envois/<int:pk>/repondre/",
        request_views.dispatch_answer_view,
        name="dispatch_answer",
    ),
    path(
        "demandes/envois/<int:pk>/transmettre/",
        request_views.dispatch_forward_view,
        name="dispatch_forward",
    ),
    path("evaluations/", include("micedesk.extranet.evaluation_urls")),
    path("evenements/", include("micedesk.extranet.operations_urls")),
]
