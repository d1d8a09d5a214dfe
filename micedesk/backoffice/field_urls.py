"""Back-office URLs of the bureau's events: field."""

from django.urls import path

from micedesk.backoffice import field_views

urlpatterns = [
    path("", field_views.field, name="field"),
    path("<int:pk>/", field_views.field_event, name="field_event"),
    path(
        "<int:pk>/invites/<int:guest_pk>/presence/",
        field_views.field_guest_attendance,
        name="field_guest_attendance",
    ),
    path(
        "<int:pk>/rendez-vous/<int:appointment_pk>/statut/",
        field_views.field_appointment_status,
        name="field_appointment_status",
    ),
]
