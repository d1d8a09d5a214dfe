"""Portal URLs of the bureau's events: campaign pages and the partners' survey."""

from django.urls import path

from micedesk.portal import operations_views

urlpatterns = [
    path("campagnes/<slug:slug>/", operations_views.campaign, name="campaign"),
    path("enquete/<str:token>/", operations_views.survey, name="survey"),
]
