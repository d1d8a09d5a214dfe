"""Extranet URLs of the bureau's events: a member's own participations."""

from django.urls import path

from micedesk.extranet import operations_views

urlpatterns = [
    path("", operations_views.my_events, name="my_events"),
    path("<int:pk>/", operations_views.my_event, name="my_event"),
    path("<int:pk>/calendrier.ics", operations_views.my_event_ics, name="my_event_ics"),
]
