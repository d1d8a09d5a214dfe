"""Back-office URLs of the qualification grids and evaluations."""

from __future__ import annotations

from django.urls import path

from micedesk.backoffice import qualification_views as views

urlpatterns = [
    path("", views.grids, name="qualification"),
    path("grilles/<int:pk>/brouillon/", views.draft_new, name="qualification_draft_new"),
    path("grilles/<int:pk>/comparer/", views.compare, name="qualification_compare"),
    path("versions/<int:pk>/", views.version_detail, name="qualification_version"),
    path(
        "versions/<int:pk>/criteres/nouveau/",
        views.criterion_new,
        name="qualification_criterion_new",
    ),
    path("versions/<int:pk>/niveaux/", views.levels_edit, name="qualification_levels"),
    path("versions/<int:pk>/simulation/", views.simulate, name="qualification_simulate"),
    path("versions/<int:pk>/activer/", views.activate, name="qualification_activate"),
    path("criteres/<int:pk>/", views.criterion_edit, name="qualification_criterion"),
    path(
        "criteres/<int:pk>/supprimer/",
        views.criterion_delete,
        name="qualification_criterion_delete",
    ),
    path("attribuer/", views.assign, name="qualification_assign"),
    path("evaluations/", views.evaluations, name="qualification_evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="qualification_evaluation"),
    path(
        "evaluations/<int:pk>/publier/",
        views.evaluation_publish,
        name="qualification_publish",
    ),
    path(
        "evaluations/<int:pk>/renvoyer/",
        views.evaluation_return,
        name="qualification_return",
    ),
    path(
        "evaluations/<int:pk>/annuler/",
        views.evaluation_cancel,
        name="qualification_cancel",
    ),
    path("preuves/<int:pk>/", views.evidence_download, name="qualification_evidence"),
    path("contestations/", views.contests, name="qualification_contests"),
    path("contestations/<int:pk>/", views.contest_detail, name="qualification_contest"),
    path("chiffres/", views.figures, name="qualification_figures"),
    path(
        "chiffres/export.xlsx",
        views.figures_export,
        name="qualification_figures_export",
    ),
]
