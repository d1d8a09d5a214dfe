"""Extranet URLs of evaluations: partners evaluate, suppliers read theirs and contest."""

from django.urls import path

from micedesk.extranet import evaluation_views as views

urlpatterns = [
    path("", views.evaluations_list, name="evaluations"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("<int:pk>/enregistrer/", views.evaluation_save, name="evaluation_save"),
    path("<int:pk>/general/", views.overall_save, name="evaluation_overall_save"),
    path("<int:pk>/criteres/<slug:code>/", views.criterion_save, name="evaluation_criterion_save"),
    path(
        "<int:pk>/criteres/<slug:code>/justificatifs/",
        views.evidence_upload,
        name="evaluation_evidence_add",
    ),
    path(
        "<int:pk>/justificatifs/<int:evidence_pk>/supprimer/",
        views.evidence_remove,
        name="evaluation_evidence_delete",
    ),
    path("<int:pk>/soumettre/", views.evaluation_submit_view, name="evaluation_submit"),
    path("justificatifs/<int:pk>/", views.evidence_download, name="evaluation_evidence"),
    path("ma-qualification/", views.my_qualification, name="my_qualification"),
    path("ma-qualification/<int:pk>/", views.my_evaluation, name="my_evaluation"),
    path(
        "ma-qualification/<int:pk>/contester/",
        views.evaluation_contest_view,
        name="evaluation_contest",
    ),
]
