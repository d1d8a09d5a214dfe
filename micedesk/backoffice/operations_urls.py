"""Back-office URLs of the bureau's events: list, calendar, event pages and their sections."""

from django.urls import path

from micedesk.backoffice import operations_views as views

urlpatterns = [
    path("", views.events, name="events"),
    path("nouveau/", views.event_new, name="event_new"),
    path("calendrier/<int:year>/", views.event_calendar, name="event_calendar"),
    path("calendrier/<int:year>.ics", views.event_calendar_ics, name="event_calendar_ics"),
    path("couts/modele.csv", views.costs_template, name="event_costs_template"),
    path("<int:pk>/", views.event, name="event"),
    path("<int:pk>/modifier/", views.event_edit, name="event_edit"),
    path("<int:pk>/evenement.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/cloturer/", views.event_close, name="event_close"),
    path("<int:pk>/annuler/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/participants/", views.participant_add, name="event_participant_add"),
    path(
        "<int:pk>/participants/<int:participant_pk>/",
        views.participant_edit,
        name="event_participant",
    ),
    path(
        "<int:pk>/participants/<int:participant_pk>/retirer/",
        views.participant_remove,
        name="event_participant_remove",
    ),
    path("<int:pk>/invites/segment/", views.guests_invite, name="event_invite"),
    path("<int:pk>/invites/", views.guest_add, name="event_guest_add"),
    path(
        "<int:pk>/invites/<int:guest_pk>/presence/",
        views.guest_attendance,
        name="event_guest_attendance",
    ),
    path("<int:pk>/rendez-vous/", views.appointment_add, name="event_appointment_add"),
    path(
        "<int:pk>/rendez-vous/<int:appointment_pk>/statut/",
        views.appointment_status,
        name="event_appointment_status",
    ),
    path("<int:pk>/couts/", views.cost_line_add, name="event_cost_add"),
    path("<int:pk>/couts/<int:line_pk>/", views.cost_line_edit, name="event_cost"),
    path(
        "<int:pk>/couts/<int:line_pk>/supprimer/",
        views.cost_line_delete,
        name="event_cost_delete",
    ),
    path("<int:pk>/couts/import/", views.costs_import, name="event_costs_import"),
    path("<int:pk>/enquetes/", views.surveys_send, name="event_surveys_send"),
]
