"""URLs of the public portal."""

from django.urls import path

from micedesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
]
