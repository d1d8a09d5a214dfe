"""Portal URLs of the CRM: the signed unsubscribe link."""

from django.urls import path

from micedesk.portal import crm_views

urlpatterns = [
    path("desinscription/<str:token>/", crm_views.unsubscribe, name="unsubscribe"),
]
